"""The journal catches what a person with the store file and a database tool can do: every
edit the issue measured (6 of 27 were caught by `kasir db check` before the journal), each named
by receipt number; and a store as Kasir wrote it verifies clean."""

from __future__ import annotations

import pytest
from journal_helpers import cancelled_cart, day
from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from kasir.cli import main
from kasir.services.integrity import check_store
from kasir.services.journal import verify

Factory = sessionmaker[Session]


def broken(demo: Factory) -> list[str]:
    with demo() as s:
        return [b.text for b in verify(s).breaks]


def test_a_store_as_kasir_wrote_it_verifies_clean(demo: Factory) -> None:
    day(demo)
    with demo() as s:
        result = verify(s)
        assert result.ok and result.chains == 1
        # shift open, 4 sales, a refund, a void, shift close, and two approvals (the
        # refund's and the void's)
        assert (result.entries, result.documents) == (10, 10)
        assert check_store(s).problems == ()


EDITS = {
    # what was done by hand -> a word the break must name
    "cash relabelled as QRIS": "UPDATE payment SET method = 'qris', reference = 'X' "
    "WHERE sale_id = (SELECT id FROM sale WHERE receipt_number = '{a}')",
    "completed sale marked voided": "UPDATE sale SET status = 'voided', voided_at = created_at, "
    "void_reason = 'x' WHERE receipt_number = '{a}'",
    "line moved to another UPT": "UPDATE sale_line "
    "SET upt_id = (SELECT min(u.id) FROM upt u WHERE u.id <> sale_line.upt_id), upt_code = 'X' "
    "WHERE sale_id = (SELECT id FROM sale WHERE receipt_number = '{a}')",
    "quantity changed": "UPDATE sale_line SET qty = 5 "
    "WHERE sale_id = (SELECT id FROM sale WHERE receipt_number = '{a}')",
    "price changed": "UPDATE sale_line SET unit_price = 1 "
    "WHERE sale_id = (SELECT id FROM sale WHERE receipt_number = '{a}')",
    "total changed": "UPDATE sale SET total = 1 WHERE receipt_number = '{a}'",
    "receipt renumbered": "UPDATE sale SET receipt_number = receipt_number || 'X' "
    "WHERE receipt_number = '{a}'",
    "sale given to another cashier": "UPDATE sale SET cashier_id = cashier_id + 1 "
    "WHERE receipt_number = '{a}'",
    "refund amount changed": "UPDATE payment SET amount = amount - 1000, "
    "tendered = tendered - 1000 WHERE sale_id = (SELECT id FROM sale WHERE receipt_number = '{r}')",
    "void reason changed": "UPDATE sale SET void_reason = 'lain' WHERE receipt_number = '{d}'",
    "shift cash changed": "UPDATE shift SET counted_cash = counted_cash + 50000",
    "stock movement changed": "UPDATE stock_movement SET qty = qty - 1 WHERE sale_id = "
    "(SELECT id FROM sale WHERE receipt_number = '{a}')",
    "journal entry changed": "UPDATE journal_entry SET ref = 'x' WHERE seq = 2",
    "journal entry deleted": "DELETE FROM journal_entry WHERE seq = 3",
}


@pytest.mark.parametrize("edit", list(EDITS))
def test_every_edit_by_hand_is_named(demo: Factory, edit: str) -> None:
    numbers = day(demo)
    with demo.begin() as s:
        s.execute(text(EDITS[edit].format(**numbers)))
    found = broken(demo)
    assert found, f"{edit}: not detected"
    assert all("Meja K01" in f or "meja K01" in f for f in found)
    with demo() as s:
        assert check_store(s).problems, "kasir db check says it too"


def test_a_sale_deleted_and_the_later_ones_renumbered_is_named(demo: Factory) -> None:
    numbers = day(demo)
    with demo.begin() as s:
        sale_id = s.scalar(text(f"SELECT id FROM sale WHERE receipt_number = '{numbers['a']}'"))
        for table in ("stock_movement", "payment", "sale_line"):
            s.execute(text(f"DELETE FROM {table} WHERE sale_id = {sale_id}"))
        s.execute(text(f"DELETE FROM sale WHERE id = {sale_id}"))
    found = " ".join(broken(demo))
    assert f"penjualan {numbers['a']}" in found and "sudah tidak ada" in found


def test_a_fake_sale_appended_is_named(demo: Factory) -> None:
    numbers = day(demo)
    with demo.begin() as s:
        cols = (
            "uuid, receipt_number, kind, status, counter_id, shift_id, cashier_id, business_date,"
            " seq, created_at, subtotal, line_discount_total, order_discount, tax_total, total,"
            " rounding"
        )
        s.execute(
            text(
                f"INSERT INTO sale ({cols}) SELECT 'f0000000-0000-4000-8000-000000000000', "
                "'K01-20261122-0099', kind, status, counter_id, shift_id, cashier_id, "
                "business_date, 99, created_at, 0, 0, 0, 0, 0, 0 FROM sale "
                f"WHERE receipt_number = '{numbers['a']}'"
            )
        )
    found = " ".join(broken(demo))
    assert "K01-20261122-0099" in found and "tidak tercatat di jurnal" in found


def test_kasir_audit_verify_names_the_break(
    demo_sqlite: Factory, capsys: pytest.CaptureFixture[str]
) -> None:
    numbers = day(demo_sqlite)
    url = demo_sqlite.kw["bind"].url.render_as_string(hide_password=False)
    # (no checkpoint: the next run reads everything; see test_journal_verify for checkpoints)
    assert main(["--db", url, "audit", "verify", "--no-checkpoint"]) == 0
    assert "jurnal utuh" in capsys.readouterr().out
    with demo_sqlite.begin() as s:
        s.execute(text(f"UPDATE sale SET total = 1 WHERE receipt_number = '{numbers['c']}'"))
    assert main(["--db", url, "audit", "verify"]) == 1
    out = capsys.readouterr().out
    assert f"RUSAK: Meja K01: penjualan {numbers['c']}" in out and "diubah" in out
    assert main(["--db", url, "db", "check"]) == 1
    assert numbers["c"] in capsys.readouterr().out


def test_the_upgrade_journals_the_documents_already_there(demo: Factory) -> None:
    """A store made before the journal: the upgrade journals what it holds (0009)."""
    from kasir.services.journal import journal_existing

    day(demo)
    with demo.begin() as s:
        s.execute(text("DELETE FROM journal_entry"))
    assert broken(demo)  # every document now unknown to the journal
    with demo.begin() as s:
        assert journal_existing(s) == 10
    assert broken(demo) == []


# --- events and cancelled carts (issue 18) ---------------------------------------------------

EVENT_EDITS = {
    # an approval is a record: who approved is part of what the journal holds
    "approver changed": "UPDATE audit_event SET user_id = "
    "(SELECT id FROM user_account WHERE username = 'manajer') WHERE action = 'approval'",
    "approval amount changed": "UPDATE audit_event SET payload = replace(payload, 'Void', 'Retur')"
    " WHERE action = 'approval'",
    "approval deleted": "DELETE FROM audit_event WHERE id = (SELECT min(id) FROM audit_event)",
}


@pytest.mark.parametrize("edit", list(EVENT_EDITS))
def test_an_event_edited_or_removed_is_named(demo: Factory, edit: str) -> None:
    day(demo)
    with demo.begin() as s:
        s.execute(text(EVENT_EDITS[edit]))
    found = " ".join(broken(demo))
    assert "peristiwa approval" in found, found
    assert ("sudah tidak ada" if "deleted" in edit else "diubah") in found


def test_a_fake_event_inserted_is_named(demo: Factory) -> None:
    day(demo)
    with demo.begin() as s:
        s.execute(
            text(
                "INSERT INTO audit_event (at, user_id, action, entity, entity_id, payload, "
                "prev_hash, hash) SELECT at, user_id, action, entity, entity_id, payload, "
                "prev_hash, hash FROM audit_event WHERE action = 'approval' LIMIT 1"
            )
        )
    found = " ".join(broken(demo))
    assert "Persetujuan supervisor" in found and "tidak tercatat di jurnal" in found


@pytest.mark.parametrize(
    "edit",
    [
        "UPDATE cancelled_sale SET total = 1",
        "UPDATE cancelled_sale_line SET qty = 0 WHERE line_no = 2",
        "UPDATE removed_payment SET amount = 1",
        "DELETE FROM removed_payment",
    ],
)
def test_a_cancelled_cart_is_journaled_whole(demo: Factory, edit: str) -> None:
    cancelled_cart(demo)
    assert broken(demo) == []
    with demo.begin() as s:
        s.execute(text(edit))
    found = " ".join(broken(demo))
    assert "keranjang batal batal #1" in found and "diubah" in found, found

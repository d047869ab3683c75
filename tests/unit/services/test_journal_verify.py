"""Checkpoints: a verify after a clean one reads only what was journaled since, and still
catches every edit of that, of the checkpoint itself, and of the counts up to it; an edit of an
older document is caught from scratch (`full`), as the README says."""

from __future__ import annotations

import pytest
from journal_helpers import cancelled_cart, day
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session, sessionmaker
from store_helpers import KERIPIK, NOW, cash, open_till

from kasir.cli import main
from kasir.domain.cart import Cart
from kasir.services.cart_edit import add_by_barcode
from kasir.services.checkout import checkout
from kasir.services.integrity import check_store
from kasir.services.journal import STORE_CHAIN, entry_hash
from kasir.services.journal_verify import VerifyResult, verify, write_checkpoint
from kasir.store.models import JournalEntry

Factory = sessionmaker[Session]


def checked(demo: Factory, *, full: bool = False) -> VerifyResult:
    with demo() as s:
        return verify(s, full=full)


def checkpoint(demo: Factory) -> int:
    """A clean verify and its checkpoint: the checkpoint entry's number."""
    result = checked(demo)
    assert result.ok, result.breaks
    with demo.begin() as s:
        return write_checkpoint(s, result)


def one_more_sale(demo: Factory) -> str:
    """A shift opened at K01 and one cash sale in it: its receipt number."""
    till = open_till(demo)
    with demo.begin() as s:
        cart = Cart()
        add_by_barcode(s, cart, KERIPIK)
        return checkout(s, till, cart, cash(20_000), now=NOW).receipt_number


def texts(result: VerifyResult) -> str:
    return " ".join(b.text for b in result.breaks)


def test_a_checkpointed_verify_is_clean_and_reads_only_the_new_entries(demo: Factory) -> None:
    day(demo)  # 10 entries on K01
    first = checked(demo)
    assert first.full and first.since is None and first.entries == 10
    seq = checkpoint(demo)
    assert seq == 1  # the first entry of the store's own chain
    again = checked(demo)
    assert again.ok and not again.full
    assert again.since is not None and again.since.seq == seq and again.since.full
    assert (again.entries, again.documents) == (1, 1)  # the checkpoint entry and its record
    one_more_sale(demo)
    quick = checked(demo)
    assert quick.ok and quick.since is not None and quick.since.seq == seq
    # the checkpoint, the shift opened, the sale: not the 10 entries before the checkpoint
    assert (quick.entries, quick.documents) == (3, 3)
    with demo.begin() as s:
        assert write_checkpoint(s, quick) == 2
    assert checked(demo).entries == 1
    full = checked(demo, full=True)
    assert full.ok and full.full and full.entries == 14, "every checkpoint checked from scratch"


def test_the_quick_verify_catches_an_entry_after_the_checkpoint_tampered(demo: Factory) -> None:
    day(demo)
    checkpoint(demo)
    number = one_more_sale(demo)
    with demo.begin() as s:
        s.execute(text(f"UPDATE journal_entry SET ref = 'x' WHERE ref = '{number}'"))
    result = checked(demo)
    assert not result.full, "the checkpoint itself still holds"
    assert "Jurnal meja K01: entri #12" in texts(result) and "diubah" in texts(result)


AFTER_THE_CHECKPOINT = {
    # an edit of what was journaled after the checkpoint -> what the break says
    "sale total changed": (
        "UPDATE sale SET total = 1 WHERE receipt_number = '{new}'",
        "diubah sesudah dicatat di jurnal",
    ),
    "sale deleted with its entry": (
        "DELETE FROM journal_entry WHERE ref = '{new}'",
        "tidak tercatat di jurnal",
    ),
    "entry deleted": ("DELETE FROM journal_entry WHERE chain = 'K01' AND seq = 11", "hilang"),
    "fake sale appended": (
        "INSERT INTO sale (uuid, receipt_number, kind, status, counter_id, shift_id, cashier_id,"
        " business_date, seq, created_at, subtotal, line_discount_total, order_discount,"
        " tax_total, total, rounding) SELECT 'f0000000-0000-4000-8000-000000000000',"
        " 'K01-20261122-0099', kind, status, counter_id, shift_id, cashier_id, business_date, 99,"
        " created_at, 0, 0, 0, 0, 0, 0 FROM sale WHERE receipt_number = '{new}'",
        "K01-20261122-0099",
    ),
}


@pytest.mark.parametrize("edit", list(AFTER_THE_CHECKPOINT))
def test_the_quick_verify_catches_edits_after_the_checkpoint(demo: Factory, edit: str) -> None:
    day(demo)
    checkpoint(demo)
    new = one_more_sale(demo)
    sql, said = AFTER_THE_CHECKPOINT[edit]
    with demo.begin() as s:
        s.execute(text(sql.format(new=new)))
    result = checked(demo)
    assert not result.full and said in texts(result), texts(result)


def test_an_old_document_edited_is_caught_from_scratch(
    demo_sqlite: Factory, capsys: pytest.CaptureFixture[str]
) -> None:
    """The price of checkpoints: an edit of a document a checkpoint covers is not seen by the
    quick verify, only by `--full` (and `kasir db check`, which reads everything)."""
    numbers = day(demo_sqlite)
    url = demo_sqlite.kw["bind"].url.render_as_string(hide_password=False)
    assert main(["--db", url, "audit", "verify"]) == 0
    out = capsys.readouterr().out
    assert "Pemeriksaan lengkap: seluruh riwayat." in out and "Titik periksa #1 dicatat" in out
    with demo_sqlite.begin() as s:
        s.execute(text(f"UPDATE sale SET total = 1 WHERE receipt_number = '{numbers['c']}'"))
    assert main(["--db", url, "audit", "verify"]) == 0
    out = capsys.readouterr().out
    assert "Pemeriksaan cepat: mulai dari titik periksa #1" in out and "RUSAK" not in out
    assert main(["--db", url, "audit", "verify", "--full"]) == 1
    out = capsys.readouterr().out
    assert "Pemeriksaan lengkap: seluruh riwayat." in out
    assert f"RUSAK: Meja K01: penjualan {numbers['c']}" in out and "diubah" in out
    assert main(["--db", url, "db", "check"]) == 1
    assert numbers["c"] in capsys.readouterr().out


def test_no_checkpoint_is_written_when_asked_not_to(
    demo_sqlite: Factory, capsys: pytest.CaptureFixture[str]
) -> None:
    day(demo_sqlite)
    url = demo_sqlite.kw["bind"].url.render_as_string(hide_password=False)
    assert main(["--db", url, "audit", "verify", "--no-checkpoint"]) == 0
    assert "Titik periksa" not in capsys.readouterr().out
    with demo_sqlite() as s:
        assert s.scalar(select(func.count()).where(JournalEntry.kind == "checkpoint")) == 0


BEFORE_THE_CHECKPOINT = {
    # an edit of what a checkpoint covers that the quick verify still catches, cheaply
    "old entry deleted": (
        "DELETE FROM journal_entry WHERE chain = 'K01' AND seq = 3",
        "1 entri sebelum titik periksa #1 hilang",
    ),
    "entry at the checkpoint changed": (
        "UPDATE journal_entry SET hash = 'x' WHERE chain = 'K01' AND seq = 10",
        "entri #10 diubah sesudah titik periksa #1",
    ),
    "old sale deleted": (
        "DELETE FROM payment WHERE sale_id = (SELECT id FROM sale WHERE receipt_number = '{a}');"
        "DELETE FROM stock_movement WHERE sale_id = "
        "(SELECT id FROM sale WHERE receipt_number = '{a}');"
        "DELETE FROM sale_line WHERE sale_id = (SELECT id FROM sale WHERE receipt_number = '{a}');"
        "DELETE FROM sale WHERE receipt_number = '{a}'",
        "penjualan dan retur dengan nomor sampai",
    ),
    "old sale marked voided": (
        "UPDATE sale SET status = 'voided', voided_at = created_at, void_reason = 'x' "
        "WHERE receipt_number = '{a}'",
        "transaksi void dengan nomor sampai",
    ),
    "old shift reopened": (
        "UPDATE shift SET status = 'open', closed_at = NULL, expected_cash = NULL, "
        "counted_cash = NULL",
        "shift ditutup",
    ),
    "old event deleted": ("DELETE FROM audit_event WHERE action = 'approval'", "peristiwa"),
}


@pytest.mark.parametrize("edit", list(BEFORE_THE_CHECKPOINT))
def test_the_quick_verify_catches_old_rows_removed_or_relabelled(demo: Factory, edit: str) -> None:
    numbers = day(demo)
    checkpoint(demo)
    sql, said = BEFORE_THE_CHECKPOINT[edit]
    with demo.begin() as s:
        for statement in sql.format(**numbers).split(";"):
            s.execute(text(statement))
    result = checked(demo)
    assert not result.full and said in texts(result), texts(result)


CHECKPOINT_EDITS = {
    "entry changed": "UPDATE journal_entry SET ref = 'x' WHERE kind = 'checkpoint'",
    "record changed": "UPDATE audit_event SET payload = replace(payload, '\"sale\":', "
    "'\"sale\": ') WHERE action = 'checkpoint'",
    "record deleted": "DELETE FROM audit_event WHERE action = 'checkpoint'",
}


@pytest.mark.parametrize("edit", list(CHECKPOINT_EDITS))
def test_a_tampered_checkpoint_is_a_break(demo: Factory, edit: str) -> None:
    day(demo)
    checkpoint(demo)
    with demo.begin() as s:
        s.execute(text(CHECKPOINT_EDITS[edit]))
    for result in (checked(demo), checked(demo, full=True)):
        assert result.full, "a broken checkpoint is not trusted: everything is read"
        assert not result.ok and "titik periksa" in texts(result), texts(result)


def test_a_removed_checkpoint_is_a_break(demo: Factory) -> None:
    day(demo)
    first = checkpoint(demo)
    checkpoint(demo)
    with demo.begin() as s:  # the first one, with its record
        s.execute(
            text(
                "DELETE FROM audit_event WHERE id = (SELECT doc_id FROM journal_entry "
                f"WHERE chain = '{STORE_CHAIN}' AND seq = {first})"
            )
        )
        s.execute(
            text(f"DELETE FROM journal_entry WHERE chain = '{STORE_CHAIN}' AND seq = {first}")
        )
    result = checked(demo)
    assert result.full, "the latest checkpoint hangs on nothing: not trusted"
    said = texts(result)
    assert "titik periksa #2" in said and "tidak tersambung ke entri sebelumnya" in said
    assert "Jurnal toko: entri #1 hilang" in said


def test_the_last_checkpoint_entry_removed_without_its_record_is_a_break(demo: Factory) -> None:
    day(demo)
    checkpoint(demo)
    with demo.begin() as s:
        s.execute(text("DELETE FROM journal_entry WHERE kind = 'checkpoint'"))
    result = checked(demo)
    assert result.full and "tidak tercatat di jurnal" in texts(result)


def test_a_checkpoint_that_records_another_chain_is_caught_from_scratch(demo: Factory) -> None:
    """A checkpoint's record is checked against the chains as they are (from scratch)."""
    day(demo)
    checkpoint(demo)
    with demo.begin() as s:  # K01 #10 rewritten with a valid hash: its record no longer agrees
        e = s.scalars(
            select(JournalEntry).where(JournalEntry.chain == "K01", JournalEntry.seq == 10)
        ).one()
        e.ref = "lain"
        e.hash = entry_hash(e.chain, e.seq, e.at, e.kind, e.doc_id, e.ref, e.digest, e.prev_hash)
    said = texts(checked(demo, full=True))
    assert "titik periksa #1 mencatat entri #10 lain dari yang ada sekarang" in said
    assert "entri #10 diubah sesudah titik periksa #1" in texts(checked(demo))


def test_a_store_checked_whole_by_db_check(demo: Factory) -> None:
    """`kasir db check` reads everything: an old edit is named despite the checkpoint."""
    numbers = day(demo)
    checkpoint(demo)
    with demo.begin() as s:
        s.execute(text(f"UPDATE sale SET total = 1 WHERE receipt_number = '{numbers['a']}'"))
    assert checked(demo).ok
    with demo() as s:
        assert any(numbers["a"] in p for p in check_store(s).problems)


def test_cancelled_carts_before_the_checkpoint_are_still_journaled(demo: Factory) -> None:
    """The quick verify walks only the entries after its checkpoint, but checks every
    cancelled cart: one cancelled before the checkpoint is found in the journal, not named
    as missing (it was, for every cancelled cart, before this was fixed)."""
    cancelled_cart(demo)
    checkpoint(demo)
    quick = checked(demo)
    assert not quick.full and quick.ok, texts(quick)
    with demo.begin() as s:  # a cart added by hand after the checkpoint is still named
        s.execute(
            text(
                "INSERT INTO cancelled_sale (uuid, counter_id, cashier_id, business_date) "
                "SELECT 'bbbbbbbb-0000-0000-0000-000000000002', counter_id, cashier_id, "
                "business_date FROM cancelled_sale"
            )
        )
    assert "keranjang batal #2" in texts(checked(demo))

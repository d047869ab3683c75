"""The day's settlement (issue 19): the figures of seeded random days equal the store's sums
and an independent recomputation from `kasir export`'s files; the day close freezes them,
locks the date and is refused while a shift is open or a second time; deposit data checked."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import defaultdict
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from sqlalchemy import func, select, update
from store_helpers import Factory, make_till

from kasir.domain.payment import PaymentInput
from kasir.domain.settlement import DayFigures
from kasir.errors import NotAllowed, UserError, ValidationError
from kasir.services import journal, returns, settlement, shifts
from kasir.services.auth import Approval
from kasir.services.catalog import ensure_counter
from kasir.services.export import export_day
from kasir.settings import get_all, set_setting
from kasir.simulate import simulate_day
from kasir.store.engine import writing
from kasir.store.models import (
    AuditEvent,
    CancelledSale,
    CashMovement,
    DayClose,
    Product,
    Sale,
    Shift,
    Upt,
    User,
)
from kasir.timeutil import JAKARTA

DAY = dt.date(2026, 11, 20)
NEXT = DAY + dt.timedelta(days=1)
MANAGER = Approval("3333", "manajer")
CLOSE_AT = dt.datetime.combine(DAY, dt.time(19, 0), JAKARTA)


def seeded_day(factory: Factory, seed: int, day: dt.date = DAY) -> None:
    """Two simulated runs (two shifts on K01 and K02, one on K03), cash rounding to Rp 500,
    one UPT with a scheme of its own and one on a margin base, cash movements and cancelled
    carts added to the shifts."""
    with factory.begin() as s:
        set_setting(s, "cash_rounding", "500")
        upts = list(s.scalars(select(Upt).order_by(Upt.code)))
        upts[0].alloc_pnbp_pct, upts[0].alloc_premi_pct = Decimal(50), Decimal(35)
        upts[0].alloc_pembinaan_pct, upts[0].alloc_base = Decimal(15), "net"
        upts[1].alloc_pnbp_pct, upts[1].alloc_premi_pct = Decimal("25.5"), Decimal("24.5")
        upts[1].alloc_pembinaan_pct, upts[1].alloc_base = Decimal(50), "margin"
    simulate_day(factory, day, 45, ["K01", "K02"], seed=seed)
    simulate_day(factory, day, 30, ["K01", "K02", "K03"], seed=seed + 100)
    # Refunds of the day on a late shift at K04, one in cash, one back by QRIS; its count
    # is Rp 1.000 short.
    late = dt.datetime.combine(day, dt.time(17, 45), JAKARTA)
    with factory.begin() as s:
        till = make_till(s, "K01", "kasir2")
        till = shifts.Till(ensure_counter(s, "K04"), "K04", till.user_id, till.user_name)
        shift = shifts.open_shift(s, till.counter_id, till.user_id, 300_000, now=late, day=day)
        done = s.scalars(
            select(Sale.receipt_number)
            .where(Sale.business_date == day, Sale.kind == "sale", Sale.status == "completed")
            .order_by(Sale.id)
        ).all()
    spv_ok = Approval("2222", "spv1")
    methods = ["tunai", "qris"]
    for number in done[3:]:
        if not methods:
            break
        try:
            with factory.begin() as s:
                one = [returns.RefundItem(1, 1)]
                returns.refund_sale(s, till, number, one, "Barang rusak", spv_ok,
                                    method=methods[0], reference="RTR-9", now=late)  # fmt: skip
        except UserError:  # refunded already by the simulation, or too much cash
            continue
        methods.pop(0)
    assert not methods
    with factory.begin() as s:
        expected = shifts.expected_cash(s, shift.id)
        shifts.close_shift(s, shift.id, expected - 1000, till.user_id, reason="Kurang", now=late)
    with factory.begin() as s:
        spv = s.scalar(select(User.id).where(User.username == "spv1"))
        for i, sh in enumerate(s.scalars(select(Shift).where(Shift.business_date == day))):
            at = sh.opened_at + dt.timedelta(hours=2)
            moves = [
                CashMovement(shift_id=sh.id, counter_id=sh.counter_id, kind="in",
                             amount=100_000 + i, reason="Uang kembalian", user_id=sh.cashier_id,
                             approved_by_id=spv, at=at),
                CashMovement(shift_id=sh.id, counter_id=sh.counter_id, kind="drop",
                             amount=50_000, reason="Setor brankas", user_id=sh.cashier_id,
                             approved_by_id=spv, at=at),
            ]  # fmt: skip
            for move in moves:  # journaled as kasir.services.cash does
                s.add(move)
                s.flush()
                journal.append(s, sh.counter_id, "cash_move", move.id, f"kas #{move.id}", now=at)
            cart = CancelledSale(counter_id=sh.counter_id, shift_id=sh.id,
                                 cashier_id=sh.cashier_id, business_date=day, cancelled_at=at,
                                 item_count=2, subtotal=38_000, total=38_000, paid=0)  # fmt: skip
            s.add(cart)
            s.flush()  # journaled as the till does, so that the journal verifies clean
            journal.append(s, sh.counter_id, "cancelled", cart.id, f"batal #{cart.id}", now=at)


@pytest.fixture(params=[7, 23])
def day_store(demo_sqlite: Factory, request: pytest.FixtureRequest) -> Factory:
    seeded_day(demo_sqlite, seed=request.param)
    return demo_sqlite


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def round_half_up(value: Fraction) -> int:
    sign = -1 if value < 0 else 1
    return sign * int(abs(value) + Fraction(1, 2))


def recompute_from_export(factory: Factory, day: dt.date, out: Path) -> dict[str, object]:
    """The day's sums from the export's CSV files alone (not the service's queries)."""
    with factory() as s:
        export_day(s, day, out)
    sales = {r["receipt_number"]: r for r in read_csv(out / "sales.csv")}
    done = {n for n, r in sales.items() if r["status"] == "completed"}
    upt: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    cost: dict[str, Fraction] = defaultdict(Fraction)
    for ln in read_csv(out / "sale_lines.csv"):
        if ln["receipt_number"] not in done:
            continue
        kind = sales[ln["receipt_number"]]["kind"]
        upt[ln["upt_code"]][0 if kind == "sale" else 1] += int(ln["line_total"])
        cost[ln["upt_code"]] += Fraction(int(ln["cost"]) * int(ln["qty"]), int(ln["qty_scale"]))
    methods: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for p in read_csv(out / "payments.csv"):
        if p["receipt_number"] not in done:
            continue
        kind = sales[p["receipt_number"]]["kind"]
        methods[p["method"]][0 if kind == "sale" else 1] += int(p["amount"])
        methods[p["method"]][2] += kind == "sale"
    return {
        "upt": {code: (g, -r, g + r, round_half_up(cost[code])) for code, (g, r) in upt.items()},
        "methods": {m: (s_, -r, s_ + r, n) for m, (s_, r, n) in methods.items()},
        "net": sum(int(sales[n]["total"]) for n in done),
        "rounding": sum(int(sales[n]["rounding"]) for n in done),
        "voided": sum(int(r["total"]) for r in sales.values() if r["status"] == "voided"),
        "voids": sum(r["status"] == "voided" for r in sales.values()),
        "refunds": sum(r["kind"] == "refund" for r in sales.values()),
        "receipts": len(sales),
    }


def check_figures(f: DayFigures, expected: dict[str, object]) -> None:
    assert {u.code: (u.gross, u.refunds, u.net, u.cost) for u in f.upts} == expected["upt"]
    methods = {m.method: (m.sales, m.refunds, m.net, m.count) for m in f.methods if m.count}
    assert methods == {m: v for m, v in expected["methods"].items() if v[3]}  # type: ignore[attr-defined]
    t = f.totals
    assert t.net == expected["net"] == sum(m.net for m in f.methods)
    assert t.rounding == expected["rounding"]
    assert t.net == sum(u.net for u in f.upts) + t.rounding  # rounding is credited to no UPT
    assert t.voided == expected["voided"] and t.void_count == expected["voids"]
    assert t.refund_count == expected["refunds"]
    assert len(f.receipts) == expected["receipts"]
    assert sum(c.net for c in f.categories) == sum(p.net for p in f.products) == t.gross - t.refunds
    # Allocation: exact per UPT, within a rupiah of each exact share, the totals their sums.
    for u in f.upts:
        a, sc = u.allocation, u.scheme
        assert a.base == (u.net - u.cost if sc.base == "margin" else u.net)
        assert a.pnbp + a.premi + a.pembinaan == a.base
        assert abs(a.pnbp - Fraction(a.base) * Fraction(sc.pnbp_pct) / 100) < 1
    assert t.pnbp == sum(u.allocation.pnbp for u in f.upts)
    assert t.premi + t.pembinaan + t.pnbp == sum(u.allocation.base for u in f.upts)
    # The cash of the shifts is the cash method's net; each shift's expected adds up.
    tunai = next(m for m in f.methods if m.method == "tunai")
    assert sum(s.cash_sales - s.cash_refunds for s in f.shifts) == tunai.net
    for s in f.shifts:
        assert s.cash_in == sum(m.amount for m in s.movements if m.kind == "in") > 0
        assert s.cash_out == sum(m.amount for m in s.movements if m.kind != "in") > 0
        assert s.difference == (None if s.counted is None else s.counted - s.expected)


def test_open_day_figures_equal_the_export_and_are_a_draft(
    day_store: Factory, tmp_path: Path
) -> None:
    with day_store() as s:
        f = settlement.day_figures(s, DAY)
        status = settlement.day_status(s, DAY)
        completed = s.scalar(
            select(func.count(Sale.id)).where(
                Sale.business_date == DAY, Sale.kind == "sale", Sale.status == "completed"
            )
        )
    assert f.draft and f.number is None and not status.closed and status.blocking == ()
    assert status.sales_count == f.totals.sales_count == completed
    expected = recompute_from_export(day_store, DAY, tmp_path / "export")
    check_figures(f, expected)
    assert f.totals.rounding != 0 and f.totals.void_count > 0 and f.totals.refund_count > 0
    assert f.totals.cancelled_count == len(f.shifts) == 6  # two runs: 2 + 3 shifts; K04
    k04 = next(sh for sh in f.shifts if sh.counter_code == "K04")
    assert k04.difference == -1000 and k04.difference_reason == "Kurang" and k04.cash_refunds > 0
    sources = {u.scheme.source for u in f.upts}
    assert sources == {"upt", "default"}
    assert any(u.scheme.base == "margin" for u in f.upts)
    assert {d.kind for d in f.documents} == {"void", "refund"}
    assert all(d.reason and d.approver_name for d in f.documents)
    assert f.header.ministry.startswith("Kementerian Imigrasi dan Pemasyarakatan")
    assert f.header.kode_akun == "(belum diatur)"


def test_close_day_freezes_the_figures(day_store: Factory, tmp_path: Path) -> None:
    with writing(day_store) as s:
        closed = settlement.close_day(s, DAY, MANAGER, now=CLOSE_AT)
    assert closed.number == "PNBP/2026/11/20/001" and not closed.draft
    assert closed.closed_by == "Dewi Lestari"
    check_figures(closed, recompute_from_export(day_store, DAY, tmp_path / "export"))
    with day_store() as s:
        row = s.scalar(select(DayClose).where(DayClose.business_date == DAY))
        assert row is not None and row.pnbp_due == max(closed.totals.pnbp, 0) > 0
        first = settlement.day_figures(s, DAY).to_json()
        assert settlement.day_status(s, DAY).number == closed.number
        assert journal.verify(s, full=True).ok
        assert s.scalar(select(AuditEvent.action).where(AuditEvent.action == "day_close"))
    # A later change of a UPT's scheme, a price and a product name never changes a closed day.
    with day_store.begin() as s:
        s.execute(update(Upt).values(alloc_pnbp_pct=None, alloc_premi_pct=None,
                                     alloc_pembinaan_pct=None, alloc_base=None))  # fmt: skip
        s.execute(update(Product).values(price=Product.price + 1000, name="Ganti nama"))
        set_setting(s, "settlement_ministry", "Kementerian Lain")
    with day_store() as s:
        again = settlement.day_figures(s, DAY).to_json()
    assert again == first == closed.to_json()
    # A second close is refused, nothing written.
    with pytest.raises(NotAllowed, match="sudah ditutup"), writing(day_store) as s:
        settlement.close_day(s, DAY, MANAGER, now=CLOSE_AT)
    with day_store() as s:
        assert s.scalar(select(func.count(DayClose.id))) == 1


def test_close_with_an_open_shift_lists_the_blocking_shifts(day_store: Factory) -> None:
    with day_store.begin() as s:
        till = make_till(s, "K02", "kasir2")
        shifts.open_shift(s, till.counter_id, till.user_id, 0, now=CLOSE_AT, day=DAY)
    with day_store() as s:
        status = settlement.day_status(s, DAY)
    assert [(b.counter_code, b.cashier_name) for b in status.blocking] == [("K02", "Rudi Hartono")]
    with pytest.raises(NotAllowed) as info, writing(day_store) as s:
        settlement.close_day(s, DAY, MANAGER, now=CLOSE_AT)
    assert "masih terbuka" in info.value.message and "meja K02" in info.value.message
    with day_store() as s:
        assert s.scalar(select(func.count(DayClose.id))) == 0


def test_a_cashier_may_not_close_the_day(day_store: Factory) -> None:
    with pytest.raises(NotAllowed, match="tidak berwenang"), writing(day_store) as s:
        settlement.close_day(s, DAY, Approval("1111", "kasir1"), now=CLOSE_AT)
    with day_store() as s:
        assert s.scalar(select(func.count(DayClose.id))) == 0


def test_a_closed_day_is_locked_and_its_sales_are_refunded_on_the_open_day(
    day_store: Factory,
) -> None:
    with writing(day_store) as s:
        settlement.close_day(s, DAY, MANAGER, now=CLOSE_AT)
        sold = s.scalars(
            select(Sale.receipt_number).where(
                Sale.business_date == DAY, Sale.kind == "sale", Sale.status == "completed"
            )
        ).all()
        spv = Approval("2222", "spv1")
    # No shift opens on the closed date.
    with pytest.raises(NotAllowed, match="20-11-2026 sudah ditutup"), day_store.begin() as s:
        till = make_till(s, "K01", "kasir1")
        shifts.open_shift(s, till.counter_id, till.user_id, 0, now=CLOSE_AT, day=DAY)
    # A shift of the closed date that is open after all (written behind the services' back):
    # its sale is refused.
    next_at = dt.datetime.combine(NEXT, dt.time(9, 0), JAKARTA)
    with day_store.begin() as s:
        till = make_till(s, "K03", "kasir1")
        shift = Shift(counter_id=till.counter_id, cashier_id=till.user_id, business_date=DAY)
        s.add(shift)
    from kasir.domain.cart import Cart
    from kasir.services import cart_edit
    from kasir.services.checkout import checkout

    with pytest.raises(NotAllowed, match="20-11-2026 sudah ditutup"), day_store.begin() as s:
        cart = Cart()
        cart_edit.add_by_barcode(s, cart, "2000000100012", 1)
        checkout(s, till, cart, [PaymentInput("tunai", 18_000, None)], now=CLOSE_AT)
    with day_store.begin() as s:
        s.delete(s.get(Shift, shift.id))
    # The next day: a void of the closed day's sale is refused, a refund is today's document.
    with day_store.begin() as s:
        till = make_till(s, "K01", "kasir1")
        shifts.open_shift(s, till.counter_id, till.user_id, 500_000, now=next_at, day=NEXT)
    with pytest.raises(NotAllowed, match="20-11-2026 sudah ditutup"), day_store.begin() as s:
        returns.void_sale(s, till, sold[0], "Salah input", spv, now=next_at)
    with day_store() as s:
        before = settlement.day_figures(s, DAY).to_json()
    for number in sold[1:]:
        try:
            with day_store.begin() as s:
                refund = returns.refund_sale(s, till, number, [returns.RefundItem(1, 1)],
                                             "Barang rusak", spv, method="qris",
                                             reference="RTR-1", now=next_at)  # fmt: skip
        except UserError:  # refunded already on the day
            continue
        break
    with day_store() as s:
        assert settlement.day_figures(s, DAY).to_json() == before
        today = settlement.day_figures(s, NEXT)
    assert today.totals.refund_count == 1 and today.totals.sales_count == 0
    assert today.totals.net == refund.total < 0
    assert [d.original_number for d in today.documents] == [number]


def test_deposit_data_checked_recorded_and_corrected(day_store: Factory) -> None:
    with writing(day_store) as s:
        closed = settlement.close_day(s, DAY, MANAGER, now=CLOSE_AT)
    due = closed.totals.pnbp
    paid_on, at = NEXT, dt.datetime.combine(NEXT, dt.time(10, 0), JAKARTA)
    good = ("820261120000001", "0A1B2C3D4E5F6G7H")

    def deposit(billing: str, ntpn: str, on: dt.date, amount: int) -> DayFigures:
        with writing(day_store) as s:
            return settlement.record_deposit(s, DAY, MANAGER, billing, ntpn, on, amount, now=at)

    def state() -> tuple[object, ...]:
        with day_store() as s:
            row = s.scalar(select(DayClose))
            assert row is not None
            events = s.scalar(select(func.count(AuditEvent.id)))
            return (row.kode_billing, row.ntpn, row.deposit_date, row.deposit_amount, events)

    before = state()
    bad = [
        (("82026112000000", good[1], paid_on, due), "tepat 15 angka"),  # 14 digits
        (("82026112000000X", good[1], paid_on, due), "tepat 15 angka"),
        ((good[0], "0A1B2C3D4E5F6G7", paid_on, due), "tepat 16 karakter"),  # 15 characters
        ((good[0], "0A1B2C3D4E5F6G7!", paid_on, due), "tepat 16 karakter"),
        ((good[0], good[1], paid_on, due - 1), "tidak sama dengan PNBP"),
        ((good[0], good[1], DAY - dt.timedelta(days=1), due), "sebelum hari penjualan"),
        ((good[0], good[1], NEXT + dt.timedelta(days=5), due), "masa depan"),
    ]
    for args, words in bad:
        with pytest.raises(ValidationError) as info:
            deposit(*args)
        assert words in info.value.message, info.value.message
        assert state() == before
    with pytest.raises(NotAllowed, match="belum ditutup"), writing(day_store) as s:
        settlement.record_deposit(s, NEXT, MANAGER, *good, NEXT, due, now=at)

    f = deposit(good[0], good[1].lower(), paid_on, due)
    assert f.deposit is not None and f.deposit.ntpn == good[1] and f.deposit.amount == due
    assert f.number == closed.number and f.totals == closed.totals
    f = deposit(good[0], "ZZZZ2C3D4E5F6G7H", paid_on, due)  # a correction
    with day_store() as s:
        shown = settlement.day_figures(s, DAY)
        assert shown.deposit is not None and shown.deposit.ntpn == "ZZZZ2C3D4E5F6G7H"
        assert s.scalar(select(func.count()).where(AuditEvent.action == "deposit")) == 2
        assert journal.verify(s, full=True).ok
    restored = DayFigures.from_json(shown.to_json())
    assert restored == shown


# --- the command line ------------------------------------------------------------------------


def kasir(argv: list[str], monkeypatch: pytest.MonkeyPatch, stdin: str = "") -> int:
    from kasir.cli import main

    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    try:
        return main(argv)
    except SystemExit as exit_info:
        return int(exit_info.code or 0)


def test_cli_settlement_close_day_deposit(
    day_store: Factory,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    db = ["--db", f"sqlite:///{tmp_path / 'demo-sqlite.db'}"]
    day = ["--date", DAY.isoformat()]
    with day_store() as s:
        draft = settlement.day_figures(s, DAY)
    assert kasir([*db, "settlement", *day, "--out", str(tmp_path / "d.csv")], monkeypatch) == 0
    assert "DRAFT" in capsys.readouterr().out
    rows = read_csv(tmp_path / "d.csv")
    assert {r["status"] for r in rows} == {"draft"} and {r["number"] for r in rows} == {""}
    by_upt = {r["code"]: r for r in rows if r["record"] == "upt"}
    assert {c: int(r["net"]) for c, r in by_upt.items()} == {u.code: u.net for u in draft.upts}
    assert {c: int(r["pnbp"]) for c, r in by_upt.items()} == {
        u.code: u.allocation.pnbp for u in draft.upts
    }
    methods = {r["code"]: int(r["net"]) for r in rows if r["record"] == "method"}
    assert methods == {m.method: m.net for m in draft.methods}
    total = next(r for r in rows if r["record"] == "total")
    assert int(total["net"]) == draft.totals.net and int(total["pnbp"]) == draft.totals.pnbp

    close = [*db, "close-day", *day, "--user", "manajer"]
    assert kasir([*close, "--pin", "0000"], monkeypatch) == 1
    assert "PIN" in capsys.readouterr().err
    assert kasir(close, monkeypatch, stdin="3333\n") == 0
    assert "PNBP/2026/11/20/001" in capsys.readouterr().out
    assert kasir([*close, "--pin", "3333"], monkeypatch) == 1
    assert "sudah ditutup" in capsys.readouterr().err

    outs = [tmp_path / "a.json", tmp_path / "b.json"]
    for out in outs:
        assert kasir([*db, "settlement", *day, "--out", str(out)], monkeypatch) == 0
    assert outs[0].read_bytes() == outs[1].read_bytes()
    frozen = DayFigures.from_json(outs[0].read_text(encoding="utf-8"))
    assert frozen.number == "PNBP/2026/11/20/001" and frozen.totals.net == draft.totals.net

    due = str(frozen.totals.pnbp)
    dep = [*db, "deposit", *day, "--paid-on", DAY.isoformat(), "--user", "manajer", "--pin",
           "3333", "--amount", due]  # fmt: skip
    assert kasir([*dep, "--billing", "12345678901234", "--ntpn", "A" * 16], monkeypatch) == 1
    assert "15 angka" in capsys.readouterr().err
    assert kasir([*dep, "--billing", "1" * 15, "--ntpn", "A" * 15], monkeypatch) == 1
    assert "16 karakter" in capsys.readouterr().err
    assert kasir([*dep, "--billing", "1" * 15, "--ntpn", "A" * 16], monkeypatch) == 0
    assert kasir([*db, "settlement", *day, "--out", str(outs[0])], monkeypatch) == 0
    again = DayFigures.from_json(outs[0].read_text(encoding="utf-8"))
    assert again.deposit is not None and again.deposit.kode_billing == "1" * 15
    capsys.readouterr()
    pdf = kasir([*db, "settlement", *day, "--out", str(tmp_path / "x.pdf")], monkeypatch)
    import importlib.util

    if importlib.util.find_spec("kasir.output.settlement_pdf") is None:
        assert pdf == 1 and "PDF laporan setoran belum tersedia" in capsys.readouterr().err
    else:
        assert pdf == 0 and (tmp_path / "x.pdf").exists()


def test_cli_upt_alloc(
    demo_sqlite: Factory,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    db = ["--db", f"sqlite:///{tmp_path / 'demo-sqlite.db'}"]
    with demo_sqlite() as s:
        code = s.scalars(select(Upt.code).order_by(Upt.code)).first()
    assert code is not None
    alloc = [*db, "upt", "alloc", code, "--user", "manajer"]
    assert kasir([*alloc, "--pnbp", "50", "--premi", "35", "--pembinaan", "14"], monkeypatch,
                 "3333\n") == 1  # fmt: skip
    assert "Alokasi harus berjumlah 100%" in capsys.readouterr().err
    with demo_sqlite() as s:
        assert s.scalar(select(Upt.alloc_pnbp_pct).where(Upt.code == code)) is None
    parts = ["--pnbp", "50", "--premi", "35", "--pembinaan", "15", "--base", "margin"]
    assert kasir([*alloc, *parts], monkeypatch, "3333\n") == 0
    with demo_sqlite() as s:
        upt = s.scalar(select(Upt).where(Upt.code == code))
        assert upt is not None
        assert (upt.alloc_pnbp_pct, upt.alloc_base) == (Decimal(50), "margin")
    assert kasir([*alloc, *parts], monkeypatch, "1111\n") == 1  # a wrong PIN
    # The store's default: all three at once; one key alone that breaks the sum is refused.
    default = [*db, "upt", "alloc", "--default", "--user", "manajer"]
    assert kasir([*default, "--pnbp", "60", "--premi", "40", "--pembinaan", "0"], monkeypatch,
                 "3333\n") == 0  # fmt: skip
    capsys.readouterr()
    one = [*db, "settings", "alloc_default_pnbp_pct", "70", "--user", "manajer"]
    assert kasir(one, monkeypatch, "3333\n") == 1
    assert "Alokasi harus berjumlah 100%" in capsys.readouterr().err
    with demo_sqlite() as s:
        assert settlement.default_scheme(get_all(s)).pnbp_pct == Decimal(60)
    assert kasir([*alloc, "--clear"], monkeypatch, "3333\n") == 0
    with demo_sqlite() as s:
        assert s.scalar(select(Upt.alloc_pnbp_pct).where(Upt.code == code)) is None
        assert journal.verify(s, full=True).ok


def pdf_lines(path: Path) -> list[str]:
    import subprocess

    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout
    return [" ".join(line.split()) for line in text.splitlines() if line.strip()]


def first_row(lines: list[str], start: str) -> str:
    return next(line for line in lines if line.startswith(start + " "))


@pytest.mark.parametrize("closed", [False, True], ids=["draft", "closed"])
def test_the_pdf_read_back_has_the_stores_figures(
    day_store: Factory, tmp_path: Path, closed: bool
) -> None:
    """The settlement PDF of a seeded day, read back with pdftotext: each UPT's and each
    method's row holds the figures recomputed from the export's files, the total in words is
    the net's, and a draft is marked as one on every page."""
    from kasir.money import format_rupiah, terbilang
    from kasir.output.settlement_pdf import METHOD_NAMES, render_settlement

    expected = recompute_from_export(day_store, DAY, tmp_path / "export")
    with day_store.begin() as s:
        if closed:
            settlement.close_day(s, DAY, Approval("3333", "manajer"), now=CLOSE_AT)
        figures = settlement.day_figures(s, DAY)
    pages = render_settlement(figures, tmp_path / "laporan.pdf")
    lines = pdf_lines(tmp_path / "laporan.pdf")
    for code, (gross, refunds, net, _cost) in expected["upt"].items():  # type: ignore[attr-defined]
        row = first_row(lines, code)
        money = [format_rupiah(v) for v in (gross, refunds, net)]
        assert " ".join(money) in row or all(m in row for m in money), (code, row)
    for method, (sales, refunds, net, count) in expected["methods"].items():  # type: ignore[attr-defined]
        row = first_row(lines, METHOD_NAMES[method])
        assert row.split()[len(METHOD_NAMES[method].split())] == str(count), row
        assert all(format_rupiah(v) in row for v in (sales, refunds, net)), row
    words = " ".join(lines)
    assert terbilang(int(expected["net"])) in words  # type: ignore[call-overload]
    assert f"Halaman {pages} dari {pages}" in words
    assert words.count("DRAFT") >= (0 if closed else pages)
    if closed:
        assert "DRAFT" not in words and figures.number in words  # type: ignore[operator]

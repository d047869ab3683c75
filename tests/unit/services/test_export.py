"""The accountant's export: every column, read back as a spreadsheet would, for known documents.

A scenario of known documents on two business days (a discounted cash sale with approvals, a
QRIS sale of products whose names are a formula and two lines, a voided sale, a refund, and a
sale on the next day) is exported and every figure is checked against what was rung up.
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select, update
from store_helpers import KERIPIK, MAKARONI, NOW, SPV, Factory, open_till

from kasir.cli import main
from kasir.domain.cart import Cart, Discount
from kasir.domain.payment import PaymentInput
from kasir.services import shifts
from kasir.services.cart_edit import (
    add_by_barcode,
    override_price,
    set_line_discount,
    set_order_discount,
)
from kasir.services.checkout import checkout
from kasir.services.export import (
    LINE_COLUMNS,
    PAYMENT_COLUMNS,
    SALES_COLUMNS,
    UPT_COLUMNS,
    export_day,
    export_days,
)
from kasir.services.returns import RefundItem, refund_sale, void_sale
from kasir.settings import set_setting
from kasir.store.models import Product, Upt

DAY = NOW.date()  # 2026-11-22 (10:00 in Jakarta)
NEXT = NOW + dt.timedelta(days=1)
BOLU = "2000000100050"  # KUL-0005 Bolu, Rp 15.000
FORMULA = '=HYPERLINK("http://evil.example","klik")'
TWO_LINES = "Keripik Bawang\nedisi dua baris"


def test_the_columns_are_the_documented_ones() -> None:
    assert SALES_COLUMNS == (
        "receipt_number", "kind", "status", "counter", "business_date", "created_at",
        "shift_id", "cashier", "original_receipt", "subtotal", "line_discount_total",
        "order_discount", "discount_total", "tax_total", "rounding", "total",
        "order_discount_approved_by", "refund_reason", "refund_approved_by",
        "voided_at", "void_reason", "voided_by", "void_approved_by",
    )  # fmt: skip
    assert LINE_COLUMNS == (
        "receipt_number", "line_no", "sku", "barcode", "product_name", "upt_code", "upt_name",
        "category", "qty", "list_price", "unit_price", "price_approved_by", "cost",
        "line_discount", "discount_approved_by", "order_discount_share", "discount", "tax",
        "line_total", "original_receipt", "original_line_no", "unit", "qty_scale",
    )  # fmt: skip
    assert PAYMENT_COLUMNS == (
        "receipt_number", "method", "tendered", "change", "amount", "reference",
        "reversal_reference",
    )  # fmt: skip
    assert UPT_COLUMNS == ("code", "name", "kind", "region")


@dataclass(frozen=True)
class Scenario:
    discounted: str  # cash sale: line discount 20% + price override + order discount 15%
    formula: str  # QRIS sale of the products named FORMULA and TWO_LINES
    voided: str
    refund: str  # one unit of the discounted sale's first line
    next_day: str
    shift_id: int
    upts: int


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture
def scenario(demo: Factory) -> Scenario:
    with demo.begin() as s:
        set_setting(s, "tax_rate_pct", Decimal("11"))
        s.execute(update(Product).where(Product.barcode == KERIPIK).values(name=TWO_LINES))
        s.execute(update(Product).where(Product.barcode == BOLU).values(name=FORMULA))
        upts = s.scalar(select(func.count()).select_from(Upt)) or 0
    till = open_till(demo)
    with demo.begin() as s:
        cart = Cart()
        add_by_barcode(s, cart, MAKARONI, 2)  # Rp 18.000 each
        set_line_discount(s, cart, 0, Discount("percent", Decimal(20)), SPV)
        add_by_barcode(s, cart, KERIPIK)
        override_price(s, cart, 1, 15_000, SPV)
        view = set_order_discount(s, cart, Discount("percent", Decimal(15)), SPV)
        discounted = checkout(s, till, cart, [PaymentInput("tunai", 100_000)], now=NOW)
        assert view.total == discounted.total
    with demo.begin() as s:
        cart = Cart()
        add_by_barcode(s, cart, BOLU)
        view = add_by_barcode(s, cart, KERIPIK)
        qris = [PaymentInput("qris", view.total, "@SUM(A1:A9)")]
        formula = checkout(s, till, cart, qris, now=NOW + dt.timedelta(minutes=5))
    with demo.begin() as s:
        cart = Cart()
        view = add_by_barcode(s, cart, MAKARONI)
        voided = checkout(s, till, cart, [PaymentInput("tunai", view.total)], now=NOW)
    with demo.begin() as s:
        void_sale(s, till, voided.receipt_number, "Salah input kasir", SPV, now=NOW)
    with demo.begin() as s:
        refund = refund_sale(
            s, till, discounted.receipt_number, [RefundItem(1, 1)], "Barang rusak", SPV,
            now=NOW + dt.timedelta(hours=1),
        )  # fmt: skip
    with demo.begin() as s:
        shift = shifts.current_shift(s, till.counter_id)
        assert shift is not None
        shifts.close_shift(s, shift.id, shifts.expected_cash(s, shift.id), till.user_id, now=NOW)
    open_till(demo, now=NEXT)
    with demo.begin() as s:
        cart = Cart()
        view = add_by_barcode(s, cart, MAKARONI)
        next_day = checkout(s, till, cart, [PaymentInput("tunai", view.total)], now=NEXT)
    return Scenario(
        discounted.receipt_number,
        formula.receipt_number,
        voided.receipt_number,
        refund.receipt_number,
        next_day.receipt_number,
        shift.id,
        upts,
    )


def test_one_day_read_back(demo: Factory, scenario: Scenario, tmp_path: Path) -> None:
    with demo.begin() as s:
        result = export_day(s, DAY, tmp_path)
    sales = {r["receipt_number"]: r for r in rows(tmp_path / "sales.csv")}
    lines = rows(tmp_path / "sale_lines.csv")
    payments = rows(tmp_path / "payments.csv")
    upts = rows(tmp_path / "upts.csv")
    assert (result.sales, result.lines, result.payments, result.upts) == (
        len(sales), len(lines), len(payments), len(upts),
    )  # fmt: skip
    assert list(sales) == [scenario.discounted, scenario.formula, scenario.voided, scenario.refund]
    assert scenario.next_day not in sales

    sale = sales[scenario.discounted]
    assert sale["shift_id"] == str(scenario.shift_id) and sale["cashier"] == "kasir1"
    assert sale["order_discount_approved_by"] == "spv1" and sale["refund_approved_by"] == ""
    assert int(sale["subtotal"]) == 2 * 18_000 + 15_000
    assert int(sale["discount_total"]) == int(sale["line_discount_total"]) + int(
        sale["order_discount"]
    )
    assert int(sale["line_discount_total"]) == 7_200  # 20% of Rp 36.000
    assert int(sale["total"]) == int(sale["subtotal"]) - int(sale["discount_total"])

    by_doc: dict[str, list[dict[str, str]]] = {}
    for line in lines:
        by_doc.setdefault(line["receipt_number"], []).append(line)
    for number, doc in sales.items():  # every document: its lines add up, tax included
        assert sum(int(ln["line_total"]) for ln in by_doc[number]) == int(doc["total"])
        assert sum(int(ln["tax"]) for ln in by_doc[number]) == int(doc["tax_total"])
        assert int(doc["tax_total"]) != 0
    makaroni, keripik = by_doc[scenario.discounted]
    with demo() as s:
        upt_names = dict(s.execute(select(Upt.code, Upt.name)).all())
    assert makaroni["upt_name"] == upt_names[makaroni["upt_code"]]
    assert (makaroni["cost"], makaroni["discount_approved_by"], makaroni["price_approved_by"]) == (
        "11000", "spv1", "",
    )  # fmt: skip
    assert (keripik["list_price"], keripik["unit_price"], keripik["price_approved_by"]) == (
        "20000", "15000", "spv1",
    )  # fmt: skip

    # Cash: what was handed over, the change, and the amount applied (tendered - change).
    [cash] = [p for p in payments if p["receipt_number"] == scenario.discounted]
    assert (cash["method"], cash["tendered"]) == ("tunai", "100000")
    assert int(cash["amount"]) == int(sale["total"]) == 100_000 - int(cash["change"])

    # Text that a spreadsheet would run is shown as text; a line break stays inside its cell.
    formula_lines = by_doc[scenario.formula]
    assert [ln["product_name"] for ln in formula_lines] == ["'" + FORMULA, TWO_LINES]
    [qris] = [p for p in payments if p["receipt_number"] == scenario.formula]
    assert (qris["method"], qris["reference"], qris["tendered"], qris["change"]) == (
        "qris", "'@SUM(A1:A9)", qris["amount"], "0",
    )  # fmt: skip

    void = sales[scenario.voided]
    assert void["status"] == "voided" and void["void_reason"] == "Salah input kasir"
    assert (void["voided_by"], void["void_approved_by"]) == ("kasir1", "spv1")
    assert void["voided_at"].startswith(DAY.isoformat()) and void["voided_at"].endswith("+07:00")

    refund = sales[scenario.refund]
    assert (refund["kind"], refund["original_receipt"]) == ("refund", scenario.discounted)
    assert (refund["refund_reason"], refund["refund_approved_by"]) == ("Barang rusak", "spv1")
    assert refund["order_discount_approved_by"] == ""
    [back] = by_doc[scenario.refund]
    assert (back["qty"], back["original_receipt"], back["original_line_no"]) == (
        "-1", scenario.discounted, "1",
    )  # fmt: skip
    assert int(back["line_total"]) < 0
    assert all(ln["original_receipt"] == ln["original_line_no"] == "" for ln in (makaroni, keripik))

    assert {u["code"] for u in upts} == set(upt_names) and len(upts) == scenario.upts


def test_a_range_is_inclusive(demo: Factory, scenario: Scenario, tmp_path: Path) -> None:
    with demo.begin() as s:
        both = export_days(s, DAY, NEXT.date(), tmp_path / "dua")
        first = export_days(s, DAY, DAY, tmp_path / "satu")
        later = export_days(s, NEXT.date(), NEXT.date() + dt.timedelta(days=30), tmp_path / "n")
    assert both.sales == first.sales + later.sales == 5
    numbers = [r["receipt_number"] for r in rows(tmp_path / "dua" / "sales.csv")]
    assert numbers[-1] == scenario.next_day and numbers[0] == scenario.discounted


def test_the_command_counts_rows_not_newlines(
    demo: Factory, scenario: Scenario, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = demo.kw["bind"].url.render_as_string(hide_password=False)
    out = tmp_path / "ekspor"
    argv = ["--db", url, "export", "--from", DAY.isoformat(), "--to", NEXT.date().isoformat()]
    assert main([*argv, "--out", str(out)]) == 0
    said = capsys.readouterr().out
    lines = rows(out / "sale_lines.csv")
    assert f"5 transaksi, {len(lines)} baris, {len(rows(out / 'payments.csv'))} pembayaran" in said
    assert f"{scenario.upts} UPT" in said
    assert (out / "sale_lines.csv").read_text(encoding="utf-8").count("\n") > len(lines) + 1

    catalog = tmp_path / "katalog.csv"
    assert main(["--db", url, "products", "export", str(catalog)]) == 0
    with catalog.open(encoding="utf-8", newline="") as fh:
        products = list(csv.DictReader(fh))
    assert f"{len(products)} barang diekspor" in capsys.readouterr().out
    with demo() as s:
        assert len(products) == s.scalar(select(func.count()).select_from(Product))

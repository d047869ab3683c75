"""A realistic day's settlement figures made up from the demo catalog (no store): for the
settlement PDF's tests and its benchmark (`kasir.bench`). Seeded: the same arguments give the
same figures. The sums hang together (per product, UPT, category and method from the same
sales) so a reader of the PDF can check them, but they are not the store's: the store's come
from `kasir.services.settlement`.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal

from kasir.domain.settlement import (
    Allocation,
    CancelledRow,
    CashMovementRow,
    CategoryRow,
    DayFigures,
    Deposit,
    DocumentRow,
    Header,
    MethodRow,
    ProductRow,
    ReceiptRow,
    Scheme,
    ShiftCashRow,
    Signatory,
    Totals,
    UptRow,
)
from kasir.money import allocate
from kasir.resources import resources_dir

JAKARTA = dt.timezone(dt.timedelta(hours=7))
METHODS = ("tunai", "qris", "debit", "kredit", "transfer")
CATEGORY_NAMES = {
    "kuliner": "Kuliner",
    "kerajinan": "Kerajinan",
    "furnitur": "Furnitur",
    "pertanian": "Pertanian",
    "perikanan": "Perikanan",
}
CASHIERS = ("Siti Rahmawati", "Budi Santoso", "Dewi Lestari", "Agus Prasetyo")
REASONS = ("Barang rusak", "Salah input harga", "Pelanggan batal", "Ukuran tidak sesuai")


@dataclass
class _Product:
    sku: str
    name: str
    category: str
    unit: str
    price: int
    cost: int
    upt: str


@dataclass
class _Sum:
    gross: int = 0
    refunds: int = 0
    cost: int = 0
    qty: int = 0


def _catalog(
    products: int, rng: random.Random
) -> tuple[list[_Product], dict[str, tuple[str, str]]]:
    path = resources_dir() / "demo" / "products.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    upts = {r["upt_code"]: (r["upt_name"], r["upt_kind"]) for r in rows}
    out: list[_Product] = []
    for i in range(products):
        r = rows[i % len(rows)]
        round_ = i // len(rows)
        name = r["name"] if round_ == 0 else f"{r['name']} Varian {round_}"
        sku = r["sku"] if round_ == 0 else f"{r['sku']}-V{round_}"
        price = int(r["price"]) + (500 * round_) % 5000 + (50 if i % 5 == 0 else 0)
        cost = min(price, int(r["cost"] or 0))
        out.append(_Product(sku, name, r["category"], r["unit"], price, cost, r["upt_code"]))
    rng.shuffle(out)
    return out, upts


def _schemes() -> dict[str, Scheme]:
    """Some UPTs with a scheme of their own (DESIGN §2's examples); the rest take the default."""
    return {
        "LPP-TGR": Scheme(Decimal(15), Decimal(35), Decimal(50), "net", "upt"),
        "LP-CPN": Scheme(Decimal(25), Decimal(15), Decimal(60), "net", "upt"),
        "LP-SKM": Scheme(Decimal(15), Decimal(50), Decimal(35), "margin", "upt"),
    }


def _split(base: int, scheme: Scheme) -> Allocation:
    weights = [int(p * 100) for p in (scheme.pnbp_pct, scheme.premi_pct, scheme.pembinaan_pct)]
    pnbp, premi, pembinaan = allocate(base, weights)
    return Allocation(base, pnbp, premi, pembinaan)


def sample_figures(
    *,
    sales: int = 120,
    products: int = 174,
    lines_per_sale: int = 8,
    closed: bool = False,
    deposit: bool = False,
    seed: int = 19,
    day: dt.date = dt.date(2026, 12, 6),
    signatories: bool = True,
) -> DayFigures:
    """A day of `sales` sales over `products` products (the demo catalog, repeated as variants),
    about `lines_per_sale` lines each, two counters, four shifts; about 2% of the sales voided,
    3% refunded, some cancelled carts, cash rounding, cash in/out. `closed`: numbered (no DRAFT);
    `deposit`: with deposit data (closed days only)."""
    rng = random.Random(seed)
    catalog, upt_names = _catalog(products, rng)
    own = _schemes()
    default = Scheme()
    start = dt.datetime.combine(day, dt.time(8, 0), JAKARTA)
    span = 12 * 3600
    per_product: dict[str, _Sum] = {p.sku: _Sum() for p in catalog}
    by_sku = {p.sku: p for p in catalog}
    methods = {m: [0, 0, 0] for m in METHODS}  # sales, refunds, count
    shifts = [
        ("KSR-01", CASHIERS[0], 0, span // 2),
        ("KSR-02", CASHIERS[1], 0, span // 2),
        ("KSR-01", CASHIERS[2], span // 2, span),
        ("KSR-02", CASHIERS[3], span // 2, span),
    ]
    shift_cash = [[0, 0] for _ in shifts]  # cash sales, cash refunds
    receipts: list[ReceiptRow] = []
    documents: list[DocumentRow] = []
    rounding = discounts = voided = 0
    counts = {"sales": 0, "refund": 0, "void": 0}
    numbers = {c: 0 for c in ("KSR-01", "KSR-02")}
    sold: list[tuple[str, str, list[tuple[str, int, int]], dt.datetime, str]] = []
    for i in range(sales):
        at = start + dt.timedelta(seconds=i * span // max(sales, 1))
        si = (i % 2) + (2 if at >= start + dt.timedelta(seconds=span // 2) else 0)
        counter, cashier = shifts[si][0], shifts[si][1]
        numbers[counter] += 1
        number = f"{counter}-{day:%Y%m%d}-{numbers[counter]:04d}"
        lines = []
        for _ in range(max(1, lines_per_sale + rng.randint(-3, 3))):
            p = rng.choice(catalog)
            qty = rng.choice((1, 1, 1, 2, 3))
            lines.append((p.sku, qty, p.price * qty))
        total = sum(t for _, _, t in lines)
        method = rng.choices(METHODS, (50, 30, 10, 5, 5))[0]
        if rng.random() < 0.02:  # voided: counted in no sum but its own
            voided += total
            counts["void"] += 1
            documents.append(
                DocumentRow(
                    "void", number, number, at + dt.timedelta(minutes=2), total,
                    rng.choice(REASONS), cashier, "Hendra Wijaya",
                )
            )  # fmt: skip
            receipts.append(
                ReceiptRow(number, at, counter, cashier, "sale", "voided", total, method)
            )
            continue
        counts["sales"] += 1
        for sku, qty, amount in lines:
            acc = per_product[sku]
            acc.gross += amount
            acc.qty += qty
            acc.cost += by_sku[sku].cost * qty
        paid = total
        if method == "tunai" and total % 100:
            cut = total % 100
            rounding -= cut
            paid = total - cut
            shift_cash[si][0] += paid
        methods[method][0] += paid
        methods[method][2] += 1
        if rng.random() < 0.05:
            discounts += 1000
        receipts.append(ReceiptRow(number, at, counter, cashier, "sale", "completed", paid, method))
        sold.append((number, counter, lines, at, method))
    for number, counter, lines, at, method in rng.sample(sold, k=len(sold) * 3 // 100):
        sku, qty, amount = lines[0]
        numbers[counter] += 1
        refund_no = f"{counter}-{day:%Y%m%d}-{numbers[counter]:04d}"
        refund_at = at + dt.timedelta(minutes=30)
        per_product[sku].refunds += amount
        per_product[sku].qty -= qty
        per_product[sku].cost -= by_sku[sku].cost * qty
        methods[method][1] += amount
        counts["refund"] += 1
        si = (int(counter[-1]) - 1) + (
            2 if refund_at >= start + dt.timedelta(seconds=span // 2) else 0
        )
        if method == "tunai":
            shift_cash[min(si, 3)][1] += amount
        documents.append(
            DocumentRow(
                "refund", refund_no, number, refund_at, amount, rng.choice(REASONS),
                shifts[min(si, 3)][1], "Hendra Wijaya",
            )
        )  # fmt: skip
        receipts.append(
            ReceiptRow(refund_no, refund_at, counter, shifts[min(si, 3)][1], "refund", "completed",
                       -amount, method)
        )  # fmt: skip
    receipts.sort(key=lambda r: (r.at, r.receipt_number))
    documents.sort(key=lambda d: (d.at, d.receipt_number))

    upt_sum: dict[str, _Sum] = {}
    cat_sum: dict[str, _Sum] = {}
    product_rows = []
    for p in sorted(catalog, key=lambda p: p.sku):
        acc = per_product[p.sku]
        if not acc.gross and not acc.refunds:
            continue
        for key, table in ((p.upt, upt_sum), (p.category, cat_sum)):
            s = table.setdefault(key, _Sum())
            s.gross += acc.gross
            s.refunds += acc.refunds
            s.cost += acc.cost
        product_rows.append(
            ProductRow(p.sku, p.name, p.upt, p.unit, 1, acc.qty, acc.gross - acc.refunds)
        )
    upt_rows = []
    for code in sorted(upt_sum):
        s = upt_sum[code]
        name, kind = upt_names[code]
        scheme = own.get(code, default)
        net = s.gross - s.refunds
        base = net - s.cost if scheme.base == "margin" else net
        upt_rows.append(
            UptRow(code, name, kind, s.gross, s.refunds, net, s.cost, scheme, _split(base, scheme))
        )
    cat_rows = tuple(
        CategoryRow(c, CATEGORY_NAMES.get(c, c), s.gross, s.refunds, s.gross - s.refunds)
        for c, s in sorted(cat_sum.items())
    )
    method_rows = tuple(
        MethodRow(m, v[0], v[1], v[0] - v[1], v[2]) for m, v in methods.items() if v[2] or v[1]
    )
    cancelled = tuple(
        CancelledRow(
            start + dt.timedelta(minutes=37 * k + 11), ("KSR-01", "KSR-02")[k % 2],
            CASHIERS[k % 4], 2 + k, 25_000 * (k + 1), 10_000 if k == 1 else 0,
        )
        for k in range(max(1, sales // 200))
    )  # fmt: skip
    shift_rows = []
    for k, (counter, cashier, begin, end) in enumerate(shifts):
        opened = start + dt.timedelta(seconds=begin)
        closed_at = start + dt.timedelta(seconds=end)
        moves = (
            CashMovementRow(opened + dt.timedelta(hours=1), "in", 200_000, "Tambahan uang kecil",
                            cashier, "Hendra Wijaya"),
            CashMovementRow(opened + dt.timedelta(hours=3), "drop", 1_000_000, "Setor ke brankas",
                            cashier, "Hendra Wijaya"),
        )  # fmt: skip
        cash_in = 200_000
        cash_out = 1_000_000
        expected = 500_000 + shift_cash[k][0] - shift_cash[k][1] + cash_in - cash_out
        diff = -2_000 if k == 2 else 0
        shift_rows.append(
            ShiftCashRow(
                k + 1, counter, cashier, opened, closed_at, 500_000, shift_cash[k][0],
                shift_cash[k][1], cash_in, cash_out, expected, expected + diff, diff,
                "Uang kembalian kurang" if diff else "", moves,
            )
        )  # fmt: skip
    gross = sum(u.gross for u in upt_rows)
    refunds = sum(u.refunds for u in upt_rows)
    totals = Totals(
        gross=gross,
        refunds=refunds,
        net=sum(m.net for m in method_rows),
        rounding=rounding,
        discounts=discounts,
        voided=voided,
        pnbp=sum(u.allocation.pnbp for u in upt_rows),
        premi=sum(u.allocation.premi for u in upt_rows),
        pembinaan=sum(u.allocation.pembinaan for u in upt_rows),
        sales_count=counts["sales"],
        refund_count=counts["refund"],
        void_count=counts["void"],
        cancelled_count=len(cancelled),
    )
    header = Header(
        ministry="Kementerian Imigrasi dan Pemasyarakatan Republik Indonesia",
        directorate="Direktorat Jenderal Pemasyarakatan",
        satker="Lapas Pemuda Kelas IIA Tangerang",
        kawasan="Kawasan Terintegrasi UMKM Pemasyarakatan",
        address="Jl. Veteran No. 2, Kel. Buaran Indah, Kota Tangerang, Banten",
        kode_akun="",
    )
    people = (
        (
            Signatory("Kasir/Pembuat", "Siti Rahmawati", ""),
            Signatory("Bendahara Penerimaan", "Rina Marlina", "198705122010122003"),
            Signatory("Mengetahui, Kepala", "Drs. Bambang Sutrisno", "197203151998031001"),
        )
        if signatories
        else (
            Signatory("Kasir/Pembuat", "", ""),
            Signatory("Bendahara Penerimaan", "", ""),
            Signatory("Mengetahui, Kepala", "", ""),
        )
    )
    day_closed_at = dt.datetime.combine(day, dt.time(21, 5), JAKARTA) if closed else None
    return DayFigures(
        day=day,
        header=header,
        totals=totals,
        number=f"LPH/{day:%Y%m%d}/001" if closed else None,
        closed_at=day_closed_at,
        closed_by="Hendra Wijaya" if closed else "",
        default_scheme=default,
        methods=method_rows,
        upts=tuple(upt_rows),
        categories=cat_rows,
        products=tuple(product_rows),
        documents=tuple(documents),
        cancelled=cancelled,
        shifts=tuple(shift_rows),
        receipts=tuple(receipts),
        signatories=people,
        deposit=(
            Deposit("820261206000123", "0A1B2C3D4E5F6G7H", day + dt.timedelta(days=1), totals.pnbp)
            if deposit and closed
            else None
        ),
    )

"""Product CSV import and export.

The columns (README "Product CSV") are the same both ways, so an export imported into an empty
store gives the same catalog. An import is all or nothing: every row is checked first, every bad
row is reported with its line number, and one bad row leaves the store unchanged.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from kasir.domain.ean13 import validate_ean13
from kasir.errors import ImportFailed, ValidationError
from kasir.store.models import Category, Product, StockMovement, Upt
from kasir.text import fold

COLUMNS = (
    "sku",
    "barcode",
    "name",
    "category",
    "unit",
    "price",
    "cost",
    "stock",
    "upt_code",
    "upt_name",
    "upt_kind",
    "upt_region",
    "shelf_life_days",
    "pirt_number",
    "halal_number",
    "active",
)
REQUIRED = ("sku", "name", "category", "price", "upt_code")
UPT_KINDS = ("Lapas", "Rutan", "LPKA")
MAX_PRICE = 10**12
_MAX_LENGTHS = (
    ("sku", "SKU", 32),
    ("unit", "satuan (unit)", 16),
    ("upt_code", "kode UPT", 32),
    ("upt_name", "nama UPT", 200),
    ("upt_region", "wilayah UPT", 100),
    ("pirt_number", "nomor P-IRT", 32),
    ("halal_number", "nomor halal", 64),
)
_TRUE = {"1", "true", "ya", "y", "yes", "aktif"}
_FALSE = {"0", "false", "tidak", "t", "no", "n", "nonaktif"}


@dataclass(frozen=True)
class ImportResult:
    products: int
    new_upts: int


def _int_field(raw: str, label: str, *, minimum: int = 0, maximum: int = MAX_PRICE) -> int:
    text = raw.strip()
    digits = text[1:] if minimum < 0 and text.startswith("-") else text
    if not (digits.isascii() and digits.isdigit()):  # int() would choke on '²', accept '１５'
        raise ValidationError(f"{label} harus bilangan bulat (tanpa titik/koma), bukan {raw!r}")
    value = int(text)
    if not minimum <= value <= maximum:
        raise ValidationError(f"{label} {value} di luar batas ({minimum}..{maximum})")
    return value


def _kind_from_name(name: str) -> str:
    first = name.strip().split(" ", 1)[0].upper()
    return {"LAPAS": "Lapas", "RUTAN": "Rutan", "LPKA": "LPKA"}.get(first, "")


def _parse_row(
    row: dict[str, str],
    categories: dict[str, int],
) -> dict[str, Any]:
    """One row's values, or ValidationError listing every problem of the row."""
    problems: list[str] = []

    def get(col: str) -> str:
        return (row.get(col) or "").strip()

    for col in REQUIRED:
        if not get(col):
            problems.append(f"kolom {col} kosong")
    out: dict[str, Any] = {
        "sku": get("sku").upper(),
        "name": get("name"),
        "unit": get("unit") or "pcs",
        "upt_code": get("upt_code").upper(),
        "upt_name": get("upt_name"),
        "upt_kind": get("upt_kind"),
        "upt_region": get("upt_region"),
        "pirt_number": get("pirt_number") or None,
        "halal_number": get("halal_number") or None,
    }
    checks: list[tuple[str, Any]] = [
        ("price", lambda: _int_field(get("price"), "Harga")),
        ("cost", lambda: _int_field(get("cost") or "0", "Harga pokok")),
        # Stock may be below zero: selling past the recorded stock is allowed (oversell=warn)
        # and an export must import back as it was.
        ("stock", lambda: _int_field(get("stock") or "0", "Stok", minimum=-(10**9), maximum=10**9)),
        (
            "shelf_life_days",
            lambda: (
                _int_field(get("shelf_life_days"), "Masa simpan", minimum=1, maximum=36500)
                if get("shelf_life_days")
                else None
            ),
        ),
        ("barcode", lambda: validate_ean13(get("barcode")) if get("barcode") else None),
    ]
    for key, check in checks:
        if key in ("price",) and not get(key):
            continue
        try:
            out[key] = check()
        except ValidationError as exc:
            problems.append(str(exc))
    category = get("category").lower()
    if category and category not in categories:
        problems.append(f"kategori {category!r} tidak dikenal ({', '.join(sorted(categories))})")
    out["category_id"] = categories.get(category)
    active = get("active").lower() or "1"
    if active in _TRUE:
        out["active"] = True
    elif active in _FALSE:
        out["active"] = False
    else:
        problems.append(f"kolom active harus 1 atau 0, bukan {get('active')!r}")
    if out["pirt_number"] is not None:
        digits = out["pirt_number"].replace("-", "").replace(" ", "")
        if not (digits.isascii() and digits.isdigit()) or len(digits) < 15:
            problems.append(f"nomor P-IRT {out['pirt_number']!r} harus 15 angka atau lebih")
        out["pirt_number"] = digits
    if len(out["name"]) > 200:
        problems.append("nama barang lebih dari 200 huruf")
    # The column sizes of the store: SQLite would keep a longer value, PostgreSQL would refuse
    # the whole import with a database error instead of naming the line.
    for key, label, size in _MAX_LENGTHS:
        if out[key] is not None and len(out[key]) > size:
            problems.append(f"{label} lebih dari {size} huruf")
    if problems:
        raise ValidationError("; ".join(problems))
    return out


def import_products(session: Session, lines: Iterable[str], source: str = "CSV") -> ImportResult:
    """Add the products of a CSV file to the store, all or nothing (see module docstring)."""
    reader = csv.DictReader(lines)
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise ImportFailed(
            "Impor dibatalkan: header CSV tidak lengkap.",
            [(1, f"kolom wajib tidak ada: {', '.join(missing)}")],
        )
    reader.fieldnames = header
    categories = dict(session.execute(select(Category.code, Category.id)).all())
    known_upts = dict(session.execute(select(Upt.code, Upt.id)).all())
    store_skus = set(session.scalars(select(Product.sku)))
    store_barcodes = set(
        session.scalars(select(Product.barcode).where(Product.barcode.is_not(None)))
    )

    problems: list[tuple[int, str]] = []
    rows: list[dict[str, Any]] = []
    seen_sku: dict[str, int] = {}
    seen_barcode: dict[str, int] = {}
    new_upts: dict[str, dict[str, str]] = {}
    for row in reader:
        line = reader.line_num
        if None in row:
            problems.append((line, "terlalu banyak kolom pada baris ini"))
            continue
        if not any((v or "").strip() for v in row.values()):
            continue  # blank line
        try:
            parsed = _parse_row(row, categories)
        except ValidationError as exc:
            problems.append((line, str(exc)))
            continue
        sku, code = parsed["sku"], parsed["barcode"]
        if sku in store_skus:
            problems.append((line, f"SKU {sku} sudah ada di toko"))
        elif sku in seen_sku:
            problems.append((line, f"SKU {sku} ganda (juga di baris {seen_sku[sku]})"))
        seen_sku.setdefault(sku, line)
        if code is not None:
            if code in store_barcodes:
                problems.append((line, f"barcode {code} sudah dipakai barang lain di toko"))
            elif code in seen_barcode:
                problems.append(
                    (line, f"barcode {code} ganda (juga di baris {seen_barcode[code]})")
                )
            seen_barcode.setdefault(code, line)
        upt = parsed["upt_code"]
        if upt not in known_upts and upt not in new_upts:
            kind = parsed["upt_kind"] or _kind_from_name(parsed["upt_name"])
            if not parsed["upt_name"]:
                problems.append((line, f"UPT {upt} belum terdaftar dan kolom upt_name kosong"))
                continue
            if kind not in UPT_KINDS:
                problems.append((line, f"jenis UPT {kind!r} harus Lapas, Rutan atau LPKA"))
                continue
            new_upts[upt] = {
                "name": parsed["upt_name"],
                "kind": kind,
                "region": parsed["upt_region"],
            }
        rows.append(parsed)
    if problems:
        raise ImportFailed(
            f"Impor dibatalkan: {len(problems)} baris bermasalah, tidak ada yang disimpan.",
            problems,
        )
    if not rows:
        raise ImportFailed(
            "Impor dibatalkan: berkas tidak berisi barang.", [(1, "tidak ada baris data")]
        )

    for code, upt in new_upts.items():
        obj = Upt(code=code, name=upt["name"], kind=upt["kind"], region=upt["region"])
        session.add(obj)
        session.flush()
        known_upts[code] = obj.id
    session.execute(
        insert(Product),
        [
            {
                "sku": r["sku"],
                "barcode": r["barcode"],
                "name": r["name"],
                "search_name": fold(r["name"]),
                "category_id": r["category_id"],
                "unit": r["unit"],
                "price": r["price"],
                "cost": r["cost"],
                "upt_id": known_upts[r["upt_code"]],
                "stock_qty": r["stock"],
                "shelf_life_days": r["shelf_life_days"],
                "pirt_number": r["pirt_number"],
                "halal_number": r["halal_number"],
                "active": r["active"],
            }
            for r in rows
        ],
    )
    stocked = {r["sku"]: r["stock"] for r in rows if r["stock"]}
    if stocked:
        ids = dict(
            session.execute(
                select(Product.sku, Product.id).where(Product.sku.in_(list(stocked)))
            ).all()
        )
        session.execute(
            insert(StockMovement),
            [
                {
                    "product_id": ids[sku],
                    "qty": qty,
                    "kind": "adjust",
                    "reference": f"Impor {source}",
                }
                for sku, qty in stocked.items()
            ],
        )
    return ImportResult(products=len(rows), new_upts=len(new_upts))


def export_products(session: Session) -> str:
    """The whole catalog as CSV text, in the import's columns, ordered by SKU."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(COLUMNS)
    query = (
        select(Product, Category.code, Upt)
        .join(Category, Category.id == Product.category_id)
        .join(Upt, Upt.id == Product.upt_id)
        .order_by(Product.sku)
    )
    for product, category, upt in session.execute(query):
        writer.writerow(
            [
                product.sku,
                product.barcode or "",
                product.name,
                category,
                product.unit,
                product.price,
                product.cost,
                product.stock_qty,
                upt.code,
                upt.name,
                upt.kind,
                upt.region,
                product.shelf_life_days or "",
                product.pirt_number or "",
                product.halal_number or "",
                1 if product.active else 0,
            ]
        )
    return buf.getvalue()

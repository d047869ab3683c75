"""Catalog look-ups: by barcode (what the scanner types), by SKU, by name search.

A scan is one indexed query; the catalog is never loaded into memory to sell.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, bindparam, func, select
from sqlalchemy.orm import Session

from kasir.domain.ean13 import is_valid_ean13
from kasir.errors import NotFound, ValidationError
from kasir.store.models import Category, Counter, Product, Upt
from kasir.text import fold


@dataclass(frozen=True)
class ProductView:
    id: int
    sku: str
    barcode: str | None
    name: str
    category: str
    unit: str
    price: int
    cost: int
    upt_id: int
    upt_code: str
    upt_name: str
    stock_qty: int
    active: bool


_COLUMNS = (
    Product.id,
    Product.sku,
    Product.barcode,
    Product.name,
    Category.code,
    Product.unit,
    Product.price,
    Product.cost,
    Product.upt_id,
    Upt.code,
    Upt.name,
    Product.stock_qty,
    Product.active,
)


def _base() -> Any:  # a Select of the ProductView columns
    return (
        select(*_COLUMNS)
        .join(Category, Category.id == Product.category_id)
        .join(Upt, Upt.id == Product.upt_id)
    )


# Built once: a prepared statement per look-up keeps a scan near the bare-SQL cost.
_BY_BARCODE = _base().where(Product.barcode == bindparam("code"))
_BY_SKU = _base().where(Product.sku == bindparam("sku"))
_BY_ID = _base().where(Product.id == bindparam("pid"))


def _row(row: object) -> ProductView:
    return ProductView(*row)  # type: ignore[misc]


def normalise_code(code: str) -> str:
    """What a scanner or a person typed, trimmed; ValidationError when it cannot be a code."""
    code = code.strip()
    if not code:
        raise ValidationError("Kode barang kosong.")
    if len(code) > 32:
        raise ValidationError("Kode barang terlalu panjang.")
    return code


def find_by_barcode(session: Session, code: str) -> ProductView:
    code = normalise_code(code)
    if code.isdigit() and len(code) == 13 and not is_valid_ean13(code):
        raise ValidationError(f"Barcode {code} tidak valid (digit pemeriksa salah). Pindai ulang.")
    row = session.execute(_BY_BARCODE, {"code": code}).first()
    if row is None:
        raise NotFound(f"Barcode {code} tidak terdaftar.")
    return _row(row)


def find_by_sku(session: Session, sku: str) -> ProductView:
    sku = normalise_code(sku).upper()
    row = session.execute(_BY_SKU, {"sku": sku}).first()
    if row is None:
        raise NotFound(f"SKU {sku} tidak terdaftar.")
    return _row(row)


def find_by_code(session: Session, code: str) -> ProductView:
    """Barcode first, then SKU: what the scan field does with digits or a typed SKU."""
    code = normalise_code(code)
    try:
        return find_by_barcode(session, code)
    except NotFound:
        try:
            return find_by_sku(session, code)
        except NotFound:
            raise NotFound(f"Barang dengan kode {code} tidak terdaftar.") from None


def get_product(session: Session, product_id: int) -> ProductView:
    row = session.execute(_BY_ID, {"pid": product_id}).first()
    if row is None:
        raise NotFound(f"Barang #{product_id} tidak ada.")
    return _row(row)


def search(
    session: Session, text: str, *, limit: int = 50, include_inactive: bool = False
) -> list[ProductView]:
    """Products whose name holds every word of `text` (case- and accent-insensitive), or whose
    SKU/barcode starts with it. Empty text lists the catalog in name order."""
    words = fold(text).split()
    query = _base()
    if not include_inactive:
        query = query.where(Product.active)
    if words:
        name_match = and_(*(Product.search_name.contains(w, autoescape=True) for w in words))
        raw = text.strip()
        query = query.where(
            name_match
            | Product.sku.startswith(raw.upper(), autoescape=True)
            | Product.barcode.startswith(raw, autoescape=True)
        )
    query = query.order_by(Product.search_name).limit(limit)
    return [_row(r) for r in session.execute(query)]


def count_products(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Product)) or 0


def ensure_counter(session: Session, code: str) -> int:
    """The id of counter `code`, created on first use (a new till joins the store).

    The code must be ASCII `[A-Z0-9]{1,8}` (it goes into every receipt number). Creation is
    race-free: two machines using a new code at the same moment on PostgreSQL both get the one
    row (INSERT ... ON CONFLICT DO NOTHING, then read it), never a duplicate-key error."""
    from kasir.config import counter_code

    code = counter_code(code)
    counter_id = session.scalar(select(Counter.id).where(Counter.code == code))
    if counter_id is not None:
        return counter_id
    from sqlalchemy.dialects import postgresql, sqlite

    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    session.execute(
        dialect.insert(Counter)
        .values(code=code, name=f"Meja Kasir {code}")
        .on_conflict_do_nothing(index_elements=[Counter.code])
    )
    counter_id = session.scalar(select(Counter.id).where(Counter.code == code))
    assert counter_id is not None  # inserted just now, or by whoever won the race
    return counter_id

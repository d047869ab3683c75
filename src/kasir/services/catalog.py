"""Catalog look-ups: by barcode (what the scanner types), by SKU, by name search.

A scan is one indexed query; the catalog is never loaded into memory to sell.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, and_, bindparam, false, func, or_, select
from sqlalchemy import text as sql
from sqlalchemy.orm import Session

from kasir.domain.ean13 import is_valid_ean13
from kasir.errors import NotFound, ValidationError
from kasir.store import search_index
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


# Name search. Words of 3+ characters go through the trigram index; a word of 1-2 characters
# goes through the index vocabulary on SQLite (the few trigrams that start with it) when it is
# rare enough, else it only filters. The index gives candidate ids; when there are more than
# `_cap(limit)` of them the match is dense and walking the name index in order finds `limit`
# matches after a few thousand rows, so that is done instead of sorting the candidates.
_CAP_MIN, _CAP_MAX = 2000, 20000
_SHORT_TERMS_MAX = 48  # a short word starting more distinct trigrams than this only filters
_SHORT_DOCS_MAX = 20000  # ... and alone, one in more products than this is walked, not probed


def _cap(limit: int) -> int:
    return min(max(_CAP_MIN, 10 * limit), _CAP_MAX)


def _prefix_end(prefix: str) -> str | None:
    """The smallest string above every string that starts with `prefix` (None: no bound)."""
    while prefix:
        last = ord(prefix[-1]) + 1
        if 0xD800 <= last <= 0xDFFF:  # surrogates cannot be stored: skip to the next plane
            last = 0xE000
        if last <= 0x10FFFF:
            return prefix[:-1] + chr(last)
        prefix = prefix[:-1]
    return None


def _starts_with(column: Any, prefix: str, dialect: str) -> Any:
    """`column` starts with `prefix`, as an index range (LIKE cannot use a plain index)."""
    if dialect == "postgresql":  # the range must be in code-point order (search_index indexes)
        column = column.collate("C")
    if not prefix:
        return false()
    end = _prefix_end(prefix)
    return and_(column >= prefix, column < end) if end is not None else column >= prefix


def _phrase(word: str) -> str:
    return '"' + word.replace('"', '""') + '"'


def _fts_query(conn: Connection, words: list[str]) -> tuple[str | None, bool]:
    """The FTS5 MATCH expression for `words` (None: no word can use the index) and whether
    the expression alone is known to be dense (only common short words)."""
    groups: list[str] = []
    short_docs: list[int] = []
    for word in dict.fromkeys(words):
        if len(word) >= 3:
            groups.append(_phrase(word))
            continue
        if not word.isascii():  # the vocabulary is folded by SQLite, the word by Python
            continue
        end = _prefix_end(word)
        rows = conn.execute(
            sql(
                f"SELECT term, doc FROM {search_index.VOCAB_TABLE} "
                "WHERE term >= :w AND term < :end LIMIT :n"
            ),
            {"w": word, "end": end, "n": _SHORT_TERMS_MAX + 1},
        ).all()
        if len(rows) > _SHORT_TERMS_MAX:
            continue
        if not rows:
            return "", False  # no product name holds this word
        groups.append("(" + " OR ".join(_phrase(term) for term, _ in rows) + ")")
        short_docs.append(sum(doc for _, doc in rows))
    if not groups:
        return None, False
    only_short = len(short_docs) == len(groups)
    return " AND ".join(groups), only_short and min(short_docs) > _SHORT_DOCS_MAX


def _name_candidates(
    conn: Connection, words: list[str], name_match: Any, active_only: bool, cap: int
) -> list[int] | None:
    """Ids of the products whose name holds every word, at most `cap`; None when there are
    more, or when the index cannot narrow the search."""
    dialect = conn.dialect.name
    query = select(Product.id).where(name_match)
    if active_only:
        query = query.where(Product.active)
    if dialect == "sqlite":
        match, dense = _fts_query(conn, words)
        if match is None or dense:
            return None
        if match == "":
            return []
        query = query.where(
            sql(
                f"product.id IN (SELECT rowid FROM {search_index.FTS_TABLE} "
                f"WHERE {search_index.FTS_TABLE} MATCH :match)"
            ).bindparams(match=match)
        )
    elif not any(len(w) >= 3 for w in words):  # pg_trgm needs 3 characters
        return None
    ids = list(conn.scalars(query.limit(cap + 1)))
    return ids if len(ids) <= cap else None


def search(
    session: Session, text: str, *, limit: int = 50, include_inactive: bool = False
) -> list[ProductView]:
    """Products whose name holds every word of `text` (case- and accent-insensitive), or whose
    SKU/barcode starts with it, in name order. Empty text lists the catalog in name order.

    Through the search index (kasir.store.search_index) when the store has it; the same
    results without it, by walking the name index."""
    if limit <= 0:
        return []
    words = fold(text).split()
    query = _base()
    if not include_inactive:
        query = query.where(Product.active)
    if words:
        conn = session.connection()
        dialect = conn.dialect.name
        raw = text.strip()
        name_match = and_(*(Product.search_name.contains(w, autoescape=True) for w in words))
        code_match = or_(
            _starts_with(Product.sku, raw.upper(), dialect),
            _starts_with(Product.barcode, raw, dialect),
        )
        cap = _cap(limit)
        ids: list[int] | None = None
        if search_index.is_installed(conn):
            ids = _name_candidates(conn, words, name_match, not include_inactive, cap)
        if ids is not None:
            codes = select(Product.id).where(code_match)
            if not include_inactive:
                codes = codes.where(Product.active)
            code_ids = list(conn.scalars(codes.limit(cap + 1)))
            ids = None if len(code_ids) > cap else sorted(set(ids) | set(code_ids))
        if ids is None:  # dense (or no index): walk the name index, filtering
            query = query.where(name_match | code_match)
        elif not ids:
            return []
        else:
            query = query.where(Product.id.in_(ids))
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

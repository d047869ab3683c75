"""Catalog look-ups: by barcode (what the scanner types), by SKU, by name search.

A scan is one indexed query; the catalog is never loaded into memory to sell.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    Connection,
    Integer,
    String,
    and_,
    bindparam,
    column,
    false,
    func,
    literal_column,
    select,
    table,
)
from sqlalchemy import text as sql
from sqlalchemy.orm import Session

from kasir.domain.ean13 import is_valid_ean13
from kasir.errors import NotFound, ValidationError
from kasir.store import search_index
from kasir.store.bulk import Prepared, prepared
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
_BY_PLU = _base().where(Product.plu == bindparam("plu"))


def _row(row: object) -> ProductView:
    return ProductView(*row)  # type: ignore[misc]


_COMPILED: dict[tuple[int, str], Prepared] = {}


def _first(session: Session, stmt: Any, params: dict[str, Any]) -> tuple[Any, ...] | None:
    """The first row of a look-up built at import time, compiled once per dialect and run on
    the driver's cursor (`kasir.store.bulk.Prepared`): a scan is one indexed read at about
    the bare driver's cost."""
    conn = session.connection()
    key = (id(stmt), conn.dialect.name)
    found = _COMPILED.get(key)
    if found is None:
        found = _COMPILED[key] = prepared(stmt, conn.dialect)
    return found.first(conn, params)


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
    row = _first(session, _BY_BARCODE, {"code": code})
    if row is None:
        raise NotFound(f"Barcode {code} tidak terdaftar.")
    return _row(row)


def find_by_sku(session: Session, sku: str) -> ProductView:
    sku = normalise_code(sku).upper()
    row = _first(session, _BY_SKU, {"sku": sku})
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


def find_by_plu(session: Session, plu: int) -> ProductView | None:
    """The product with this scale-label item code (kasir.domain.scale_label), or None."""
    row = _first(session, _BY_PLU, {"plu": plu})
    return None if row is None else _row(row)


def get_product(session: Session, product_id: int) -> ProductView:
    row = _first(session, _BY_ID, {"pid": product_id})
    if row is None:
        raise NotFound(f"Barang #{product_id} tidak ada.")
    return _row(row)


# Name search (see `search`): the first `limit` products in name order from three sources,
# merged: names holding every word, SKUs and barcodes starting with the text.
# Names, SQLite: words of 3+ characters through the trigram index (each word's two rarest
# trigrams); a 1-2 letter word through the index vocabulary (the trigrams that start with it)
# when few trigrams do, else it only filters. The candidates are sorted by name, at about 1 us
# each. With more than _NAME_FEW candidates (by the index's own counts) the first _NAME_WINDOW
# rows of the name index are walked first (reading only the index, LIKE on search_name before
# any table column, about 0.1 us a row): a word spread over the catalog is found there. When
# not, the candidates (counted in the index) are sorted if there are at most
# _NAME_CANDIDATES_MAX, else the rest of the name index is walked, which stops at the
# `limit`-th match.
# Codes: an index range. Up to _CODE_SORT_MAX products in it are sorted by name; up to
# _CODE_MEMBER_MAX, the name index is walked testing each row's id against the range's ids
# (read from the code index alone); a prefix more common than that walks the name index
# reading the code of each row (a prefix that common is found early). PostgreSQL: the
# planner chooses, with the index ranges of kasir.store.search_index.
_NAME_FEW = 2_000
_NAME_WINDOW = 10_000
_NAME_CANDIDATES_MAX = 12_000
_NAME_LOOKUP_MAX = 16_000  # _NAME_CANDIDATES_MAX when the store has the lookup index
_CODE_SORT_MAX = 10_000
_CODE_MEMBER_MAX = 40_000
_CODE_CANDIDATES_MAX = 2_000  # PostgreSQL: a range this small is sorted with the other sources
_TERM_READ_RATIO = 10  # a candidate looked up costs about as much as 20 postings read
_SHORT_TERMS_MAX = 48  # a short word starting more distinct trigrams than this only filters


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
    if not prefix:
        return false()
    if dialect == "postgresql":  # code-point order, as the search_index indexes are
        column = column.collate("C")
    end = _prefix_end(prefix)
    return and_(column >= prefix, column < end) if end is not None else column >= prefix


_FTS = table(search_index.FTS_TABLE, column("rowid"))


def _phrase(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def _fts_match(conn: Connection, words: list[str]) -> tuple[str | None, int]:
    """The FTS5 MATCH expression for `words` and the most candidates it can give (from the
    index's counts). (None, 0): no word can use the index; ("", 0): no product matches.

    Terms: each long word's two rarest trigrams, each short word's trigram group; a term in
    many more products than the rarest one is left to LIKE (reading it would cost more)."""
    vocab = search_index.VOCAB_TABLE
    terms: list[tuple[int, str, str]] = []  # (products holding it, MATCH term, its word)
    long = [w for w in dict.fromkeys(words) if len(w) >= 3]
    trigrams = sorted({w[i : i + 3] for w in long for i in range(len(w) - 2)})
    if trigrams:
        docs: dict[str, int] = dict(
            conn.execute(
                sql(f"SELECT term, doc FROM {vocab} WHERE term IN :terms").bindparams(
                    bindparam("terms", expanding=True)
                ),
                {"terms": trigrams},
            ).all()
        )
        if len(docs) < len(trigrams):
            return "", 0  # a trigram no name holds
        for w in long:
            rarest = sorted({w[i : i + 3] for i in range(len(w) - 2)}, key=docs.__getitem__)
            terms.extend((docs[t], _phrase(t), w) for t in rarest[:2])
    for word in dict.fromkeys(w for w in words if len(w) < 3):
        if not word.isascii():  # the vocabulary is folded by SQLite, the word by Python
            continue
        rows = conn.execute(
            sql(f"SELECT term, doc FROM {vocab} WHERE term >= :w AND term < :end LIMIT :n"),
            {"w": word, "end": _prefix_end(word), "n": _SHORT_TERMS_MAX + 1},
        ).all()
        if len(rows) > _SHORT_TERMS_MAX:
            continue
        if not rows:
            return "", 0
        group = "(" + " OR ".join(_phrase(term) for term, _ in rows) + ")"
        terms.append((sum(doc for _, doc in rows), group, word))
    if not terms:
        return None, 0
    return " AND ".join(_kept_terms(conn, terms)), min(doc for doc, _, _ in terms)


def _kept_terms(conn: Connection, terms: list[tuple[int, str, str]]) -> list[str]:
    """The terms worth reading, rarest first. A second trigram of a word already in is kept
    when it is not much more common than the rarest term (the two are mostly found in the
    same names). A term of another word is kept when reading it costs less than the
    candidates it is expected to remove: words are taken as independent, so a term held by
    `doc` of `total` products keeps doc/total of the candidates, and reading one product of a
    term (twice: counted, then sorted) costs about 1/_TERM_READ_RATIO of looking up one
    candidate."""
    terms = sorted(set(terms))
    most = terms[0][0]
    total = max(conn.scalar(select(func.max(Product.id))) or 0, most, 1)
    expected = float(most)
    kept: list[str] = []
    words: set[str] = set()
    for doc, term, word in terms:
        if word in words:
            if doc <= max(4 * most, 1000):
                kept.append(term)
        elif not words:
            kept.append(term)
            words.add(word)
        elif doc < expected * (1 - doc / total) * _TERM_READ_RATIO:
            kept.append(term)
            words.add(word)
            expected *= doc / total
    return sorted(kept)


_LOOKUP = f"product INDEXED BY {search_index.LOOKUP_INDEX}"


def _candidates_by_lookup(
    conn: Connection, words: list[str], match: str, active_only: bool, limit: int
) -> list[int]:
    """The first `limit` ids in name order of the trigram index's candidates for `match` whose
    name holds every word, each read from the lookup index (SQLite, see
    kasir.store.search_index.LOOKUP_INDEX; SQLAlchemy renders no INDEXED BY, so the text)."""
    # instr, not LIKE: both sides are folded (lower-case), and instr costs a third less.
    likes = " AND ".join(f"instr(product.search_name, :w{i}) > 0" for i in range(len(words)))
    active = " AND product.active = 1" if active_only else ""
    statement = (
        f"SELECT product.id FROM {search_index.FTS_TABLE} JOIN {_LOOKUP} "
        f"ON product.id = {search_index.FTS_TABLE}.rowid "
        f"WHERE {search_index.FTS_TABLE} MATCH :match AND {likes}{active} "
        "ORDER BY product.search_name LIMIT :limit"
    )
    params: dict[str, Any] = {f"w{i}": w for i, w in enumerate(words)}
    params.update(match=match, limit=limit)
    return list(conn.scalars(sql(statement), params))


def _range_by_lookup(
    conn: Connection, column: str, prefix: str, active_only: bool, limit: int
) -> list[int]:
    """The first `limit` ids in name order of the products whose `column` starts with `prefix`,
    the range read from its index and each product from the lookup index (SQLite)."""
    end = _prefix_end(prefix)
    upper = f" AND {column} < :end" if end is not None else ""
    active = " AND product.active = 1" if active_only else ""
    statement = (
        f"SELECT product.id FROM {_LOOKUP} WHERE product.id IN "
        f"(SELECT id FROM product WHERE {column} >= :prefix{upper}){active} "
        "ORDER BY product.search_name LIMIT :limit"
    )
    return list(conn.scalars(sql(statement), {"prefix": prefix, "end": end, "limit": limit}))


def _by_name(
    conn: Connection, words: list[str], name_match: Any, active_only: bool, limit: int
) -> list[int]:
    """The first `limit` ids in name order of the products whose name holds every word."""
    query = select(Product.id).where(name_match)  # LIKE first: it reads only the index
    if active_only:
        query = query.where(Product.active)
    query = query.order_by(Product.search_name)
    if conn.dialect.name != "sqlite" or not search_index.is_installed(conn):
        return list(conn.scalars(query.limit(limit)))
    match, most = _fts_match(conn, words)
    if not match and match is not None:
        return []
    if match is None:  # only short words too common for the index: walk the name index
        return list(conn.scalars(query.limit(limit)))
    matching = sql(f"{_FTS.name} MATCH :match").bindparams(match=match)
    candidates = query.select_from(_FTS.join(Product, Product.id == _FTS.c.rowid)).where(matching)
    if search_index.has_lookup_index(conn):

        def sort_candidates() -> list[int]:
            return _candidates_by_lookup(conn, words, match, active_only, limit)

    else:

        def sort_candidates() -> list[int]:
            return list(conn.scalars(candidates.limit(limit)))

    if most <= _NAME_FEW:
        return sort_candidates()
    # Many candidates: a word spread over the catalog is found in the first rows of the name
    # index, before the candidates could even be read.
    bound = conn.scalar(
        select(Product.search_name).order_by(Product.search_name).offset(_NAME_WINDOW).limit(1)
    )
    if bound is None:  # a small catalog: the whole name index is the window
        return list(conn.scalars(query.limit(limit)))
    first = list(conn.scalars(query.where(Product.search_name < bound).limit(limit)))
    if len(first) >= limit:
        return first
    lookup = search_index.has_lookup_index(conn)
    most_sorted = _NAME_LOOKUP_MAX if lookup else _NAME_CANDIDATES_MAX
    counted = select(_FTS.c.rowid).where(matching).limit(most_sorted + 1).subquery()
    count = conn.scalar(select(func.count()).select_from(counted)) or 0
    if count <= most_sorted:
        return sort_candidates()
    rest = query.where(Product.search_name >= bound).limit(limit - len(first))
    return first + list(conn.scalars(rest))


def _by_code(
    conn: Connection, column: Any, prefix: str, active_only: bool, limit: int
) -> list[int]:
    """The first `limit` ids in name order of the products whose code `column` starts with
    `prefix` (SKU or barcode)."""
    dialect = conn.dialect.name
    in_range = _starts_with(column, prefix, dialect)
    query = select(Product.id).where(in_range)
    if active_only:
        query = query.where(Product.active)
    if dialect != "sqlite":
        ids = list(conn.scalars(query.limit(_CODE_CANDIDATES_MAX + 1)))
        if len(ids) <= _CODE_CANDIDATES_MAX:
            return ids  # sorted with the rest
        return list(conn.scalars(query.order_by(Product.search_name).limit(limit)))
    # SQLite: count the range in the code index alone, then choose how to order it.
    ranged = select(Product.id).where(in_range).correlate(None)
    found = conn.scalar(
        select(func.count()).select_from(ranged.limit(_CODE_MEMBER_MAX + 1).subquery())
    )
    if not found:
        return []
    if found <= _CODE_SORT_MAX and search_index.has_lookup_index(conn):
        return _range_by_lookup(conn, column.key, prefix, active_only, limit)
    if found <= _CODE_SORT_MAX:  # each product of the range read, then sorted
        query = select(Product.id).where(Product.id.in_(ranged))
    elif found <= _CODE_MEMBER_MAX:  # `+id`: the name index walked, ids tested
        query = select(Product.id).where(literal_column("+product.id", Integer).in_(ranged))
    else:  # `+column`: not through its index, so the name index is walked
        column = literal_column(f"+product.{column.key}", String)
        query = select(Product.id).where(_starts_with(column, prefix, dialect))
    if active_only:
        query = query.where(Product.active)
    return list(conn.scalars(query.order_by(Product.search_name).limit(limit)))


def search(
    session: Session, text: str, *, limit: int = 50, include_inactive: bool = False
) -> list[ProductView]:
    """Products whose name holds every word of `text` (case- and accent-insensitive), or whose
    SKU/barcode starts with it, in name order. Empty text lists the catalog in name order.

    Through the search index (kasir.store.search_index) on SQLite when the store has it, with
    the same results as without it; on PostgreSQL the planner uses the pg_trgm index."""
    if limit <= 0:
        return []
    words = fold(text).split()
    query = _base()
    if not include_inactive:
        query = query.where(Product.active)
    if words:
        conn = session.connection()
        raw = text.strip()
        active_only = not include_inactive
        name_match = and_(*(Product.search_name.contains(w, autoescape=True) for w in words))
        ids = set(_by_name(conn, words, name_match, active_only, limit))
        for column, prefix in ((Product.sku, raw.upper()), (Product.barcode, raw)):
            ids.update(_by_code(conn, column, prefix, active_only, limit))
        if not ids:
            return []
        query = query.where(Product.id.in_(sorted(ids)))
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

"""Product CSV import and export, streamed: memory does not grow with the file.

The columns (README "Product CSV") are the same both ways, so an export imported into an empty
store gives the same catalog. An import is all or nothing: every row is checked, every bad
row is reported with its line number (the first `MAX_REPORTED`, and how many more), and one bad
row leaves the store unchanged. Rows are checked and written in chunks of `CHUNK` inside one
savepoint of the caller's transaction, which is rolled back when any row was bad.

Cells are trimmed; whitespace and control characters at either end of a cell (a CR left by
mixed line endings, a tab) are dropped. A control character inside a cell (NUL, a line break
in a name, ...) refuses the line. A leading apostrophe that the export put before a cell
starting with = + - @ (CSV injection guard, `kasir.files.safe_cell`) is removed again.
"""

from __future__ import annotations

import bisect
import contextlib
import csv
import datetime as dt
import operator
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import IO, Any

from sqlalchemy import Connection, func, insert, select
from sqlalchemy.orm import Session

from kasir.domain.ean13 import validate_ean13
from kasir.domain.vocab import UptKind, values
from kasir.errors import ImportFailed, ValidationError
from kasir.files import write_csv_rows
from kasir.services import stock
from kasir.store import search_index
from kasir.store.models import Category, Product, Upt
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
    "plu",  # optional: the item code of scale labels (kasir.domain.scale_label)
)
REQUIRED = ("sku", "name", "category", "price", "upt_code")
UPT_KINDS = values(UptKind)  # the CHECK on upt.kind is made from the same enum
MAX_PRICE = 10**12
MAX_STOCK = 10**9
MAX_PLU = 999_999  # six digits, the longest item code a label layout holds
MAX_REPORTED = 20
"""An import names the first 20 bad lines and counts the rest."""
CHUNK = 1000
"""Rows checked against the store and written per statement (also the IN-list size)."""
IMPORT_CACHE_KIB = 64 * 1024

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
# C0/C1 controls, DEL, line/paragraph separators, and lone surrogates (not storable text).
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")
_FORMULA_ESCAPED = ("'=", "'+", "'-", "'@")


@dataclass(frozen=True)
class ImportResult:
    products: int
    new_upts: int


def _int_field(raw: str, label: str, *, minimum: int = 0, maximum: int = MAX_PRICE) -> int:
    if raw.isdigit() and raw.isascii() and len(raw) < 13:  # the usual cell (trimmed already)
        value = int(raw)
        if minimum <= value <= maximum:
            return value
    text = raw.strip()
    digits = text[1:] if minimum < 0 and text.startswith("-") else text
    if not (digits.isascii() and digits.isdigit()):  # int() would choke on '²', accept '１５'
        raise ValidationError(f"{label} harus bilangan bulat (tanpa titik/koma), bukan {raw!r}")
    if len(digits) > len(str(maximum)) + 1:  # int() of thousands of digits is refused, or slow
        raise ValidationError(f"{label} {raw[:20]}... di luar batas ({minimum}..{maximum})")
    value = int(text)
    if not minimum <= value <= maximum:
        raise ValidationError(f"{label} {value} di luar batas ({minimum}..{maximum})")
    return value


def _is_good_ean13(code: str) -> bool:
    """The check of `validate_ean13` for the common case, without its messages (faster)."""
    if len(code) != 13 or not (code.isascii() and code.isdigit()):
        return False
    odd = sum(map(int, code[0:12:2]))
    even = sum(map(int, code[1:12:2]))
    return (10 - (odd + 3 * even) % 10) % 10 == int(code[12])


def _kind_from_name(name: str) -> str:
    first = name.strip().split(" ", 1)[0].upper()
    return {"LAPAS": "Lapas", "RUTAN": "Rutan", "LPKA": "LPKA"}.get(first, "")


def _fmt(n: int) -> str:
    return f"{n:,}".replace(",", ".")


class _Problems:
    """Bad lines: the MAX_REPORTED first ones (by line) kept, the rest counted. Problems come
    slightly out of order: those found against the store are added when a chunk is checked."""

    def __init__(self) -> None:
        self.shown: list[tuple[int, int, str]] = []  # line, order of arrival, reason
        self.total = 0

    def add(self, line: int, reason: str) -> None:
        self.total += 1
        if len(self.shown) < MAX_REPORTED or line < self.shown[-1][0]:
            bisect.insort(self.shown, (line, self.total, reason))
            del self.shown[MAX_REPORTED:]

    def failure(self) -> ImportFailed:
        message = f"Impor dibatalkan: {_fmt(self.total)} baris bermasalah, tidak ada yang disimpan."
        if self.total > len(self.shown):
            rest = self.total - len(self.shown)
            message += (
                f" Ditampilkan {len(self.shown)} yang pertama, dan {_fmt(rest)} kesalahan lain."
            )
        return ImportFailed(message, [(line, reason) for line, _, reason in self.shown])


def _header(first: list[str] | None) -> list[str]:
    header = [h.strip() for h in first or []]
    if header:
        header[0] = header[0].removeprefix("\ufeff").strip()
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise ImportFailed(
            "Impor dibatalkan: header CSV tidak lengkap.",
            [(1, f"kolom wajib tidak ada: {', '.join(missing)}")],
        )
    twice = sorted({h for h in header if h and header.count(h) > 1})
    if twice:
        raise ImportFailed(
            "Impor dibatalkan: header CSV memuat kolom yang sama dua kali.",
            [(1, f"kolom {', '.join(twice)} muncul lebih dari sekali di header")],
        )
    return header


def _control_problem(header: list[str], row: list[str]) -> str | None:
    """Why a row holding a control character is refused, or None if they are only at cell
    edges (trimmed away like spaces)."""
    for i, cell in enumerate(row):
        found = _CONTROL.search(cell.strip())
        if found:
            column = header[i] if i < len(header) and header[i] else f"ke-{i + 1}"
            char = found.group()
            return (
                f"kolom {column} berisi karakter kendali U+{ord(char):04X}; "
                "hapus karakter itu dari berkas"
            )
    return None


def _parse_row(get: dict[str, str], categories: dict[str, int]) -> dict[str, Any]:
    """One row's values, or ValidationError listing every problem of the row."""
    problems: list[str] = []
    for col in REQUIRED:
        if not get[col]:
            problems.append(f"kolom {col} kosong")
    out: dict[str, Any] = {
        "sku": get["sku"].upper(),
        "name": get["name"],
        "unit": get["unit"] or "pcs",
        "upt_code": get["upt_code"].upper(),
        "upt_name": get["upt_name"],
        "upt_kind": get["upt_kind"],
        "upt_region": get["upt_region"],
        "pirt_number": get["pirt_number"] or None,
        "halal_number": get["halal_number"] or None,
        "price": None,
        "barcode": None,
        "shelf_life_days": None,
    }
    try:
        if get["price"]:
            out["price"] = _int_field(get["price"], "Harga")
    except ValidationError as exc:
        problems.append(str(exc))
    try:
        out["cost"] = _int_field(get["cost"] or "0", "Harga pokok")
    except ValidationError as exc:
        problems.append(str(exc))
    # Stock may be below zero: selling past the recorded stock is allowed (oversell=warn)
    # and an export must import back as it was.
    try:
        out["stock"] = _int_field(
            get["stock"] or "0", "Stok", minimum=-MAX_STOCK, maximum=MAX_STOCK
        )
    except ValidationError as exc:
        problems.append(str(exc))
    try:
        if get["shelf_life_days"]:
            out["shelf_life_days"] = _int_field(
                get["shelf_life_days"], "Masa simpan", minimum=1, maximum=36500
            )
    except ValidationError as exc:
        problems.append(str(exc))
    code = get["barcode"]
    if code:
        if _is_good_ean13(code):
            out["barcode"] = code
        else:
            try:
                out["barcode"] = validate_ean13(code)  # says why not
            except ValidationError as exc:
                problems.append(str(exc))
    category = get["category"].lower()
    if category and category not in categories:
        problems.append(f"kategori {category!r} tidak dikenal ({', '.join(sorted(categories))})")
    out["category_id"] = categories.get(category)
    active = get["active"].lower() or "1"
    if active in _TRUE:
        out["active"] = True
    elif active in _FALSE:
        out["active"] = False
    else:
        problems.append(f"kolom active harus 1 atau 0, bukan {get['active']!r}")
    if out["pirt_number"] is not None:
        digits = out["pirt_number"].replace("-", "").replace(" ", "")
        if not (digits.isascii() and digits.isdigit()) or len(digits) < 15:
            problems.append(f"nomor P-IRT {out['pirt_number']!r} harus 15 angka atau lebih")
        out["pirt_number"] = digits
    out["plu"] = None
    try:
        if get["plu"]:
            out["plu"] = _int_field(get["plu"], "PLU", maximum=MAX_PLU)
    except ValidationError as exc:
        problems.append(str(exc))
    out["search_name"] = fold(out["name"])
    # The folded copy can be longer than the name ('ﬃ' is 'ffi'); both must fit the column.
    if max(len(out["name"]), len(out["search_name"])) > 200:
        problems.append("nama barang lebih dari 200 huruf")
    # The column sizes of the store: SQLite would keep a longer value, PostgreSQL would refuse
    # the whole import with a database error instead of naming the line.
    if (
        len(out["sku"]) > 32
        or len(out["unit"]) > 16
        or len(out["upt_code"]) > 32
        or len(out["upt_name"]) > 200
        or len(out["upt_region"]) > 100
        or len(out["pirt_number"] or "") > 32
        or len(out["halal_number"] or "") > 64
    ):
        for key, label, size in _MAX_LENGTHS:
            if out[key] is not None and len(out[key]) > size:
                problems.append(f"{label} lebih dari {size} huruf")
    if problems:
        raise ValidationError("; ".join(problems))
    return out


class _Importer:
    """One import's state: what the file holds so far, and the rows waiting to be written."""

    def __init__(self, session: Session, source: str, with_plu: bool = True) -> None:
        self.session = session
        self.conn: Connection = session.connection()
        self.reference = f"Impor {source}"[:100]
        self.now = dt.datetime.now(dt.UTC)
        self.categories = dict(session.execute(select(Category.code, Category.id)).all())
        self.problems = _Problems()
        self.seen_sku: dict[str, int] = {}
        self.seen_barcode: dict[str, int] = {}
        self.seen_plu: dict[int, int] = {}
        self.pending: list[tuple[int, dict[str, Any]]] = []
        # UPT codes: those of the store and those this file adds, and their ids (a new UPT is
        # created just before the first product that needs it is written).
        self.upt_ids: dict[str, int] = dict(session.execute(select(Upt.code, Upt.id)).all())
        self.upt_codes = set(self.upt_ids)
        self.new_upts: dict[str, tuple[str, str, str]] = {}
        self.written = 0
        # Products of this import get ids above `mark` (also on PostgreSQL: a sequence only
        # grows); an empty store needs no look-up of what it already holds.
        self.mark: int = session.scalar(select(func.coalesce(func.max(Product.id), 0))) or 0
        self.store_empty = self.mark == 0
        # A file without the plu column writes none (and imports into a store made before
        # migration 0005 too: the demo data of the older migrations' tests).
        self.with_plu = with_plu
        self.insert_sql = _insert_sql(self.conn, with_plu)

    def take(self, line: int, parsed: dict[str, Any]) -> None:
        sku, code = parsed["sku"], parsed["barcode"]
        ok = True
        if sku in self.seen_sku:
            self.problems.add(line, f"SKU {sku} ganda (juga di baris {self.seen_sku[sku]})")
            ok = False
        else:
            self.seen_sku[sku] = line
        if code is not None:
            if code in self.seen_barcode:
                self.problems.add(
                    line, f"barcode {code} ganda (juga di baris {self.seen_barcode[code]})"
                )
                ok = False
            else:
                self.seen_barcode[code] = line
        plu = parsed["plu"]
        if plu is not None:
            if plu in self.seen_plu:
                self.problems.add(line, f"PLU {plu} ganda (juga di baris {self.seen_plu[plu]})")
                ok = False
            else:
                self.seen_plu[plu] = line
        if ok and self._upt_known(line, parsed):
            self.pending.append((line, parsed))
            if len(self.pending) >= CHUNK:
                self.flush()

    def _upt_known(self, line: int, parsed: dict[str, Any]) -> bool:
        code = parsed["upt_code"]
        if code in self.upt_codes:
            return True
        kind = parsed["upt_kind"] or _kind_from_name(parsed["upt_name"])
        if not parsed["upt_name"]:
            self.problems.add(line, f"UPT {code} belum terdaftar dan kolom upt_name kosong")
            return False
        if kind not in UPT_KINDS:
            self.problems.add(line, f"jenis UPT {kind!r} harus Lapas, Rutan atau LPKA")
            return False
        self.new_upts[code] = (parsed["upt_name"], kind, parsed["upt_region"])
        self.upt_codes.add(code)
        return True

    def flush(self) -> None:
        """Check the pending rows against the store; write them while the import is good."""
        rows, self.pending = self.pending, []
        if rows:
            for line, reason in self._write(rows, write=not self.problems.total):
                self.problems.add(line, reason)

    def _write(self, rows: list[tuple[int, dict[str, Any]]], write: bool) -> list[tuple[int, str]]:
        problems: list[tuple[int, str]] = []
        taken_skus: set[str] = set()
        taken_codes: set[str | None] = set()
        taken_plu: set[int | None] = set()
        if not self.store_empty:
            # Rows of this file written before are in seen_*: what is found here was there.
            skus = [r["sku"] for _, r in rows]
            codes = [r["barcode"] for _, r in rows if r["barcode"] is not None]
            taken_skus.update(self.conn.scalars(select(Product.sku).where(Product.sku.in_(skus))))
            if codes:
                taken_codes.update(
                    self.conn.scalars(select(Product.barcode).where(Product.barcode.in_(codes)))
                )
            plus = [r["plu"] for _, r in rows if r["plu"] is not None]
            if plus:
                taken_plu.update(
                    self.conn.scalars(select(Product.plu).where(Product.plu.in_(plus)))
                )
        good = []
        for line, r in rows:
            if r["plu"] in taken_plu:
                problems.append((line, f"PLU {r['plu']} sudah dipakai barang lain di toko"))
                continue
            if r["barcode"] in taken_codes:
                problems.append((line, f"barcode {r['barcode']} sudah dipakai barang lain di toko"))
            if r["sku"] in taken_skus:
                problems.append((line, f"SKU {r['sku']} sudah ada di toko"))
            elif r["barcode"] not in taken_codes:
                good.append(r)
        if problems or not write:
            return problems  # the import fails: only the checks go on
        for code in {r["upt_code"] for r in good} - self.upt_ids.keys():
            name, kind, region = self.new_upts[code]
            upt_id = self.conn.execute(
                insert(Upt).values(code=code, name=name, kind=kind, region=region).returning(Upt.id)
            ).scalar_one()
            self.upt_ids[code] = upt_id
        values = [
            (
                r["sku"],
                r["barcode"],
                r["name"],
                r["search_name"],
                r["category_id"],
                r["unit"],
                r["price"],
                r["cost"],
                self.upt_ids[r["upt_code"]],
                r["stock"],
                r["shelf_life_days"],
                r["pirt_number"],
                r["halal_number"],
                r["active"],
            )
            + ((r["plu"],) if self.with_plu else ())
            for r in good
        ]
        stocks = {r["sku"]: r["stock"] for r in good}
        if self.conn.dialect.name == "postgresql":
            # One statement over arrays (column by column), not one per row.
            found = self.conn.exec_driver_sql(
                self.insert_sql, tuple(list(c) for c in zip(*values, strict=True))
            ).all()
        else:
            self.conn.exec_driver_sql(self.insert_sql, values)
            found = self.conn.execute(
                select(Product.sku, Product.id).where(Product.id > self.mark)
            ).all()
        self.written += len(good)
        ours = [(sku, pid) for sku, pid in found if sku in stocks]  # not a concurrent import's
        self.mark = max((pid for _, pid in ours), default=self.mark)
        stocked = {pid: stocks[sku] for sku, pid in ours if stocks[sku]}
        if stocked:
            # The products were inserted with their stock: only the movements are written,
            # through the one stock path (kasir.services.stock). An import belongs to no sale
            # and no signed-in user.
            stock.record_stock_of_new_products(
                self.session, stocked, "adjust", None, self.reference, self.now
            )
        return problems


_PRODUCT_COLUMNS = (
    "sku",
    "barcode",
    "name",
    "search_name",
    "category_id",
    "unit",
    "price",
    "cost",
    "upt_id",
    "stock_qty",
    "shelf_life_days",
    "pirt_number",
    "halal_number",
    "active",
)


_PG_ARRAY_TYPES = (
    "text",
    "text",
    "text",
    "text",
    "int",
    "text",
    "bigint",
    "bigint",
    "int",
    "int",
    "int",
    "text",
    "text",
    "boolean",
)


def _insert_sql(conn: Connection, with_plu: bool = True) -> str:
    """The product INSERT: values are plain str/int/bool/None, which both drivers store as
    SQLAlchemy would (no bind processing needed). SQLite: one row per parameter set, for the
    driver's executemany. PostgreSQL: one array per column (`unnest`), the whole chunk in one
    statement, returning (sku, id) of the new rows."""
    names = (*_PRODUCT_COLUMNS, "plu") if with_plu else _PRODUCT_COLUMNS
    types = (*_PG_ARRAY_TYPES, "int") if with_plu else _PG_ARRAY_TYPES
    columns = ", ".join(names)
    if conn.dialect.name == "postgresql":
        arrays = ", ".join(f"%s::{t}[]" for t in types)
        return f"INSERT INTO product ({columns}) SELECT * FROM unnest({arrays}) RETURNING sku, id"
    return f"INSERT INTO product ({columns}) VALUES ({', '.join('?' for _ in names)})"


@contextlib.contextmanager
def _page_cache(conn: Connection) -> Iterator[None]:
    """SQLite: a 64 MB page cache for the import (default 2 MB): the new rows' index pages
    stay in memory instead of being spilled to the WAL and read back, about 1 s of 300,000."""
    if conn.dialect.name != "sqlite":
        yield
        return
    before = conn.exec_driver_sql("PRAGMA cache_size").scalar_one()
    conn.exec_driver_sql(f"PRAGMA cache_size = {-IMPORT_CACHE_KIB}")
    try:
        yield
    finally:
        conn.exec_driver_sql(f"PRAGMA cache_size = {int(before)}")


def _records(lines: Iterable[str]) -> Iterator[tuple[int, list[str] | str]]:
    """(line number, cells) per CSV record, or (line number, why it cannot be read)."""
    reader = csv.reader(lines)
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield reader.line_num, f"baris CSV tidak terbaca: {exc}"
            continue
        except UnicodeDecodeError:
            yield reader.line_num + 1, "bukan teks UTF-8 (simpan ulang sebagai CSV UTF-8)"
            return
        yield reader.line_num, row


def import_products(session: Session, lines: Iterable[str], source: str = "CSV") -> ImportResult:
    """Add the products of a CSV file to the store, all or nothing (see module docstring).

    `lines` is read once, front to back: pass the open file, not a list of its lines."""
    records = _records(lines)
    _, first = next(records, (1, None))
    if isinstance(first, str):
        raise ImportFailed("Impor dibatalkan: header CSV tidak terbaca.", [(1, first)])
    header = _header(first)
    width = len(header)
    padding = [""] * width
    index = {name: i for i, name in enumerate(header) if name in COLUMNS}
    present = list(index)  # at least the REQUIRED columns, so `pick` returns a tuple
    pick = operator.itemgetter(*index.values())
    blank = {c: "" for c in COLUMNS if c not in index}
    conn = session.connection()
    with session.begin_nested(), search_index.bulk_insert(conn), _page_cache(conn):
        importer = _Importer(session, source, with_plu="plu" in index)
        problems = importer.problems
        for line, row in records:
            if isinstance(row, str):
                problems.add(line, row)
                continue
            if len(row) > width:
                problems.add(line, "terlalu banyak kolom pada baris ini")
                continue
            joined = "".join(row)
            if not joined.strip():
                continue  # blank line
            if _CONTROL.search(joined):
                reason = _control_problem(header, row)
                if reason:
                    problems.add(line, reason)
                    continue
            if len(row) < width:
                row = row + padding[len(row) :]
            get = dict(zip(present, map(str.strip, pick(row)), strict=True))
            if "'" in joined:
                for col, value in get.items():
                    if value.startswith(_FORMULA_ESCAPED):
                        get[col] = value[1:]
            get.update(blank)
            try:
                parsed = _parse_row(get, importer.categories)
            except ValidationError as exc:
                problems.add(line, str(exc))
                continue
            importer.take(line, parsed)
        importer.flush()
        if importer.problems.total:
            raise importer.problems.failure()
        if not importer.written:
            raise ImportFailed(
                "Impor dibatalkan: berkas tidak berisi barang.", [(1, "tidak ada baris data")]
            )
    return ImportResult(products=importer.written, new_upts=len(importer.new_upts))


def product_rows(session: Session) -> Iterator[tuple[object, ...]]:
    """The catalog in the import's columns, ordered by SKU, fetched a few thousand at a time."""
    query = (
        select(
            Product.sku,
            Product.barcode,
            Product.name,
            Category.code,
            Product.unit,
            Product.price,
            Product.cost,
            Product.stock_qty,
            Upt.code,
            Upt.name,
            Upt.kind,
            Upt.region,
            Product.shelf_life_days,
            Product.pirt_number,
            Product.halal_number,
            Product.active,
            Product.plu,
        )
        .join(Category, Category.id == Product.category_id)
        .join(Upt, Upt.id == Product.upt_id)
        .order_by(Product.sku)
        .execution_options(yield_per=2000)  # PostgreSQL: a server-side cursor
    )
    for r in session.execute(query):
        yield (
            r[0],
            r[1] or "",
            *r[2:12],
            r[12] or "",
            r[13] or "",
            r[14] or "",
            1 if r[15] else 0,
            "" if r[16] is None else r[16],
        )


def export_products(session: Session, out: IO[str]) -> int:
    """Write the catalog as CSV to `out` (header, then one row per product, formula-like text
    cells escaped by `kasir.files.write_csv_rows`); returns the number of products."""
    return write_csv_rows(out, COLUMNS, product_rows(session))

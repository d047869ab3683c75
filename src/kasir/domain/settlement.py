"""The figures of one business day's PNBP settlement (issue 19), as plain frozen data.

`kasir.services.settlement` sums them from the store; `kasir.output.settlement_pdf` lays them
out, the CSV/JSON twin writes them; a day close freezes them (`to_json`) in `day_close.figures`,
so a closed day is exported from what was frozen, never summed again. Money is int Rupiah;
percentages are Decimal (two places). No I/O here.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TypeVar, get_args, get_origin, get_type_hints

FORMAT = 1  # the version of the frozen JSON


@dataclass(frozen=True)
class Scheme:
    """An allocation scheme: parts of a base that add up to 100%."""

    pnbp_pct: Decimal = Decimal(100)
    premi_pct: Decimal = Decimal(0)
    pembinaan_pct: Decimal = Decimal(0)
    base: str = "net"  # 'net': net sales; 'margin': net sales minus cost of goods
    source: str = "default"  # 'default': the store's setting; 'upt': the UPT's own


@dataclass(frozen=True)
class Allocation:
    """A base split by a scheme; pnbp + premi + pembinaan == base exactly."""

    base: int = 0
    pnbp: int = 0
    premi: int = 0
    pembinaan: int = 0


@dataclass(frozen=True)
class UptRow:
    code: str
    name: str
    kind: str  # Lapas, Rutan, LPKA
    gross: int  # sales, after line and order discounts
    refunds: int  # refunded (positive), of refunds made this day
    net: int  # gross - refunds
    cost: int  # cost of goods of the net quantity (sales - refunds)
    scheme: Scheme
    allocation: Allocation


@dataclass(frozen=True)
class MethodRow:
    method: str  # tunai, qris, debit, kredit, transfer
    sales: int
    refunds: int  # paid back (positive)
    net: int
    count: int  # payments taken


@dataclass(frozen=True)
class CategoryRow:
    code: str
    name: str
    gross: int
    refunds: int
    net: int


@dataclass(frozen=True)
class ProductRow:
    sku: str
    name: str
    upt_code: str
    unit: str
    qty_scale: int  # 1 for pieces; 1000 for kg/l/m (qty in g, ml, mm)
    qty: int  # net quantity sold, in the product's smallest unit
    net: int


@dataclass(frozen=True)
class DocumentRow:
    """A void or a refund of the day, with its reason and approver."""

    kind: str  # 'void' or 'refund'
    receipt_number: str
    original_number: str  # the sale refunded or voided
    at: dt.datetime
    amount: int  # positive
    reason: str
    by_name: str
    approver_name: str


@dataclass(frozen=True)
class CancelledRow:
    at: dt.datetime
    counter_code: str
    cashier_name: str
    item_count: int
    total: int
    paid: int  # payments taken and dropped with the cart


@dataclass(frozen=True)
class CashMovementRow:
    at: dt.datetime
    kind: str  # in, out, drop
    amount: int
    reason: str
    by_name: str
    approver_name: str


@dataclass(frozen=True)
class ShiftCashRow:
    shift_id: int
    counter_code: str
    cashier_name: str
    opened_at: dt.datetime
    closed_at: dt.datetime | None
    opening_float: int
    cash_sales: int  # cash taken, less change
    cash_refunds: int  # cash paid back (positive)
    cash_in: int
    cash_out: int  # out and safe drops
    expected: int
    counted: int | None  # None: still open
    difference: int | None
    difference_reason: str
    movements: tuple[CashMovementRow, ...] = ()


@dataclass(frozen=True)
class ReceiptRow:
    receipt_number: str
    at: dt.datetime
    counter_code: str
    cashier_name: str
    kind: str  # sale, refund
    status: str  # completed, voided
    total: int
    methods: str  # "tunai, qris"


@dataclass(frozen=True)
class Header:
    ministry: str
    directorate: str
    satker: str
    kawasan: str
    address: str
    kode_akun: str


@dataclass(frozen=True)
class Signatory:
    title: str  # "Kasir/Pembuat", "Bendahara Penerimaan", "Mengetahui, Kepala ..."
    name: str
    nip: str


@dataclass(frozen=True)
class Deposit:
    kode_billing: str
    ntpn: str
    deposit_date: dt.date
    amount: int


@dataclass(frozen=True)
class Totals:
    gross: int = 0
    refunds: int = 0
    net: int = 0  # what the day took, rounding included: sum of the methods' net
    rounding: int = 0  # the cash rounding lines (credited to no UPT)
    discounts: int = 0  # line and order discounts given on the day's sales
    voided: int = 0  # total of the sales voided (not counted above)
    pnbp: int = 0  # PNBP due: the sum of the UPTs' pnbp parts
    premi: int = 0
    pembinaan: int = 0
    sales_count: int = 0
    refund_count: int = 0
    void_count: int = 0
    cancelled_count: int = 0


@dataclass(frozen=True)
class DayFigures:
    day: dt.date
    header: Header
    totals: Totals
    number: str | None = None  # the settlement number; None while the day is open (DRAFT)
    closed_at: dt.datetime | None = None
    closed_by: str = ""
    default_scheme: Scheme = field(default_factory=Scheme)
    methods: tuple[MethodRow, ...] = ()
    upts: tuple[UptRow, ...] = ()
    categories: tuple[CategoryRow, ...] = ()
    products: tuple[ProductRow, ...] = ()
    documents: tuple[DocumentRow, ...] = ()
    cancelled: tuple[CancelledRow, ...] = ()
    shifts: tuple[ShiftCashRow, ...] = ()
    receipts: tuple[ReceiptRow, ...] = ()
    signatories: tuple[Signatory, ...] = ()
    deposit: Deposit | None = None

    @property
    def draft(self) -> bool:
        return self.number is None

    def to_json(self) -> str:
        """The figures as JSON text (the frozen form in `day_close.figures`)."""
        return json.dumps(
            {"format": FORMAT, "figures": _plain(self)}, ensure_ascii=False, sort_keys=True
        )

    @classmethod
    def from_json(cls, text: str) -> DayFigures:
        data = json.loads(text)
        if data.get("format") != FORMAT:
            raise ValueError(f"unknown settlement figures format {data.get('format')!r}")
        return _build(cls, data["figures"])


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


T = TypeVar("T")


_HINTS: dict[type, dict[str, Any]] = {}


def _hints(cls: type) -> dict[str, Any]:
    """A dataclass's resolved field types, once per class (a day has thousands of rows)."""
    hints = _HINTS.get(cls)
    if hints is None:
        hints = _HINTS[cls] = get_type_hints(cls)
    return hints


def _build(cls: type[T], data: dict[str, Any]) -> T:
    hints = _hints(cls)
    values = {f.name: _value(hints[f.name], data[f.name]) for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    return cls(**values)


def _value(hint: Any, raw: Any) -> Any:
    if raw is None:
        return None
    origin = get_origin(hint)
    args = get_args(hint)
    if origin is tuple:
        return tuple(_value(args[0], v) for v in raw)
    if args and type(None) in args:  # X | None
        return _value(next(a for a in args if a is not type(None)), raw)
    if dataclasses.is_dataclass(hint):
        return _build(hint, raw)  # type: ignore[arg-type]
    if hint is Decimal:
        return Decimal(raw)
    if hint is dt.datetime:
        return dt.datetime.fromisoformat(raw)
    if hint is dt.date:
        return dt.date.fromisoformat(raw)
    return raw

"""Realistic selling days through the same services the counter uses (demo, load, benchmarks).

`simulate_day` opens a shift per counter, rings up N sales (baskets of 1-15 lines, every payment
method, some discounts, a few voids and refunds), then closes the shifts with the expected cash
counted. Each sale is its own transaction, as at the counter. Only today or a past day; counters
that already hold sales are refused unless forced; the shifts are closed even when the run is
interrupted (Ctrl+C) or fails.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import random
import signal
import threading
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import accumulate

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from kasir.domain.cart import Cart, Discount
from kasir.domain.measure import is_measured
from kasir.domain.payment import PaymentInput
from kasir.domain.rounding import NO_ROUNDING, CashRounding
from kasir.errors import ApprovalRequired, InsufficientStock, NotAllowed, UserError
from kasir.services import cart_edit, returns, shifts
from kasir.services import checkout as checkout_service
from kasir.services.auth import Approval, check_approval
from kasir.services.catalog import ensure_counter
from kasir.store.models import Counter, Product, Sale, Shift, User
from kasir.timeutil import JAKARTA, business_date

NOTES = (2_000, 5_000, 10_000, 20_000, 50_000, 100_000)


@dataclass
class SimResult:
    sales: int = 0
    voids: int = 0
    refunds: int = 0
    skipped: int = 0
    total: int = 0
    receipts: list[str] = field(default_factory=list)
    shifts_closed: int = 0
    interrupted: bool = False  # stopped by Ctrl+C; the shifts were closed all the same


def cash_tendered(total: int, rng: random.Random) -> int:
    """What a customer hands over: the exact amount, or a round amount above it."""
    if rng.random() < 0.35:
        return total
    for note in NOTES[2:]:
        if rng.random() < 0.5:
            return -(-total // note) * note
    return -(-total // 100_000) * 100_000


def _payments(
    total: int, rng: random.Random, n: int, rounding: CashRounding = NO_ROUNDING
) -> list[PaymentInput]:
    """The customer's payments; cash covers the cash part as the store rounds it (the store's
    `cash_rounding`), so a simulated day works with any rounding setting."""
    r = rng.random()
    if total == 0:
        return []
    if r < 0.5:
        return [PaymentInput("tunai", cash_tendered(rounding.round(total), rng))]
    if r < 0.72:
        return [PaymentInput("qris", total, f"QR{rng.randrange(10**11):011d}")]
    if r < 0.82:
        return [PaymentInput("debit", total, f"{rng.randrange(10**6):06d}")]
    if r < 0.88:
        return [PaymentInput("kredit", total, f"{rng.randrange(10**6):06d}")]
    if r < 0.94:
        return [PaymentInput("transfer", total, f"TRF-{n:05d}")]
    part = max(1, total // 2 // 1000 * 1000) if total > 1 else total
    rest = total - part
    split = [PaymentInput("qris", part, f"QR{rng.randrange(10**11):011d}")]
    if rest:
        split.append(PaymentInput("tunai", cash_tendered(rounding.round(rest), rng)))
    return split


@dataclass(frozen=True)
class SimCatalog:
    """What the simulated shoppers pick from: the active products with a barcode, each
    weighted by its price (cumulative weights, for `random.choices`). Loaded once and given to
    every simulated day (`simulate_day(catalog=...)`), not read again per day."""

    barcodes: list[str]
    weights: list[float]
    measured: frozenset[str] = frozenset()  # barcodes of goods sold by weight (kg, ...)


_CATALOG = select(Product.barcode, Product.price, Product.unit).where(
    Product.active, Product.barcode.is_not(None)
)


def load_catalog(session: Session) -> SimCatalog:
    rows = session.connection().execute(_CATALOG).all()
    # Shoppers pick snacks and coffee far more often than a teak cupboard.
    return SimCatalog(
        [str(code) for code, _price, _unit in rows],
        list(accumulate(1 / max(price, 1_000) ** 0.9 for _code, price, _unit in rows)),
        frozenset(str(code) for code, _price, unit in rows if is_measured(unit)),
    )


def simulate_day(
    factory: sessionmaker[Session],
    day: dt.date,
    sales: int,
    counters: list[str],
    *,
    seed: int = 1,
    supervisor: Approval | None = None,
    force: bool = False,
    catalog: SimCatalog | None = None,
) -> SimResult:
    """Simulate `sales` sales on `day` at `counters`; see the module docstring.

    Refused (NotAllowed) on a counter that already holds real sales (sales of a shift not
    marked `simulated`), unless `force`: simulated sales would be mixed into that counter's
    takings. The shifts opened here are marked `simulated`. A Ctrl+C stops the selling after
    the sale in progress (each sale is whole or absent), closes the shifts and returns with
    `interrupted` set; any other failure also closes the shifts before it is raised.
    `catalog`: the products to pick from (`load_catalog`), for a caller simulating several
    days; else it is loaded here."""
    today = business_date()
    if day > today:
        # A simulated future day would take that day's receipt numbers and show up in its
        # export next to the real sales; and a shift dated in the future must never be open.
        raise NotAllowed(
            f"Tanggal {day:%d-%m-%Y} masih di masa depan (hari ini {today:%d-%m-%Y}); "
            "simulasi hanya untuk hari ini atau hari yang sudah lewat."
        )
    rng = random.Random(seed)
    supervisor = supervisor or Approval("2222", "spv1")
    result = SimResult()
    with factory.begin() as s:
        catalog = catalog or load_catalog(s)
        # With their names, as a till logged in carries it (the checkout need not look it up).
        cashiers = s.execute(
            select(User.id, User.full_name).where(User.active, User.role == "kasir")
        ).all()
        if not catalog.barcodes:
            raise UserError("Toko belum punya barang aktif untuk disimulasikan.")
        if not cashiers:
            raise UserError("Tidak ada pengguna berperan kasir untuk simulasi.")
        try:
            approver_ok = check_approval(s, supervisor, "Simulasi").id > 0
        except ApprovalRequired:
            approver_ok = False
        if not force:
            _refuse_counters_with_real_sales(s, counters)
        opened_at = dt.datetime.combine(day, dt.time(8, 30), JAKARTA)
        tills: list[tuple[shifts.Till, int]] = []
        for i, code in enumerate(counters):
            counter_id = ensure_counter(s, code)
            user_id, user_name = cashiers[i % len(cashiers)]
            shift = shifts.open_shift(s, counter_id, user_id, 500_000, now=opened_at, day=day)
            # Its sales are simulated ones: a later run may use this counter again.
            s.execute(update(Shift).where(Shift.id == shift.id).values(simulated=True))
            tills.append((shifts.Till(counter_id, code.upper(), user_id, user_name), shift.id))
        start = dt.datetime.combine(day, dt.time(9, 0), JAKARTA)
        # Eight hours of selling whatever the number of sales: every sale stays on `day`.
        step = dt.timedelta(hours=8) / max(sales, 1)
        sell = _Seller(factory, rng, catalog, supervisor if approver_ok else None, result)
        closing = dt.datetime.combine(day, dt.time(17, 30), JAKARTA)
    # From the moment the shifts are committed, whatever happens closes them.
    try:
        for n in range(sales):
            sell.one(tills[n % len(tills)][0], start + step * n, n)
    except KeyboardInterrupt:
        result.interrupted = True
        closing = (sell.last_at or start) + dt.timedelta(minutes=1)
    except BaseException:
        with contextlib.suppress(Exception):
            _close_shifts(factory, tills, closing, result)
        raise
    with _no_interrupt():  # a second Ctrl+C must not leave a shift half-closed or open
        _close_shifts(factory, tills, closing, result)
    return result


def _refuse_counters_with_real_sales(s: Session, counters: list[str]) -> None:
    for code in counters:
        real = s.scalar(
            select(func.count(Sale.id))
            .join(Counter, Counter.id == Sale.counter_id)
            .join(Shift, Shift.id == Sale.shift_id)
            .where(Counter.code == code.upper(), Shift.simulated.is_(False))
        )
        if real:
            raise NotAllowed(
                f"Meja {code.upper()} sudah punya {real} transaksi sungguhan; simulasi akan "
                "tercampur dengan penjualan itu. Pakai meja lain (--counter KODE) atau "
                "tambahkan --force."
            )


def _close_shifts(
    factory: sessionmaker[Session],
    tills: list[tuple[shifts.Till, int]],
    closing: dt.datetime,
    result: SimResult,
) -> None:
    """Close the simulation's shifts with the expected cash counted (no difference)."""
    with factory.begin() as s:
        for till, shift_id in tills:
            if shifts.shift_view(s, shift_id).status != "open":
                continue
            expected = shifts.expected_cash(s, shift_id)
            shifts.close_shift(s, shift_id, max(expected, 0), till.user_id, now=closing)
            result.shifts_closed += 1


@contextlib.contextmanager
def _no_interrupt() -> Iterator[None]:
    """Ignore Ctrl+C for a moment (main thread only; elsewhere signals cannot be set)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


class _Seller:
    """Rings up one realistic sale at a till, sometimes followed by a void or a refund."""

    def __init__(
        self,
        factory: sessionmaker[Session],
        rng: random.Random,
        catalog: SimCatalog,
        supervisor: Approval | None,
        result: SimResult,
    ) -> None:
        self.factory = factory
        self.rng = rng
        self.barcodes = catalog.barcodes
        self.weights = catalog.weights
        self.measured = catalog.measured
        self.supervisor = supervisor
        self.result = result
        self.last_at: dt.datetime | None = None  # the simulated time of the last sale begun

    def one(self, till: shifts.Till, now: dt.datetime, n: int) -> None:
        factory, rng, result, supervisor = self.factory, self.rng, self.result, self.supervisor
        self.last_at = now
        cart = Cart()
        try:
            with factory.begin() as s:
                for _ in range(rng.randint(1, 15)):
                    code = rng.choices(self.barcodes, cum_weights=self.weights)[0]
                    # Each step's view is the cart as the window shows it: the last one is
                    # the cart to pay (no view of it made again).
                    qty: int | str = rng.choice((1, 1, 1, 2, 3))
                    if code in self.measured:  # weighed, 250 g to 2 kg (no draw: same days)
                        qty = f"{250 + zlib.crc32(f'{n}:{code}'.encode()) % 1751}g"
                    view = cart_edit.add_by_barcode(s, cart, code, qty)
                if rng.random() < 0.1:
                    view = cart_edit.set_line_discount(s, cart, 0, Discount("percent", Decimal(5)))
                if rng.random() < 0.03 and view.total > 100_000:
                    view = cart_edit.set_order_discount(s, cart, Discount("amount", 5_000))
                paid = _payments(view.total, rng, n, checkout_service.cash_rounding(s))
                sale = checkout_service.checkout(s, till, cart, paid, now=now)
        except (InsufficientStock, NotAllowed):
            result.skipped += 1
            return
        result.sales += 1
        result.total += sale.total
        result.receipts.append(sale.receipt_number)
        if supervisor is not None and rng.random() < 0.02:
            # A QRIS or card payment is reversed on the terminal: its reference is recorded.
            non_cash = [p for p in sale.payments if p.method != "tunai"]
            reversals = [f"BTL-{n:05d}-{i}" for i, _p in enumerate(non_cash)]
            with factory.begin() as s:
                returns.void_sale(
                    s, till, sale.receipt_number, "Salah input kasir", supervisor,
                    reversal_references=reversals, now=now,
                )  # fmt: skip
            result.voids += 1
            result.total -= sale.total
        elif supervisor is not None and rng.random() < 0.02 and result.receipts:
            earlier = rng.choice(result.receipts)
            try:
                with factory.begin() as s:
                    refund = returns.refund_sale(
                        s,
                        till,
                        earlier,
                        [returns.RefundItem(1, 1)],
                        "Barang rusak/cacat",
                        supervisor,
                        reference=f"RTR-{n:05d}",  # the payment back, when not in cash
                        now=now + dt.timedelta(seconds=1),
                    )
            except UserError:
                return  # voided or already refunded: a real cashier would be told so
            result.refunds += 1
            result.total += refund.total

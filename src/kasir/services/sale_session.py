"""The sale in progress at a till, without Qt: the cart, the payments taken so far, approvals,
park and recall, and the shift rules. The sale screen renders its `SaleState` and forwards keys.

Every change is one call with the unit of work's `Session`: it edits a copy of the cart (the
rules are `kasir.services.cart_edit`), stores that copy and the payments as the counter's draft
(`kasir.services.drafts`) in the same unit of work, and only then makes the copy current. A call
that fails (a refused discount, a locked database) leaves the sale exactly as it was, in memory
and in the store; one that returns is on disk, so `kill -9` or a power cut loses nothing:
`SaleSession.resume` comes back to the cart and its payments.

The sale's UUID is made when the cart starts and goes with it into checkout: checkout with a UUID
already stored returns that sale, so F9 pressed again after a lost answer never stores a second
sale. The session is used from one thread at a time (the window's worker).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from kasir.domain.cart import Cart, Discount
from kasir.domain.payment import Due, PaymentInput, check_part, method_label
from kasir.domain.rounding import NO_ROUNDING, CashRounding
from kasir.domain.vocab import PaymentMethod
from kasir.errors import NotAllowed, ValidationError
from kasir.money import format_rupiah
from kasir.services import cart_edit, drafts, journal, parking
from kasir.services import checkout as checkout_service
from kasir.services.auth import Approval
from kasir.services.cart_edit import CartView
from kasir.services.parking import ParkedView, Recalled
from kasir.services.sale_lookup import SaleView
from kasir.services.shifts import Till
from kasir.store.bulk import insert_many
from kasir.store.models import CancelledSale, CancelledSaleLine, RemovedPayment, Shift, table_of
from kasir.store.types import uuid7_text
from kasir.timeutil import local, utcnow


@dataclass(frozen=True)
class SaleState:
    """What the sale screen shows: the cart as priced now and the payments taken for it."""

    sale_uuid: str
    cart: CartView
    payments: tuple[PaymentInput, ...]
    rounding: CashRounding = NO_ROUNDING  # the store's cash rounding rule

    @property
    def paid(self) -> int:
        """What was handed over so far (cash as tendered)."""
        return sum(p.amount for p in self.payments)

    @property
    def due(self) -> Due:
        """What is still to pay, by cash (rounded) or otherwise."""
        return Due.of(self.cart.total, self.payments, self.rounding)

    @property
    def remaining(self) -> int:
        """What is still to be paid (0 once the payments cover the total, cash rounding
        included: see `Due.remaining`)."""
        return self.due.remaining

    @property
    def cash_note(self) -> str:
        """With cash rounding on and a cash part to round: what cash pays, e.g. 'Tunai
        dibulatkan Rp 30.500 (pembulatan +Rp 250)'; else ''."""
        due = self.due
        if not self.rounding.on or due.covered or not due.cash_rounding:
            return ""
        sign = "+" if due.cash_rounding > 0 else "-"
        return (
            f"Tunai dibulatkan {format_rupiah(due.cash_remaining)} "
            f"(pembulatan {sign}{format_rupiah(abs(due.cash_rounding))})"
        )

    @property
    def empty(self) -> bool:
        return not self.cart.lines and not self.payments


@dataclass(frozen=True)
class Done:
    """A sale stored by `SaleSession.checkout`; the session has started a new cart."""

    sale: SaleView
    state: SaleState


@dataclass(frozen=True)
class _Sale:
    """The session's figures: committed ones, or those staged in an open unit of work."""

    cart: Cart
    payments: tuple[PaymentInput, ...]
    sale_uuid: str


def _fresh() -> _Sale:
    sale_uuid = uuid7_text()
    return _Sale(Cart(key=sale_uuid), (), sale_uuid)


class SaleSession:
    """One till's sale in progress (see the module docstring).

    A change becomes current when the unit of work that made it commits (and is dropped when it
    rolls back), so what the session holds in memory is always what the store holds: a commit
    that fails after the change was written (a full disk, a lost server) leaves the old cart."""

    def __init__(self, till: Till) -> None:
        self.till = till
        self._sale = _fresh()
        self._staged: tuple[Session, _Sale] | None = None

    @property
    def cart(self) -> Cart:
        return self._sale.cart

    @property
    def payments(self) -> tuple[PaymentInput, ...]:
        return self._sale.payments

    @property
    def sale_uuid(self) -> str:
        return self._sale.sale_uuid

    @property
    def asker(self) -> cart_edit.Asker:
        """Who asks for this sale's approvals: its cashier (never the approver)."""
        return cart_edit.Asker(self.till.user_id, self.till.counter_id)

    # --- staging --------------------------------------------------------------------------------

    def _current(self, session: Session) -> _Sale:
        if self._staged is not None and self._staged[0] is session:
            return self._staged[1]
        return self._sale

    def _stage(self, session: Session, sale: _Sale) -> None:
        if self._staged is None or self._staged[0] is not session:
            event.listen(session, "after_commit", self._committed)
            event.listen(session, "after_rollback", self._rolled_back)
        self._staged = (session, sale)

    def _committed(self, session: Session) -> None:
        if self._staged is not None and self._staged[0] is session:
            self._sale = self._staged[1]
            self._staged = None

    def _rolled_back(self, session: Session) -> None:
        if self._staged is not None and self._staged[0] is session:
            self._staged = None

    # --- starting, resuming ---------------------------------------------------------------------

    @classmethod
    def resume(cls, session: Session, till: Till) -> tuple[SaleSession, str | None]:
        """The till's session, with the counter's cart in progress if one was stored (a crash,
        a power cut, a logout on a stale shift), and the sentence that tells the cashier so."""
        sale = cls(till)
        draft = drafts.load_draft(session, till.counter_id)
        if draft is None:
            return sale, None
        draft.cart.key = draft.sale_uuid  # the approvals are recorded under the sale's UUID
        sale._sale = _Sale(draft.cart, draft.payments, draft.sale_uuid)
        if _shift_of(till) is not None and draft.shift_id != _shift_of(till):
            sale._store(session, sale._sale)  # the cart now belongs to this till's shift
        items = sum(line.items for line in draft.cart.lines)
        text = (
            f"Keranjang yang belum selesai dipulihkan ({items} barang, disimpan "
            f"{local(draft.updated_at):%H:%M} oleh {draft.cashier_name})."
        )
        if draft.payments:
            taken = ", ".join(
                f"{method_label(p.method)} {format_rupiah(p.amount)}" for p in draft.payments
            )
            text += f" Pembayaran yang sudah diterima: {taken}; F9 untuk melanjutkan."
        return sale, text

    def state(self, session: Session, warnings: tuple[str, ...] = ()) -> SaleState:
        current = self._current(session)
        view = cart_edit.view_cart(session, current.cart, warnings)
        return _state(session, current, view)

    # --- the cart -------------------------------------------------------------------------------

    def _edit(self, session: Session, change: Callable[[Cart], CartView]) -> SaleState:
        """Apply `change` to a copy of the cart and store it.

        With payments taken the cart may still change, but never below what was paid by a
        non-cash method (that money cannot be handed back as change)."""
        current = self._current(session)
        work = current.cart.copy()
        view = change(work)
        non_cash = sum(p.amount for p in current.payments if p.method != PaymentMethod.TUNAI)
        if non_cash > view.total:
            raise NotAllowed(
                f"Sudah dibayar non-tunai {format_rupiah(non_cash)}; total tidak boleh turun di "
                f"bawahnya (menjadi {format_rupiah(view.total)}). Perubahan dibatalkan."
            )
        staged = _Sale(work, current.payments, current.sale_uuid)
        self._store(session, staged)
        return _state(session, staged, view)

    def scan(self, session: Session, code: str, qty: int | str = 1) -> SaleState:
        """A scanned barcode or a typed SKU (`NotFound` when neither)."""
        return self._edit(session, lambda cart: cart_edit.add_by_code(session, cart, code, qty))

    def add_product(self, session: Session, product_id: int, qty: int | str = 1) -> SaleState:
        """A product picked from the search or the catalog."""
        return self._edit(session, lambda cart: cart_edit.add_by_id(session, cart, product_id, qty))

    def set_quantity(self, session: Session, index: int, qty: int | str) -> SaleState:
        return self._edit(session, lambda cart: cart_edit.set_quantity(session, cart, index, qty))

    def remove_line(self, session: Session, index: int) -> SaleState:
        return self._edit(session, lambda cart: cart_edit.remove_line(session, cart, index))

    def set_line_discount(
        self,
        session: Session,
        index: int,
        discount: Discount | None,
        approval: Approval | None = None,
    ) -> SaleState:
        return self._edit(
            session,
            lambda cart: cart_edit.set_line_discount(
                session, cart, index, discount, approval, self.asker
            ),
        )

    def set_order_discount(
        self, session: Session, discount: Discount | None, approval: Approval | None = None
    ) -> SaleState:
        return self._edit(
            session,
            lambda cart: cart_edit.set_order_discount(
                session, cart, discount, approval, self.asker
            ),
        )

    def override_price(
        self, session: Session, index: int, price: int, approval: Approval | None
    ) -> SaleState:
        return self._edit(
            session,
            lambda cart: cart_edit.override_price(
                session, cart, index, price, approval, self.asker
            ),
        )

    # --- payments -------------------------------------------------------------------------------

    def add_payment(self, session: Session, payment: PaymentInput) -> SaleState:
        """A payment taken (a part, or the last one): checked against what is still due and
        stored at once, with its QRIS/EDC reference. A non-cash payment pays at most what is
        left unrounded; cash may be more (change), the rest rounded by the cash rounding."""
        current = self._current(session)
        if not current.cart.lines:
            raise ValidationError("Keranjang kosong; pindai barang dulu.")
        view = cart_edit.view_cart(session, current.cart)
        due = Due.of(view.total, current.payments, checkout_service.cash_rounding(session))
        if due.covered or due.remaining == 0:
            raise ValidationError("Pembayaran sudah cukup; tekan Enter untuk menyelesaikan.")
        staged = _Sale(
            current.cart,
            (*current.payments, check_part(due.exact_remaining, payment)),
            current.sale_uuid,
        )
        self._store(session, staged)
        return _state(session, staged, view)

    def remove_payment(
        self,
        session: Session,
        index: int,
        reason: str | None = None,
        *,
        now: dt.datetime | None = None,
    ) -> SaleState:
        """Remove one payment taken for the cart (the cashier chose it in the payment dialog).

        The removal is recorded (`removed_payment`: who, when, method, amount, reason). A
        QRIS, card or transfer payment needs the `reason` (that money has to go back to the
        customer by its own method); cash just goes back to the customer's hand."""
        current = self._current(session)
        if not 0 <= index < len(current.payments):
            raise ValidationError("Pembayaran itu tidak ada.")
        payment = current.payments[index]
        cleaned = _removal_reason(payment, reason)
        session.add(
            RemovedPayment(
                sale_uuid=current.sale_uuid,
                counter_id=self.till.counter_id,
                shift_id=_selling_shift(session, self.till)[0],
                user_id=self.till.user_id,
                removed_at=(now or utcnow()).astimezone(dt.UTC),
                method=payment.method,
                amount=payment.amount,
                reference=payment.reference,
                reason=cleaned,
            )
        )
        session.flush()
        payments = current.payments[:index] + current.payments[index + 1 :]
        self._store(session, _Sale(current.cart, payments, current.sale_uuid))
        return self.state(session)

    def checkout(self, session: Session, *, now: dt.datetime | None = None) -> Done:
        """Store the sale with the payments taken (`PaymentError` when they do not cover it).

        The draft goes in the same transaction. The same sale checked out again (its answer
        was lost) returns the stored sale."""
        current = self._current(session)
        sale = checkout_service.checkout(
            session,
            self.till,
            current.cart,
            list(current.payments),
            now=now,
            sale_uuid=current.sale_uuid,
        )
        drafts.clear_draft(session, self.till.counter_id)
        self._stage(session, _fresh())
        return Done(sale, self.state(session))

    def cancel(self, session: Session, *, now: dt.datetime | None = None) -> SaleState:
        """Empty the cart and drop the payments (the window asks first). A cart with lines or
        payments is recorded as a cancelled sale (`cancelled_sale`, its lines, and its payments
        as `removed_payment` rows pointing at it): who, when, counter, shift, what it held."""
        current = self._current(session)
        if current.cart.lines or current.payments:
            _record_cancelled(session, self.till, current, (now or utcnow()).astimezone(dt.UTC))
        drafts.clear_draft(session, self.till.counter_id)
        self._stage(session, _fresh())
        return self.state(session)

    # --- park and recall ------------------------------------------------------------------------

    def park(self, session: Session, label: str = "") -> tuple[ParkedView, SaleState]:
        current = self._current(session)
        if current.payments:
            raise NotAllowed(
                f"Sudah diterima {format_rupiah(sum(p.amount for p in current.payments))} untuk "
                "keranjang ini: selesaikan (F9) atau batalkan (Esc) dulu."
            )
        if not label and current.cart.lines:
            label = f"{current.cart.lines[0].name} dst."
        parked = parking.park_cart(session, self.till, current.cart, label)
        drafts.clear_draft(session, self.till.counter_id)
        self._stage(session, _fresh())
        return parked, self.state(session)

    def recall(self, session: Session, parked_id: int) -> tuple[Recalled, SaleState]:
        """Take a parked cart back, re-priced from the catalog (see `parking.recall_cart`)."""
        current = self._current(session)
        if current.cart.lines or current.payments:
            raise NotAllowed("Keranjang masih berisi; simpan (F8) atau selesaikan dulu.")
        recalled = parking.recall_cart(session, parked_id, self.till.user_id)
        # The parked cart's key was the UUID of the sale it was parked from (never checked
        # out): it goes on as this sale's, so the approvals recorded under it still count.
        key = recalled.cart.key
        if checkout_service.stored_sale_id(session, key) is not None:
            key = recalled.cart.key = current.sale_uuid
        self._store(session, _Sale(recalled.cart, (), key))
        return recalled, self.state(session)

    # --- the draft ------------------------------------------------------------------------------

    def _store(self, session: Session, sale: _Sale) -> None:
        """Write `sale` as the counter's draft and stage it for this unit of work."""
        if not sale.cart.lines and not sale.payments:
            drafts.clear_draft(session, self.till.counter_id)
        else:
            drafts.save_draft(
                session,
                counter_id=self.till.counter_id,
                cashier_id=self.till.user_id,
                shift_id=_shift_of(self.till),
                sale_uuid=sale.sale_uuid,
                cart=sale.cart,
                payments=sale.payments,
            )
        self._stage(session, sale)


def _state(session: Session, sale: _Sale, view: CartView) -> SaleState:
    return SaleState(sale.sale_uuid, view, sale.payments, checkout_service.cash_rounding(session))


CANCELLED_REASON = "Keranjang dibatalkan"


def _removal_reason(payment: PaymentInput, reason: str | None) -> str | None:
    text = " ".join((reason or "").split())
    if payment.method == PaymentMethod.TUNAI:
        return text[:500] or None
    what = f"{method_label(payment.method)} {format_rupiah(payment.amount)}"
    if len(text) < 3:
        raise ValidationError(f"Alasan menghapus pembayaran {what} wajib diisi.")
    if len(text) > 500:
        raise ValidationError("Alasan terlalu panjang (maks. 500 huruf).")
    return text


def _record_cancelled(session: Session, till: Till, sale: _Sale, now: dt.datetime) -> None:
    """Store the cancelled cart, its lines as priced now and its payments."""
    view = cart_edit.view_cart(session, sale.cart)
    shift_id, day = _selling_shift(session, till)
    row = CancelledSale(
        uuid=sale.sale_uuid,
        counter_id=till.counter_id,
        shift_id=shift_id,
        cashier_id=till.user_id,
        business_date=day or local(now).date(),
        cancelled_at=now,
        item_count=view.item_count,
        subtotal=view.subtotal,
        discount_total=view.discount_total,
        total=view.total,
        paid=sum(p.amount for p in sale.payments),
    )
    session.add(row)
    session.flush()
    insert_many(
        session.connection(),
        table_of(CancelledSaleLine),
        [
            {
                "cancelled_sale_id": row.id,
                "line_no": line.index + 1,
                "product_id": line.product_id,
                "sku": line.sku,
                "name": line.name,
                "upt_code": line.upt_code,
                "qty": line.qty,
                "unit_price": line.unit_price,
                "discount": line.line_discount + line.order_share,
                "line_total": line.line_total,
            }
            for line in view.lines
        ],
    )
    for payment in sale.payments:
        session.add(
            RemovedPayment(
                sale_uuid=sale.sale_uuid,
                counter_id=till.counter_id,
                shift_id=shift_id,
                user_id=till.user_id,
                removed_at=now,
                method=payment.method,
                amount=payment.amount,
                reference=payment.reference,
                reason=CANCELLED_REASON,
                cancelled_sale_id=row.id,
            )
        )
    session.flush()
    journal.append(session, till.counter_id, "cancelled", row.id, f"batal #{row.id}", now=now)


def _selling_shift(session: Session, till: Till) -> tuple[int | None, dt.date | None]:
    """The shift the till sells on (its own, or the counter's open one) and its business day."""
    shift_id = _shift_of(till)
    query = select(Shift.id, Shift.business_date)
    if shift_id is not None:
        query = query.where(Shift.id == shift_id)
    else:
        query = query.where(Shift.counter_id == till.counter_id, Shift.status == "open")
    row = session.execute(query).first()
    return (None, None) if row is None else (int(row[0]), row[1])


def _shift_of(till: Till) -> int | None:
    """The shift the till opened or took over (None for a till not bound to one)."""
    shift_id: int | None = getattr(till, "shift_id", None)
    return shift_id

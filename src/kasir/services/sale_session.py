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

from sqlalchemy import event
from sqlalchemy.orm import Session

from kasir.domain.cart import Cart, Discount
from kasir.domain.payment import PaymentInput, check_part, method_label
from kasir.domain.vocab import PaymentMethod
from kasir.errors import NotAllowed, ValidationError
from kasir.money import format_rupiah
from kasir.services import cart_edit, drafts, parking
from kasir.services import checkout as checkout_service
from kasir.services.auth import Approval
from kasir.services.cart_edit import CartView
from kasir.services.parking import ParkedView, Recalled
from kasir.services.sale_lookup import SaleView
from kasir.services.shifts import Till
from kasir.store.types import uuid7_text
from kasir.timeutil import local


@dataclass(frozen=True)
class SaleState:
    """What the sale screen shows: the cart as priced now and the payments taken for it."""

    sale_uuid: str
    cart: CartView
    payments: tuple[PaymentInput, ...]

    @property
    def paid(self) -> int:
        """What was handed over so far (cash as tendered)."""
        return sum(p.amount for p in self.payments)

    @property
    def remaining(self) -> int:
        """What is still to be paid (0 once the payments cover the total)."""
        return max(0, self.cart.total - self.paid)

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
    return _Sale(Cart(), (), uuid7_text())


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
        return SaleState(current.sale_uuid, view, current.payments)

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
        return SaleState(staged.sale_uuid, view, staged.payments)

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
            lambda cart: cart_edit.set_line_discount(session, cart, index, discount, approval),
        )

    def set_order_discount(
        self, session: Session, discount: Discount | None, approval: Approval | None = None
    ) -> SaleState:
        return self._edit(
            session, lambda cart: cart_edit.set_order_discount(session, cart, discount, approval)
        )

    def override_price(
        self, session: Session, index: int, price: int, approval: Approval | None
    ) -> SaleState:
        return self._edit(
            session, lambda cart: cart_edit.override_price(session, cart, index, price, approval)
        )

    # --- payments -------------------------------------------------------------------------------

    def add_payment(self, session: Session, payment: PaymentInput) -> SaleState:
        """A payment taken (a part, or the last one): checked against what is still due and
        stored at once, with its QRIS/EDC reference."""
        current = self._current(session)
        if not current.cart.lines:
            raise ValidationError("Keranjang kosong; pindai barang dulu.")
        view = cart_edit.view_cart(session, current.cart)
        remaining = max(0, view.total - sum(p.amount for p in current.payments))
        if remaining == 0:
            raise ValidationError("Pembayaran sudah cukup; tekan Enter untuk menyelesaikan.")
        staged = _Sale(
            current.cart, (*current.payments, check_part(remaining, payment)), current.sale_uuid
        )
        self._store(session, staged)
        return SaleState(staged.sale_uuid, view, staged.payments)

    def remove_payment(self, session: Session, index: int) -> SaleState:
        current = self._current(session)
        if not 0 <= index < len(current.payments):
            raise ValidationError("Pembayaran itu tidak ada.")
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

    def cancel(self, session: Session) -> SaleState:
        """Empty the cart and drop the payments (the window asks first)."""
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
        recalled = parking.recall_cart(session, parked_id)
        self._store(session, _Sale(recalled.cart, (), current.sale_uuid))
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


def _shift_of(till: Till) -> int | None:
    """The shift the till opened or took over (None for a till not bound to one)."""
    shift_id: int | None = getattr(till, "shift_id", None)
    return shift_id

"""Payments: the one validation of money taken and paid back, pure rules, no I/O.

Checkout (`settle`), the payment dialog (`check_part` for each entry, then `settle`), refunds
(`payback`) and voids (`reversal_reference`) all go through these functions, so a method, an
amount or a reference is accepted or refused the same way everywhere.

Only cash may exceed what is due (the difference is change, given in Rupiah). Non-cash methods
(QRIS, debit, kredit, transfer) together pay at most the total. Several cash entries are merged.
Money going back to a customer by a non-cash method always needs the reference of that
reversal (the QRIS refund, the EDC void, the transfer); taking a transfer does not.

Cash rounding (`kasir.domain.rounding`): `settlement` rounds the cash part of a total (the total
less the non-cash payments) when cash pays it, and returns the rounding with the payments;
`Due` says what is still to pay by cash (rounded) or otherwise (unrounded) while payments are
being taken.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from kasir.domain.rounding import NO_ROUNDING, CashRounding
from kasir.domain.vocab import PaymentMethod
from kasir.errors import PaymentError, ValidationError
from kasir.money import TERBILANG_MAX, ensure_rupiah, format_rupiah

METHODS: tuple[PaymentMethod, ...] = tuple(PaymentMethod)  # in the order of the F-keys
METHOD_LABELS: dict[str, str] = {
    PaymentMethod.TUNAI: "Tunai",
    PaymentMethod.QRIS: "QRIS",
    PaymentMethod.DEBIT: "Kartu Debit",
    PaymentMethod.KREDIT: "Kartu Kredit",
    PaymentMethod.TRANSFER: "Transfer",
}
REFERENCE_NAMES: dict[str, str] = {
    PaymentMethod.QRIS: "referensi QRIS",
    PaymentMethod.DEBIT: "kode approval EDC",
    PaymentMethod.KREDIT: "kode approval EDC",
    PaymentMethod.TRANSFER: "referensi transfer",
}
"""What the reference of a non-cash payment is called (on the screen, in messages)."""
NEEDS_REFERENCE: dict[str, str] = {
    m: name for m, name in REFERENCE_NAMES.items() if m != PaymentMethod.TRANSFER
}
"""Methods whose reference is required when taking money (a transfer's is optional)."""
_BY_VALUE = {m.value: m for m in PaymentMethod}
MAX_REFERENCE = 100  # payment.reference and payment.reversal_reference are String(100)
MAX_AMOUNT = TERBILANG_MAX  # what a cashier can type (15 digits); far inside BigInteger


@dataclass(frozen=True)
class PaymentInput:
    """What the cashier entered: for cash, `amount` is what the customer handed over."""

    method: str
    amount: int
    reference: str | None = None


@dataclass(frozen=True)
class SettledPayment:
    method: str
    amount: int  # applied to the total (negative when paid back)
    tendered: int
    change: int
    reference: str | None


def method_label(method: str) -> str:
    return METHOD_LABELS.get(method, method)


def parse_method(method: object, what: str = "pembayaran") -> PaymentMethod:
    """The method as a `PaymentMethod`; ValidationError for anything else."""
    if isinstance(method, str) and method in _BY_VALUE:
        return _BY_VALUE[method]
    raise ValidationError(f"Metode {what} tidak dikenal: {method!r}.")


def clean_reference(
    method: str, reference: str | None, *, required: bool, what: str = ""
) -> str | None:
    """A payment reference trimmed (None when empty), checked for length and control
    characters; `required` and missing: ValidationError naming what is missing."""
    if reference is not None and not isinstance(reference, str):
        raise ValidationError("Referensi pembayaran harus berupa teks.")
    text = " ".join((reference or "").split())
    if required and not text:
        name = REFERENCE_NAMES.get(method, "referensi")
        prefix = what or method_label(method)
        raise ValidationError(f"{prefix}: {name} wajib diisi.")
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in text):
        raise ValidationError("Referensi pembayaran berisi karakter kontrol; ketik ulang.")
    if len(text) > MAX_REFERENCE:
        raise ValidationError(
            f"Referensi pembayaran terlalu panjang ({len(text)} huruf, maks. {MAX_REFERENCE})."
        )
    return text or None


def _amount(value: object) -> int:
    amount = ensure_rupiah(value, "pembayaran")
    if amount <= 0:
        raise ValidationError("Jumlah pembayaran harus lebih dari 0.")
    if amount > MAX_AMOUNT:
        raise ValidationError(f"Jumlah pembayaran {format_rupiah(amount)} terlalu besar.")
    return amount


def check_payment(payment: PaymentInput) -> PaymentInput:
    """One payment entry on its own: a known method, an amount above 0, its reference."""
    method = parse_method(payment.method)
    amount = _amount(payment.amount)
    reference = clean_reference(method, payment.reference, required=method in NEEDS_REFERENCE)
    if method == PaymentMethod.TUNAI:
        reference = None
    return PaymentInput(method.value, amount, reference)


def check_part(remaining: int, payment: PaymentInput) -> PaymentInput:
    """An entry of the payment dialog against what is still due: non-cash at most that."""
    checked = check_payment(payment)
    if checked.method != PaymentMethod.TUNAI and checked.amount > remaining:
        raise PaymentError(
            f"{method_label(checked.method)} tidak boleh melebihi sisa "
            f"{format_rupiah(remaining)}; hanya tunai yang ada kembalian."
        )
    return checked


@dataclass(frozen=True)
class Settlement:
    """The payments of a sale as stored, and the cash rounding: the sale's total is its goods
    total plus `rounding` (0 unless the cash part was rounded, see `kasir.domain.rounding`)."""

    payments: list[SettledPayment]
    rounding: int

    def total(self, goods_total: int) -> int:
        return goods_total + self.rounding


def settle(total: int, payments: list[PaymentInput]) -> list[SettledPayment]:
    """Check `payments` against `total` and work out the change (PaymentError if they don't)."""
    return settlement(total, payments, NO_ROUNDING).payments


def settlement(total: int, payments: list[PaymentInput], rule: CashRounding) -> Settlement:
    """Check `payments` against the goods `total` and work out the change, the cash part
    (total less non-cash) rounded by `rule` when cash pays it (PaymentError if they don't)."""
    ensure_rupiah(total, "total")
    cash_tendered = 0
    non_cash: list[SettledPayment] = []
    for p in map(check_payment, payments):
        if p.method == PaymentMethod.TUNAI:
            cash_tendered += p.amount
        else:
            non_cash.append(SettledPayment(p.method, p.amount, p.amount, 0, p.reference))
    non_cash_sum = sum(p.amount for p in non_cash)
    if non_cash_sum > total:
        raise PaymentError(
            f"Pembayaran non-tunai {format_rupiah(non_cash_sum)} melebihi total "
            f"{format_rupiah(total)}; hanya tunai yang boleh lebih (ada kembalian)."
        )
    cash_due = total - non_cash_sum
    rounding = rule.difference(cash_due) if cash_tendered and cash_due else 0
    cash_due += rounding
    if cash_tendered < cash_due:
        rounded = f", tunai dibulatkan {format_rupiah(cash_due)}" if rounding else ""
        raise PaymentError(
            f"Pembayaran kurang {format_rupiah(cash_due - cash_tendered)} "
            f"(total {format_rupiah(total)}{rounded})."
        )
    settled = list(non_cash)
    if cash_tendered:
        if cash_due == 0:
            raise PaymentError("Total sudah lunas tanpa tunai; hapus pembayaran tunai.")
        settled.insert(
            0,
            SettledPayment(
                PaymentMethod.TUNAI.value,
                cash_due,
                cash_tendered,
                cash_tendered - cash_due,
                None,
            ),
        )
    return Settlement(settled, rounding)


@dataclass(frozen=True)
class Due:
    """What is still to pay of a goods `total` after the payments taken so far, under a cash
    rounding `rule` (the payment dialog, the sale screen, the sale session)."""

    total: int
    non_cash: int  # paid by QRIS, card, transfer
    cash: int  # cash handed over so far
    rule: CashRounding = NO_ROUNDING

    @classmethod
    def of(
        cls, total: int, payments: Iterable[PaymentInput], rule: CashRounding = NO_ROUNDING
    ) -> Due:
        taken = list(payments)
        cash = sum(p.amount for p in taken if p.method == PaymentMethod.TUNAI)
        return cls(total, sum(p.amount for p in taken) - cash, cash, rule)

    @property
    def cash_part(self) -> int:
        """The part of the total left for cash (the total less the non-cash payments)."""
        return max(0, self.total - self.non_cash)

    @property
    def cash_rounding(self) -> int:
        """The rounding of the sale when its cash part is paid in cash."""
        return self.rule.difference(self.cash_part)

    @property
    def exact_remaining(self) -> int:
        """What is still to pay, unrounded: the most a non-cash payment may still pay."""
        return max(0, self.total - self.non_cash - self.cash)

    @property
    def cash_remaining(self) -> int:
        """The cash still to hand over when the rest is paid in cash (rounded)."""
        return max(0, self.rule.round(self.cash_part) - self.cash)

    @property
    def covered(self) -> bool:
        """The payments settle the sale (checkout may store it)."""
        if self.non_cash > self.total:
            return False
        if not self.cash:
            return self.cash_part == 0
        return self.cash_part > 0 and self.cash >= self.rule.round(self.cash_part)

    @property
    def remaining(self) -> int:
        """What is still to pay (0 once covered): unrounded, or the rounded cash still due
        when only cash can pay the rest (a cash part rounded up)."""
        if self.covered:
            return 0
        return self.exact_remaining or self.cash_remaining

    def remaining_by(self, method: str) -> int:
        """What `method` still has to pay: cash rounded, others unrounded."""
        if self.covered:
            return 0
        if method == PaymentMethod.TUNAI:
            return self.cash_remaining
        return self.exact_remaining


def payback(amount: int, method: object, reference: str | None) -> SettledPayment | None:
    """Money paid back to a customer (a refund): `amount` >= 0 by `method`, the reference of
    the reversal required for every non-cash method. None when there is nothing to pay back
    (then no reference is needed, but one given is still checked)."""
    ensure_rupiah(amount, "pengembalian")
    if amount < 0:
        raise ValueError(f"a payback is not negative, got {amount}")
    checked = parse_method(method, "pengembalian uang")
    if amount == 0:
        clean_reference(checked, reference, required=False)
        return None
    ref = reversal_reference(checked, reference, what=f"Uang kembali lewat {method_label(checked)}")
    return SettledPayment(checked.value, -amount, -amount, 0, ref)


def reversal_reference(method: str, reference: str | None, *, what: str = "") -> str | None:
    """The reference of money going back by `method`: required unless cash (never kept for
    cash)."""
    is_cash = method == PaymentMethod.TUNAI
    checked = clean_reference(
        method, reference, required=not is_cash, what=what or f"Pembatalan {method_label(method)}"
    )
    return None if is_cash else checked


def default_refund_method(payments: Iterable[tuple[str, int]]) -> str:
    """How a refund pays back by default: the way the sale was paid, i.e. the method of its
    largest payment (a non-cash one on a tie; cash for a sale paid with nothing)."""
    best: tuple[int, bool, str] | None = None
    for method, amount in payments:
        key = (amount, method != PaymentMethod.TUNAI, method)
        if best is None or key[:2] > best[:2]:
            best = key
    return PaymentMethod.TUNAI.value if best is None else str(best[2])

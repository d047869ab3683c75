"""Settling a total with one or more payments: pure rules, no I/O.

Only cash may exceed what is due (the difference is change, given in Rupiah). Non-cash methods
(QRIS, debit, kredit, transfer) together pay at most the total. Several cash entries are merged.
"""

from __future__ import annotations

from dataclasses import dataclass

from kasir.errors import PaymentError, ValidationError
from kasir.money import ensure_rupiah, format_rupiah

METHODS = ("tunai", "qris", "debit", "kredit", "transfer")
METHOD_LABELS = {
    "tunai": "Tunai",
    "qris": "QRIS",
    "debit": "Kartu Debit",
    "kredit": "Kartu Kredit",
    "transfer": "Transfer",
}
NEEDS_REFERENCE = {
    "qris": "referensi QRIS",
    "debit": "kode approval EDC",
    "kredit": "kode approval EDC",
}


@dataclass(frozen=True)
class PaymentInput:
    """What the cashier entered: for cash, `amount` is what the customer handed over."""

    method: str
    amount: int
    reference: str | None = None


@dataclass(frozen=True)
class SettledPayment:
    method: str
    amount: int  # applied to the total
    tendered: int
    change: int
    reference: str | None


def settle(total: int, payments: list[PaymentInput]) -> list[SettledPayment]:
    """Check `payments` against `total` and work out the change (PaymentError if they don't)."""
    ensure_rupiah(total, "total")
    cash_tendered = 0
    non_cash: list[SettledPayment] = []
    for p in payments:
        if p.method not in METHODS:
            raise ValidationError(f"Metode pembayaran tidak dikenal: {p.method!r}.")
        ensure_rupiah(p.amount, "pembayaran")
        if p.amount <= 0:
            raise ValidationError("Jumlah pembayaran harus lebih dari 0.")
        reference = (p.reference or "").strip() or None
        if p.method in NEEDS_REFERENCE and reference is None:
            raise ValidationError(
                f"{METHOD_LABELS[p.method]}: {NEEDS_REFERENCE[p.method]} wajib diisi."
            )
        if reference is not None and len(reference) > 100:
            raise ValidationError("Referensi pembayaran terlalu panjang (maks. 100 huruf).")
        if p.method == "tunai":
            cash_tendered += p.amount
        else:
            non_cash.append(SettledPayment(p.method, p.amount, p.amount, 0, reference))
    non_cash_sum = sum(p.amount for p in non_cash)
    if non_cash_sum > total:
        raise PaymentError(
            f"Pembayaran non-tunai {format_rupiah(non_cash_sum)} melebihi total "
            f"{format_rupiah(total)}; hanya tunai yang boleh lebih (ada kembalian)."
        )
    cash_due = total - non_cash_sum
    if cash_tendered < cash_due:
        raise PaymentError(
            f"Pembayaran kurang {format_rupiah(cash_due - cash_tendered)} "
            f"(total {format_rupiah(total)})."
        )
    settled = list(non_cash)
    if cash_tendered:
        if cash_due == 0:
            raise PaymentError("Total sudah lunas tanpa tunai; hapus pembayaran tunai.")
        settled.insert(
            0, SettledPayment("tunai", cash_due, cash_tendered, cash_tendered - cash_due, None)
        )
    return settled

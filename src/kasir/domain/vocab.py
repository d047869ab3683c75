"""The closed vocabularies of the store: one list each, used by the code and by the database.

Every value set that a column may hold (payment methods, roles, UPT kinds, document kinds and
statuses) is a `StrEnum` here. The models' CHECK constraints are generated from these enums
with `in_check()`, so a new value is added in one place (and a migration that rewrites the CHECK).
A `StrEnum` member compares and hashes equal to its string value
(`"tunai" == PaymentMethod.TUNAI`).
"""

from __future__ import annotations

from enum import StrEnum


class PaymentMethod(StrEnum):
    TUNAI = "tunai"
    QRIS = "qris"
    DEBIT = "debit"
    KREDIT = "kredit"
    TRANSFER = "transfer"


class Role(StrEnum):
    KASIR = "kasir"
    SUPERVISOR = "supervisor"
    MANAJER = "manajer"
    GUDANG = "gudang"
    ADMIN = "admin"


class UptKind(StrEnum):
    LAPAS = "Lapas"
    RUTAN = "Rutan"
    LPKA = "LPKA"


class DocumentKind(StrEnum):
    SALE = "sale"
    REFUND = "refund"


class SaleStatus(StrEnum):
    COMPLETED = "completed"
    VOIDED = "voided"


class ShiftStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class MovementKind(StrEnum):
    RECEIVE = "receive"
    SALE = "sale"
    REFUND = "refund"
    VOID = "void"
    ADJUST = "adjust"
    RETURN = "return"
    WRITEOFF = "writeoff"


class PrintKind(StrEnum):
    """What a print job prints (issue 17; the shift reports: issue 19); labels come later."""

    RECEIPT = "receipt"  # the receipt of a document, printed after its sale was stored
    REPRINT = "reprint"  # a copy asked for by a person (SALINAN)
    TEST = "test"  # `kasir printer test`
    DRAWER = "drawer"  # only the drawer pulse (a supervisor opened the drawer)
    X_REPORT = "x_report"  # a shift's figures so far; the shift stays open
    Z_REPORT = "z_report"  # a shift's figures at its close, with the count


class CashMovementKind(StrEnum):
    """Cash put into or taken out of a drawer during a shift, not a sale (issue 19)."""

    IN = "in"  # kas masuk: change brought in
    OUT = "out"  # kas keluar: petty cash paid out
    DROP = "drop"  # setor ke brankas: a safe drop, cash taken to the safe mid-shift


class PrintStatus(StrEnum):
    QUEUED = "queued"  # waiting to be sent
    SENT = "sent"  # the printer took every byte
    FAILED = "failed"  # the last attempt failed; sent again by a retry, in order


def values(enum: type[StrEnum]) -> tuple[str, ...]:
    """The enum's values in declaration order."""
    return tuple(member.value for member in enum)


def in_check(column: str, enum: type[StrEnum]) -> str:
    """The SQL of a CHECK constraint `column IN ('a', 'b', ...)` over the enum's values."""
    for value in values(enum):
        if "'" in value:  # the values are identifiers; a quote would be a programming error
            raise ValueError(f"quote in vocabulary value {value!r}")
    quoted = ", ".join(f"'{v}'" for v in values(enum))
    return f"{column} IN ({quoted})"

"""Money in whole Rupiah: checking, formatting, parsing, words, rounding and allocation.

Money is always a plain ``int`` of Rupiah (there are no sen). Rates are ``Decimal`` and the
project has one rounding rule: half-up to 1 Rupiah, symmetric for negative values
(see `round_half_up`). Nothing here does I/O.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, localcontext

from kasir.errors import NotRupiah, ValidationError

# Rupiah = int: a whole amount of Rupiah. Kept as a comment rather than a NewType so that
# plain int literals remain valid money everywhere.
Rupiah = int

MAX_DIGITS = 15
"""Largest number of digits accepted when parsing (and by `terbilang`)."""

TERBILANG_MAX = 10**MAX_DIGITS - 1

_HINT = "Ketik angka Rupiah, misalnya 15000 atau 15.000."


def ensure_rupiah(value: object, what: str = "jumlah") -> int:
    """Return ``value`` if it is an ``int`` (not ``bool``); raise `NotRupiah` otherwise.

    Passing a float, Decimal or string as money is a programming error, not user input:
    `NotRupiah` is a ``TypeError`` (and a `KasirError`, so it is never a traceback).
    """
    if isinstance(value, bool) or not isinstance(value, int):
        raise NotRupiah(
            f"{what} harus bilangan bulat Rupiah, bukan {type(value).__name__} {value!r}"
        )
    return int(value)


def format_number(amount: int) -> str:
    """Format with ``.`` as thousands separator and no prefix: ``15000`` -> ``"15.000"``."""
    amount = ensure_rupiah(amount)
    sign = "-" if amount < 0 else ""
    return sign + f"{abs(amount):,}".replace(",", ".")


def format_rupiah(amount: int) -> str:
    """Format for display and receipts: ``"Rp 15.000"``, ``"-Rp 15.000"`` (ASCII space)."""
    amount = ensure_rupiah(amount)
    sign = "-" if amount < 0 else ""
    return f"{sign}Rp {format_number(abs(amount))}"


# ---------------------------------------------------------------------------------------------
# Parsing what a cashier types

_PREFIX_RE = re.compile(r"^rp\.?\s*")
_SHORT_RE = re.compile(r"^([0-9]+)(?:([.,])([0-9]+))?\s*(rb|ribu|k|jt|juta)$")
_GROUPED_RE = re.compile(r"^[0-9]{1,3}(?:[. ][0-9]{3})+$")
_SHORT_FACTOR = {"rb": 1_000, "ribu": 1_000, "k": 1_000, "jt": 1_000_000, "juta": 1_000_000}


def _invalid(text: str, reason: str = _HINT) -> ValidationError:
    return ValidationError(f"Jumlah tidak valid: '{text}'. {reason}")


def parse_rupiah(text: str) -> int:
    """Parse an amount typed by a cashier into whole Rupiah (never negative).

    Accepts ``15000``, ``15.000``, ``15 000``, ``Rp 15.000``, ``rp15.000``, ``15rb``, ``15k``,
    ``1,5jt``, ``2jt``. Raises `ValidationError` with an Indonesian message otherwise.
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be str, got {type(text).__name__}")
    shown = text.strip()
    s = re.sub(r"\s+", " ", shown.lower())
    if not s:
        raise ValidationError(f"Jumlah belum diisi. {_HINT}")
    s = _PREFIX_RE.sub("", s)
    if not s:
        raise _invalid(shown)
    if s.startswith(("-", "\u2212")):
        raise _invalid(shown, "Jumlah tidak boleh negatif.")

    short = _SHORT_RE.match(s)
    if short is not None:
        whole, sep, frac, unit = short.groups()
        factor = _SHORT_FACTOR[unit]
        if sep == "." and frac is not None and len(frac) == 3:
            # "1.500rb": a thousands separator or a decimal point? Refuse to guess with money.
            raise _invalid(
                shown,
                "Tulis tanpa singkatan (misalnya 1500000) atau pakai koma "
                "untuk desimal (misalnya 1,5jt).",
            )
        frac = frac or ""
        if len(whole.lstrip("0")) > MAX_DIGITS or len(frac) > MAX_DIGITS:
            raise _invalid(shown, f"Paling banyak {MAX_DIGITS} digit.")
        scaled = int(whole + frac) * factor
        divisor = 10 ** len(frac)
        if scaled % divisor:
            raise _invalid(shown, "Hasilnya harus Rupiah utuh (tanpa sen).")
        return _check_size(shown, scaled // divisor)

    if re.fullmatch(r"[0-9]+", s) is None and _GROUPED_RE.fullmatch(s) is None:
        if re.fullmatch(r"[0-9. ]+,[0-9]+", s):
            raise _invalid(shown, "Rupiah tidak memakai sen (angka di belakang koma). " + _HINT)
        raise _invalid(shown)
    digits = s.replace(".", "").replace(" ", "")
    if len(digits) > MAX_DIGITS:
        raise _invalid(shown, f"Paling banyak {MAX_DIGITS} digit.")
    return _check_size(shown, int(digits))


def _check_size(shown: str, amount: int) -> int:
    if amount > TERBILANG_MAX:
        raise _invalid(shown, f"Paling banyak {MAX_DIGITS} digit.")
    return amount


# ---------------------------------------------------------------------------------------------
# Terbilang (amount in words)

_ONES = ("", "satu", "dua", "tiga", "empat", "lima", "enam", "tujuh", "delapan", "sembilan")
_SCALES = ((10**12, "triliun"), (10**9, "miliar"), (10**6, "juta"), (10**3, "ribu"))


def _below_thousand(n: int) -> list[str]:
    """Words for 1..999 (empty list for 0)."""
    words: list[str] = []
    hundreds, rest = divmod(n, 100)
    if hundreds == 1:
        words.append("seratus")
    elif hundreds > 1:
        words += [_ONES[hundreds], "ratus"]
    if rest == 10:
        words.append("sepuluh")
    elif rest == 11:
        words.append("sebelas")
    elif 12 <= rest <= 19:
        words += [_ONES[rest - 10], "belas"]
    elif rest >= 20:
        tens, ones = divmod(rest, 10)
        words += [_ONES[tens], "puluh"]
        if ones:
            words.append(_ONES[ones])
    elif rest > 0:
        words.append(_ONES[rest])
    return words


def terbilang(amount: int, suffix: bool = True) -> str:
    """Indonesian words for an amount: ``125000`` -> ``"seratus dua puluh lima ribu rupiah"``.

    Supports up to 999.999.999.999.999 (triliun); negative amounts start with ``"minus"``.
    Raises ``ValueError`` beyond that. ``suffix=False`` leaves out ``" rupiah"``.
    """
    amount = ensure_rupiah(amount)
    if abs(amount) > TERBILANG_MAX:
        raise ValueError(f"terbilang supports at most {TERBILANG_MAX}, got {amount}")
    words: list[str] = ["minus"] if amount < 0 else []
    n = abs(amount)
    if n == 0:
        words.append("nol")
    for scale, name in _SCALES:
        group, n = divmod(n, scale)
        if group == 1 and scale == 1000:
            words.append("seribu")
        elif group:
            words += [*_below_thousand(group), name]
    words += _below_thousand(n)
    if suffix:
        words.append("rupiah")
    return " ".join(words)


# ---------------------------------------------------------------------------------------------
# Rounding, percentages and allocation


def round_half_up(value: Decimal) -> int:
    """Round to whole Rupiah, halves away from zero (2.5 -> 3, -2.5 -> -3). The one rule."""
    if not isinstance(value, Decimal):
        raise TypeError(f"value must be Decimal, got {type(value).__name__}: {value!r}")
    if not value.is_finite():
        raise ValueError(f"cannot round {value!r} to Rupiah")
    with localcontext() as ctx:
        ctx.prec = max(60, value.adjusted() + 10)
        return int(value.to_integral_value(rounding=ROUND_HALF_UP))


def percent_of(amount: int, percent: Decimal) -> int:
    """``percent`` % of ``amount`` in whole Rupiah, rounded with `round_half_up`."""
    amount = ensure_rupiah(amount)
    if not isinstance(percent, Decimal):
        raise TypeError(f"percent must be Decimal, got {type(percent).__name__}: {percent!r}")
    with localcontext() as ctx:
        ctx.prec = 60
        exact = Decimal(amount) * percent / Decimal(100)
    return round_half_up(exact)


def allocate(total: int, weights: list[int]) -> list[int]:
    """Split ``total`` in proportion to non-negative int ``weights`` (largest remainder).

    The parts sum exactly to ``total``; each differs from its exact share by less than 1.
    All-zero weights split evenly. A negative total is allocated as ``-allocate(-total)``.
    Ties for the leftover Rupiah go to the earlier position.
    """
    total = ensure_rupiah(total, "total")
    for w in weights:
        ensure_rupiah(w, "weight")
        if w < 0:
            raise ValueError(f"weights must not be negative, got {weights!r}")
    if total < 0:
        return [-part for part in allocate(-total, weights)]
    if not weights:
        if total == 0:
            return []
        raise ValueError("cannot allocate a non-zero total over no weights")
    if not any(weights):
        weights = [1] * len(weights)
    weight_sum = sum(weights)
    parts = [total * w // weight_sum for w in weights]
    remainders = [total * w % weight_sum for w in weights]
    leftover = total - sum(parts)
    order = sorted(range(len(weights)), key=lambda i: (-remainders[i], i))
    for i in order[:leftover]:
        parts[i] += 1
    return parts


def prorate(amount: int, part: int, whole: int) -> int:
    """``amount * part / whole`` rounded half-up, in exact integer arithmetic.

    For the share of ``part`` units out of ``whole``: with non-negative ``amount`` and
    ``0 <= part <= whole`` it is between 0 and ``amount``, never decreases as ``part`` grows,
    and is ``amount`` itself at ``part == whole``."""
    for value, name in ((amount, "amount"), (part, "part"), (whole, "whole")):
        ensure_rupiah(value, name)
    if whole <= 0 or part < 0 or amount < 0:
        raise ValueError(
            f"prorate needs amount, part >= 0 and whole > 0: {amount}, {part}, {whole}"
        )
    return (2 * amount * part + whole) // (2 * whole)

"""Weighed and measured goods: units, typed quantities and line arithmetic (pure, no I/O).

A product is sold by count (pcs, bungkus, ...: any unit not below) or by measure: per kg, per g,
per l (litre) or per m (metre). Quantities stay whole numbers: a measured product's quantity
(cart line, sale line, stock) is kept in the *base unit* of its dimension, grams, millilitres or
millimetres, so 1,3 kg of fish is ``qty = 1300``. The price stays per sold unit (Rp 25.000 per
kg). A line's ``qty_scale`` says how many base units make one sold unit::

    unit   base  qty_scale    1,3 of it is stored as
    kg     g     1000         1300
    g      g     1            (1300 g: 1300)
    l      ml    1000         1300
    m      mm    1000         1300
    pcs    -     1            (count; 1,3 is refused)

The line's gross is ``qty * unit_price / qty_scale`` rounded half-up (symmetric, as
`kasir.money.round_half_up`) once per line (`line_gross`); everything after it (discounts, the
order discount's shares, tax, UPT sums) works on that whole Rupiah amount as for any line.

Typed quantities (`parse_quantity`), for a kg product: ``1,3`` = 1,3 kg = 1300 g; ``1300g``,
``1300 gr``, ``1,3kg``, ``0,25`` = 250 g. Indonesian decimal comma first; a decimal point is taken
too (``1.3``, ``0.250``) unless it could be a thousands separator (``1.300``: refused, ambiguous).
For l: ``1,5``, ``500ml``, ``1,5l``; for m: ``2,5``, ``250cm``, ``2500mm``, ``2,5m``. A count
product takes whole numbers only. Display (`format_quantity`): the sold unit with as few decimals
as needed, decimal comma, ``.`` grouping: ``1,3 kg``, ``0,25 kg``, ``2 kg``, ``1.300 g``, ``3``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kasir.errors import ValidationError


@dataclass(frozen=True)
class MeasureUnit:
    """A unit a product can be sold in by measure."""

    code: str  # as stored in product.unit
    base: str  # the base unit quantities are kept in
    scale: int  # base units per sold unit
    label: str  # Indonesian, for messages ("kilogram")


MEASURED_UNITS: dict[str, MeasureUnit] = {
    "kg": MeasureUnit("kg", "g", 1000, "kilogram"),
    "g": MeasureUnit("g", "g", 1, "gram"),
    "l": MeasureUnit("l", "ml", 1000, "liter"),
    "m": MeasureUnit("m", "mm", 1000, "meter"),
}
"""The measured units and their base units. Any other unit is a count (qty_scale 1)."""

# What a person may write after a number, per base unit: the factor to the base unit.
_SUFFIXES: dict[str, dict[str, int]] = {
    "g": {"kg": 1000, "kilo": 1000, "kilogram": 1000, "g": 1, "gr": 1, "gram": 1},
    "ml": {"l": 1000, "ltr": 1000, "liter": 1000, "litre": 1000, "ml": 1},
    "mm": {"m": 1000, "meter": 1000, "cm": 10, "mm": 1},
}
# Unit spellings found in catalogs, to the unit code (the migration and imports use it).
UNIT_ALIASES: dict[str, str] = {
    "kg": "kg",
    "kilo": "kg",
    "kilogram": "kg",
    "g": "g",
    "gr": "g",
    "gram": "g",
    "l": "l",
    "ltr": "l",
    "liter": "l",
    "litre": "l",
    "m": "m",
    "meter": "m",
    "metre": "m",
}

MAX_QTY_DIGITS = 12
_QTY_RE = re.compile(r"^([0-9][0-9.]*)(?:,([0-9]+))?\s*([a-z]*)$")


def measure_unit(unit: str) -> MeasureUnit | None:
    """The measured unit `unit` names (case and spelling forgiven), or None for a count unit."""
    code = UNIT_ALIASES.get(unit.strip().lower())
    return MEASURED_UNITS[code] if code else None


def is_measured(unit: str) -> bool:
    return measure_unit(unit) is not None


def unit_scale(unit: str) -> int:
    """Base units per sold unit: 1000 for kg, l and m; 1 for g and for count units."""
    found = measure_unit(unit)
    return found.scale if found else 1


def line_gross(qty: int, unit_price: int, qty_scale: int = 1) -> int:
    """``qty * unit_price / qty_scale`` in whole Rupiah, halves away from zero (the one rule)."""
    if qty_scale == 1:
        return qty * unit_price
    if qty_scale <= 0:
        raise ValueError(f"qty_scale must be positive, got {qty_scale}")
    product = qty * unit_price
    sign = -1 if product < 0 else 1
    return sign * ((2 * abs(product) + qty_scale) // (2 * qty_scale))


def item_count(qty: int, unit: str) -> int:
    """How many items a line counts for: its quantity, or 1 (-1 on a refund) if measured."""
    if is_measured(unit):
        return (qty > 0) - (qty < 0)
    return qty


def _group(number: int) -> str:
    return f"{number:,}".replace(",", ".")


def format_quantity(
    qty: int, unit: str, qty_scale: int | None = None, *, with_unit: bool = True
) -> str:
    """A quantity as a person reads it: ``1,3 kg``, ``250 g`` on a g product, ``3`` (count).

    `qty_scale` is the line's own (a sale line stored before a unit changed keeps its), by
    default the unit's."""
    scale = unit_scale(unit) if qty_scale is None else qty_scale
    measured = measure_unit(unit)
    sign = "-" if qty < 0 else ""
    whole, frac = divmod(abs(qty), scale)
    text = sign + _group(whole)
    if frac:
        digits = len(str(scale)) - 1
        text += "," + f"{frac:0{digits}d}".rstrip("0")
    if measured is None or not with_unit:
        return text
    return f"{text} {measured.code}"


def format_for_input(qty: int, unit: str, qty_scale: int | None = None) -> str:
    """A quantity as it can be typed back (``1,3``; ``1300`` on a g product; ``3``)."""
    return format_quantity(qty, unit, qty_scale, with_unit=False).replace(".", "")


def looks_like_quantity(text: str) -> bool:
    """True if `text` could be a typed quantity (``3``, ``1,3``, ``500g``): for ``N*CODE``."""
    return _QTY_RE.match(text.strip().lower().replace(" ", "")) is not None


def parse_quantity(text: str, unit: str) -> int:
    """A typed quantity in the line's stored units (see the module docstring).

    Raises `ValidationError` in Indonesian saying what to type instead. Zero is returned as
    0 (the caller's quantity check refuses it with its own message)."""
    if not isinstance(text, str):
        raise TypeError(f"text must be str, got {type(text).__name__}")
    shown = text.strip()
    measured = measure_unit(unit)
    s = shown.lower().replace(" ", "")
    if not s:
        raise ValidationError("Jumlah belum diisi.")
    if s.startswith(("-", "\u2212")):
        raise ValidationError(f"Jumlah tidak boleh negatif: '{shown}'.")
    if measured is None:
        if s.isascii() and s.isdigit() and len(s) <= MAX_QTY_DIGITS:
            return int(s)
        raise ValidationError(
            f"Jumlah harus angka bulat, misalnya 3 (barang ini dijual per {unit}), bukan '{shown}'."
        )
    example = {"g": "1,3 atau 1300g", "ml": "1,5 atau 500ml", "mm": "2,5 atau 250cm"}[measured.base]
    hint = f"Ketik jumlah {measured.label}, misalnya {example}."
    match = _QTY_RE.match(s) if s.isascii() else None
    if match is None:
        raise ValidationError(f"Jumlah tidak valid: '{shown}'. {hint}")
    whole, frac, suffix = match.groups()
    if "." in whole:
        if frac is not None:  # "1.300,5": grouping dots and a decimal comma
            if not re.fullmatch(r"[0-9]{1,3}(\.[0-9]{3})+", whole):
                raise ValidationError(f"Jumlah tidak valid: '{shown}'. {hint}")
            whole = whole.replace(".", "")
        else:
            head, _, tail = whole.partition(".")
            if not head or not tail or "." in tail:
                raise ValidationError(f"Jumlah tidak valid: '{shown}'. {hint}")
            if len(tail) == 3 and head.lstrip("0"):
                raise ValidationError(
                    f"Jumlah '{shown}' membingungkan: titik dipakai sebagai pemisah ribuan. "
                    f"Pakai koma untuk desimal (misalnya {head},{tail.rstrip('0') or '0'}) "
                    f"atau tulis satuannya (misalnya {head}{tail}{measured.base})."
                )
            whole, frac = head, tail
    frac = frac or ""
    if len(whole.lstrip("0")) + len(frac) > MAX_QTY_DIGITS:
        raise ValidationError(f"Jumlah '{shown}' terlalu besar. Salah ketik?")
    if suffix:
        factor = _SUFFIXES[measured.base].get(suffix)
        if factor is None:
            raise ValidationError(
                f"Satuan '{suffix}' tidak cocok untuk barang per {measured.code}. {hint}"
            )
    else:
        factor = measured.scale  # a bare number is in the sold unit: 1,3 on a kg product is 1,3 kg
    exact = int(whole + frac) * factor
    divisor = 10 ** len(frac)
    if exact % divisor:
        raise ValidationError(
            f"Jumlah '{shown}' terlalu teliti: paling kecil 1 {measured.base}. {hint}"
        )
    return exact // divisor

"""Scale labels: the EAN-13 a shop scale prints on a weighed package (pure, no I/O).

A label is an EAN-13 in the GS1 restricted-circulation range (first two digits 20-29) that
carries an item code (PLU, the product's `plu`) and either the package's price or its weight.
The layout is a setting (`scale_label_layout`), 13 characters, spaces ignored:

    2P IIIII VVVVV C      the default, the common one
    2 P  the two-digit prefix; which prefixes carry a price and which a weight are settings
         (`scale_label_price_prefixes`, default 21-25; `scale_label_weight_prefixes`,
         default 26-29; 20 is left to Kasir's own product barcodes)
    I    the item code (PLU), 1-6 digits in one run
    V    the value, 3-6 digits in one run: the price in whole Rupiah, or the weight in the
         product's base unit (grams for a kg product, ml for l, mm for m)
    X    a digit the till ignores (e.g. the price check digit of "2P IIII X VVVVV C")
    C    the EAN-13 check digit, always checked (python-barcode would accept a wrong one)

Prefix lists are written like ``21-25`` or ``21,23,26-29``; empty means none.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from kasir.domain.ean13 import ean13_check_digit, validate_ean13
from kasir.domain.measure import line_gross
from kasir.errors import ValidationError

LabelKind = Literal["price", "weight"]

DEFAULT_LAYOUT = "2P IIIII VVVVV C"
DEFAULT_PRICE_PREFIXES = "21-25"
DEFAULT_WEIGHT_PREFIXES = "26-29"


@dataclass(frozen=True)
class LabelLayout:
    item: slice  # the PLU digits
    value: slice  # the price or weight digits

    @property
    def item_digits(self) -> int:
        return self.item.stop - self.item.start

    @property
    def value_digits(self) -> int:
        return self.value.stop - self.value.start


@dataclass(frozen=True)
class ScaleLabel:
    code: str
    prefix: int
    kind: LabelKind
    plu: int
    value: int  # Rupiah (price label) or base units (weight label)


def _run(pattern: str, letter: str, low: int, high: int, name: str) -> slice:
    runs = [m.span() for m in re.finditer(f"{letter}+", pattern)]
    if len(runs) != 1:
        raise ValidationError(f"Tata letak label: {name} ({letter}) harus satu deret angka.")
    start, stop = runs[0]
    if not low <= stop - start <= high:
        raise ValidationError(f"Tata letak label: {name} ({letter}) harus {low}-{high} angka.")
    return slice(start, stop)


@lru_cache(maxsize=16)
def parse_layout(text: str) -> LabelLayout:
    """The layout setting (``2P IIIII VVVVV C``) checked; ValidationError saying what is wrong."""
    if not isinstance(text, str):
        raise ValidationError("Tata letak label harus teks, misalnya '2P IIIII VVVVV C'.")
    pattern = text.replace(" ", "").upper()
    if len(pattern) != 13:
        raise ValidationError(
            f"Tata letak label harus 13 karakter (spasi tidak dihitung), misalnya "
            f"'{DEFAULT_LAYOUT}'; yang ini {len(pattern)}."
        )
    if not pattern.startswith("2P") or not pattern.endswith("C"):
        raise ValidationError(
            "Tata letak label harus diawali '2P' (awalan 20-29) dan diakhiri 'C' "
            "(digit pemeriksa EAN-13)."
        )
    middle = pattern[2:12]
    if set(middle) - set("IVX"):
        raise ValidationError(
            "Tata letak label hanya boleh berisi I (kode barang), V (harga/berat) dan "
            "X (diabaikan) di antara '2P' dan 'C'."
        )
    return LabelLayout(
        item=_run(pattern, "I", 1, 6, "kode barang"),
        value=_run(pattern, "V", 3, 6, "harga/berat"),
    )


@lru_cache(maxsize=16)
def parse_prefixes(text: str) -> frozenset[int]:
    """``21-25`` / ``21,23,26-29`` / empty, each prefix in 20-29."""
    if not isinstance(text, str):
        raise ValidationError("Awalan label harus teks, misalnya '21-25'.")
    found: set[int] = set()
    for part in text.replace(" ", "").split(","):
        if not part:
            continue
        m = re.fullmatch(r"([0-9]{2})(?:-([0-9]{2}))?", part)
        if m is None:
            raise ValidationError(
                f"Awalan label '{part}' tidak valid: tulis misalnya 21-25 atau 21,23."
            )
        low = int(m.group(1))
        high = int(m.group(2) or low)
        if not 20 <= low <= high <= 29:
            raise ValidationError(
                f"Awalan label '{part}' harus di antara 20 dan 29 (kode GS1 pemakaian internal)."
            )
        found.update(range(low, high + 1))
    return frozenset(found)


def check_prefix_text(value: object) -> str:
    """The settings check of a prefix list: normalised text."""
    if not isinstance(value, str):
        raise ValidationError("Awalan label harus teks, misalnya '21-25'.")
    parse_prefixes(value)
    return value.strip()


def check_layout_text(value: object) -> str:
    """The settings check of the layout."""
    if not isinstance(value, str):
        raise ValidationError("Tata letak label harus teks, misalnya '2P IIIII VVVVV C'.")
    parse_layout(value)
    return value.strip()


def label_kind(
    code: str, price_prefixes: frozenset[int], weight_prefixes: frozenset[int]
) -> LabelKind | None:
    """What a 13-digit code with a scale-label prefix carries; None if it is no scale label."""
    if len(code) != 13 or not (code.isascii() and code.isdigit()):
        return None
    prefix = int(code[:2])
    in_price, in_weight = prefix in price_prefixes, prefix in weight_prefixes
    if in_price and in_weight:
        raise ValidationError(
            f"Awalan {prefix} diatur sebagai label harga sekaligus label berat; "
            "perbaiki pengaturan label timbangan."
        )
    if in_price:
        return "price"
    if in_weight:
        return "weight"
    return None


def decode(
    code: str,
    layout: LabelLayout,
    price_prefixes: frozenset[int],
    weight_prefixes: frozenset[int],
) -> ScaleLabel | None:
    """The scale label in `code`, or None if its prefix is no scale-label prefix.

    A label with a wrong check digit raises ValidationError (nothing is to be added)."""
    kind = label_kind(code, price_prefixes, weight_prefixes)
    if kind is None:
        return None
    try:
        validate_ean13(code)
    except ValidationError:
        raise ValidationError(
            f"Label timbangan {code} tidak valid: digit pemeriksa salah "
            f"(seharusnya {ean13_check_digit(code[:12])}). Pindai ulang atau ketik beratnya."
        ) from None
    return ScaleLabel(
        code=code,
        prefix=int(code[:2]),
        kind=kind,
        plu=int(code[layout.item]),
        value=int(code[layout.value]),
    )


def encode(prefix: int, plu: int, value: int, layout: LabelLayout) -> str:
    """The label a scale would print (for tests, the demo examples and label printing)."""
    if not 20 <= prefix <= 29:
        raise ValidationError(f"Awalan label harus 20-29, bukan {prefix}.")
    if not 0 <= plu < 10**layout.item_digits:
        raise ValidationError(f"Kode barang (PLU) {plu} tidak muat di {layout.item_digits} angka.")
    if not 0 <= value < 10**layout.value_digits:
        raise ValidationError(f"Nilai {value} tidak muat di {layout.value_digits} angka label.")
    body = list(f"{prefix:02d}" + "0" * 10)
    body[layout.item] = f"{plu:0{layout.item_digits}d}"
    body[layout.value] = f"{value:0{layout.value_digits}d}"
    first12 = "".join(body)
    return first12 + ean13_check_digit(first12)


def qty_for_price(price_total: int, unit_price: int, qty_scale: int) -> int | None:
    """The quantity (in base units) whose line gross is exactly `price_total`, the one nearest
    ``price_total * qty_scale / unit_price``; None when no whole quantity gives that price
    (the label's price does not fit the product's price per unit)."""
    if unit_price <= 0 or price_total <= 0:
        return None
    center_num = price_total * qty_scale
    low = center_num // unit_price
    candidates = sorted(
        (q for q in (low - 1, low, low + 1, low + 2) if q > 0),
        key=lambda q: abs(q * unit_price - center_num),
    )
    for q in candidates:
        if line_gross(q, unit_price, qty_scale) == price_total:
            return q
    return None

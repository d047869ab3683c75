"""Splitting a UPT's proceeds by its allocation scheme (issue 19, DESIGN §2).

A scheme gives PNBP / premi / dana pembinaan percentages (two decimals, summing to 100) of a
base: net sales ('net'), or net sales minus the cost of goods ('margin'). The parts are whole
Rupiah and add up to the base exactly, by largest remainder (`kasir.money.allocate` over the
percentages in hundredths): each part differs from its exact share by less than one Rupiah, a
leftover Rupiah goes to the part with the largest remainder (ties: PNBP, then premi, then
pembinaan).

A negative base (a margin below the cost of goods, refunds above the day's sales) is split as
the mirror of its positive amount: `split(-b) == -split(b)` part by part, so the parts still add
up to the base and a negative PNBP part offsets the other UPTs' in the day's total.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from kasir.domain.settlement import Allocation, Scheme
from kasir.errors import ValidationError
from kasir.money import allocate

BASES = ("net", "margin")
BASE_LABELS = {"net": "penjualan bersih", "margin": "penjualan bersih dikurangi harga pokok"}
HUNDRED = Decimal(100)
_CENT = Decimal("0.01")


def percent(value: object, what: str) -> Decimal:
    """A percentage 0-100 with at most two decimals (text, int or Decimal; never float)."""
    try:
        dec = Decimal(str(value).strip().replace(",", "."))
    except InvalidOperation:
        raise ValidationError(f"Persentase {what} tidak valid: {value!r}.") from None
    if isinstance(value, float | bool) or not dec.is_finite() or not 0 <= dec <= HUNDRED:
        raise ValidationError(f"Persentase {what} harus antara 0 dan 100.")
    if dec != dec.quantize(_CENT):
        raise ValidationError(f"Persentase {what} paling banyak dua angka di belakang koma.")
    return dec.quantize(_CENT)


def make_scheme(
    pnbp: object, premi: object, pembinaan: object, base: object = "net", source: str = "default"
) -> Scheme:
    """A checked scheme: each part 0-100, they sum to exactly 100, base 'net' or 'margin'."""
    parts = (percent(pnbp, "PNBP"), percent(premi, "premi"), percent(pembinaan, "pembinaan"))
    if base not in BASES:
        raise ValidationError(
            f"Dasar alokasi harus 'net' (penjualan bersih) atau 'margin' (penjualan bersih "
            f"dikurangi harga pokok), bukan {base!r}."
        )
    total = sum(parts, Decimal(0))
    if total != HUNDRED:
        raise ValidationError(
            f"Alokasi harus berjumlah 100% (PNBP {_pct(parts[0])} + premi {_pct(parts[1])} + "
            f"pembinaan {_pct(parts[2])} = {_pct(total)}); tidak ada yang diubah."
        )
    return Scheme(parts[0], parts[1], parts[2], str(base), source)


def _pct(value: Decimal) -> str:
    return f"{value.normalize():f}".replace(".", ",") + "%"


def base_of(scheme: Scheme, net: int, cost: int) -> int:
    """The amount the scheme splits: net sales, or net sales minus the cost of goods."""
    return net - cost if scheme.base == "margin" else net


def split(base: int, scheme: Scheme) -> Allocation:
    """`base` split by `scheme`: pnbp + premi + pembinaan == base exactly (module docstring)."""
    weights = [int(p * 100) for p in (scheme.pnbp_pct, scheme.premi_pct, scheme.pembinaan_pct)]
    if sum(weights) != 100 * 100:
        raise ValidationError(
            "Alokasi harus berjumlah 100% (PNBP + premi + pembinaan); skema ini "
            f"{_pct(Decimal(sum(weights)) / 100)}."
        )
    pnbp, premi, pembinaan = allocate(base, weights)
    return Allocation(base=base, pnbp=pnbp, premi=premi, pembinaan=pembinaan)


def allocate_upt(scheme: Scheme, net: int, cost: int) -> Allocation:
    """The allocation of one UPT's day: its base by its scheme."""
    return split(base_of(scheme, net, cost), scheme)

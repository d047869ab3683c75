"""Cash rounding (pembulatan), pure rules, no I/O.

No official cash-rounding rule was found (DESIGN.md section 2), so it is a setting: off (the
default), or a unit of Rp 100, Rp 500 or Rp 1.000 with a direction.

- Only cash is rounded: the part of a sale's total that is paid in cash (the total less the
  non-cash payments) is rounded to the unit; the difference is the sale's own `rounding` figure
  (total = sum of the lines + rounding), credited to no UPT. A sale paid without cash has
  rounding Rp 0. In a mixed payment it is the cash part that is rounded, whatever the order the
  payments were taken in (QRIS 60.000 then cash for the rest of Rp 103.250: the cash part
  Rp 43.250 is rounded).
- A refund paid back in cash rounds the amount handed back the same way; by any other method it
  is not rounded.
- The direction is that of the cash amount that changes hands (what the customer pays, or what
  the customer gets back): `nearest` (half a unit goes up), `down` or `up`. So with the same
  setting a whole refund of a cash sale hands back what the sale took.
- A cash amount above Rp 0 is never rounded to Rp 0 (a cash part of Rp 40 is Rp 100 at unit
  Rp 100 whatever the direction): cash that is due is always something to hand over.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from kasir.errors import ValidationError
from kasir.money import ensure_rupiah


class Direction(StrEnum):
    NEAREST = "nearest"
    DOWN = "down"
    UP = "up"


UNITS = (100, 500, 1000)
ROUNDING_CHOICES = ("off", *(str(u) for u in UNITS))
"""The values of the `cash_rounding` setting."""
MAX_UNIT = max(UNITS)


@dataclass(frozen=True)
class CashRounding:
    """A rounding rule: `unit` 0 is off."""

    unit: int = 0
    direction: Direction = Direction.NEAREST

    @property
    def on(self) -> bool:
        return self.unit > 0

    def round(self, amount: int) -> int:
        """`amount` (>= 0 Rupiah of cash changing hands) rounded by this rule."""
        ensure_rupiah(amount, "jumlah tunai")
        if amount < 0:
            raise ValueError(f"a cash amount to round is not negative, got {amount}")
        if not self.on or amount == 0:
            return amount
        unit = self.unit
        low = amount // unit * unit
        if low == amount:
            return amount
        if self.direction == Direction.DOWN:
            rounded = low
        elif self.direction == Direction.UP:
            rounded = low + unit
        else:
            rounded = low + unit if 2 * (amount - low) >= unit else low
        return max(rounded, unit)

    def difference(self, amount: int) -> int:
        """What rounding `amount` adds (negative when it takes away); |difference| < unit."""
        return self.round(amount) - amount


NO_ROUNDING = CashRounding()


def rounding_rule(unit: object, direction: object = Direction.NEAREST.value) -> CashRounding:
    """The rule from the settings' values (`cash_rounding`, `cash_rounding_direction`)."""
    if unit in (None, "", "off", 0, "0"):
        return NO_ROUNDING
    text = str(unit)
    if text not in ROUNDING_CHOICES:
        raise ValidationError(f"Pembulatan tunai tidak dikenal: {unit!r}.")
    try:
        way = Direction(str(direction))
    except ValueError:
        raise ValidationError(f"Arah pembulatan tidak dikenal: {direction!r}.") from None
    return CashRounding(int(text), way)


def describe(rule: CashRounding) -> str:
    """The rule in Indonesian (settings screen, README)."""
    if not rule.on:
        return "tanpa pembulatan"
    way = {
        Direction.NEAREST: "terdekat",
        Direction.DOWN: "ke bawah",
        Direction.UP: "ke atas",
    }[rule.direction]
    return f"dibulatkan {way} ke kelipatan Rp {rule.unit:,}".replace(",", ".")

"""A drawer counted by denomination (the blind count at a shift's close, issue 19): pure rules.

Rupiah in circulation: notes of Rp 100.000, 50.000, 20.000, 10.000, 5.000, 2.000 and 1.000;
coins of Rp 1.000, 500, 200 and 100. Rp 1.000 exists as a note and as a coin: they are two
denominations, kept apart in the count and in its JSON (`shift.counted_detail`):
``{"notes": {"100000": 2, ...}, "coins": {"1000": 0, "500": 3, ...}}``, every denomination
present (a zero is a count too), in the order above.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from kasir.errors import ValidationError
from kasir.money import format_number, format_rupiah

MAX_PIECES = 100_000  # of one denomination: more is a typo (100.000 notes of Rp 100.000)
MAX_COUNTED = 1_000_000_000  # a drawer never holds more


@dataclass(frozen=True)
class Denomination:
    value: int
    coin: bool

    @property
    def label(self) -> str:
        """ "Rp 100.000", "Rp 1.000 logam"."""
        return format_rupiah(self.value) + (" logam" if self.coin else "")

    @property
    def group(self) -> str:
        return "coins" if self.coin else "notes"


NOTES = tuple(
    Denomination(v, False) for v in (100_000, 50_000, 20_000, 10_000, 5_000, 2_000, 1_000)
)
COINS = tuple(Denomination(v, True) for v in (1_000, 500, 200, 100))
DENOMINATIONS: tuple[Denomination, ...] = NOTES + COINS


def parse_pieces(text: str, denomination: Denomination) -> int:
    """The number of pieces typed for one denomination: empty is 0; digits only (a dot as
    thousands separator allowed), never negative, at most MAX_PIECES."""
    shown = text.strip()
    plain = shown.replace(".", "").replace(" ", "")
    if not plain:
        return 0
    if not (plain.isascii() and plain.isdigit()):
        raise ValidationError(
            f"Jumlah {denomination.label}: ketik banyaknya lembar/keping (angka bulat 0 atau "
            f"lebih), bukan {shown!r}."
        )
    pieces = int(plain)
    if pieces > MAX_PIECES:
        raise ValidationError(
            f"Jumlah {denomination.label}: {format_number(pieces)} lembar/keping tidak masuk "
            f"akal (paling banyak {format_number(MAX_PIECES)})."
        )
    return pieces


@dataclass(frozen=True)
class CashCount:
    """Pieces per denomination, in the order of DENOMINATIONS."""

    pieces: tuple[int, ...]

    def __post_init__(self) -> None:
        if len(self.pieces) != len(DENOMINATIONS):
            raise ValueError(f"{len(self.pieces)} counts for {len(DENOMINATIONS)} denominations")
        for d, n in zip(DENOMINATIONS, self.pieces, strict=True):
            if isinstance(n, bool) or not isinstance(n, int):
                raise ValidationError(f"Jumlah {d.label} harus angka bulat, bukan {n!r}.")
            if n < 0:
                raise ValidationError(f"Jumlah {d.label} tidak boleh negatif ({n}).")
            if n > MAX_PIECES:
                raise ValidationError(
                    f"Jumlah {d.label}: {format_number(n)} lembar/keping tidak masuk akal "
                    f"(paling banyak {format_number(MAX_PIECES)})."
                )
        if self.total > MAX_COUNTED:
            raise ValidationError(
                f"Total hitungan {format_rupiah(self.total)} tidak masuk akal; periksa lagi."
            )

    @classmethod
    def of(cls, counts: Mapping[Denomination, int]) -> CashCount:
        return cls(tuple(int(counts.get(d, 0)) for d in DENOMINATIONS))

    @classmethod
    def typed(cls, texts: Sequence[str]) -> CashCount:
        """From the texts typed in the grid, one per denomination (`parse_pieces`)."""
        return cls(tuple(parse_pieces(t, d) for t, d in zip(texts, DENOMINATIONS, strict=True)))

    @property
    def total(self) -> int:
        return sum(d.value * n for d, n in zip(DENOMINATIONS, self.pieces, strict=True))

    def rows(self) -> list[tuple[Denomination, int, int]]:
        """(denomination, pieces, amount) for every denomination."""
        return [(d, n, d.value * n) for d, n in zip(DENOMINATIONS, self.pieces, strict=True)]

    def to_json(self) -> str:
        data: dict[str, dict[str, int]] = {"notes": {}, "coins": {}}
        for d, n in zip(DENOMINATIONS, self.pieces, strict=True):
            data[d.group][str(d.value)] = n
        return json.dumps(data, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> CashCount:
        data = json.loads(text)
        return cls(tuple(int(data[d.group][str(d.value)]) for d in DENOMINATIONS))


_TOKEN = re.compile(
    r"(?P<coin>koin|logam)?\s*(?:rp\s*)?(?P<value>[0-9][0-9.]*)\s*(?P<coin2>koin|logam)?"
    r"\s*[x*×]\s*(?P<pieces>[^,;]*)",
    re.IGNORECASE,
)


def parse_count(text: str) -> CashCount:
    """A count typed as ``"100000x2,50000x1,500x3"`` (the command line): VALUE x PIECES,
    separated by commas. ``1000x4`` is the Rp 1.000 note; the coin is ``koin1000x4`` (or
    ``logam1000x4``); 500, 200 and 100 are coins anyway. A denomination given twice is refused."""
    counts: dict[Denomination, int] = {}
    parts = [p.strip() for p in re.split(r"[,;]", text) if p.strip()]
    if not parts:
        raise ValidationError(
            'Hitungan kosong. Contoh: "100000x2,50000x1,500x3" (koin Rp 1.000: koin1000x4).'
        )
    for part in parts:
        m = _TOKEN.fullmatch(part)
        if m is None:
            raise ValidationError(
                f"Bagian hitungan {part!r} tidak dimengerti; tulis NILAIxJUMLAH, misalnya "
                "50000x3 (koin Rp 1.000: koin1000x4)."
            )
        value = int(m["value"].replace(".", ""))
        coin = bool(m["coin"] or m["coin2"]) or value < 1_000
        found = next((d for d in DENOMINATIONS if d.value == value and d.coin == coin), None)
        if found is None:
            names = ", ".join(d.label for d in DENOMINATIONS)
            raise ValidationError(f"Pecahan {part!r} tidak ada; yang ada: {names}.")
        if found in counts:
            raise ValidationError(f"Pecahan {found.label} disebut dua kali.")
        counts[found] = parse_pieces(m["pieces"], found)
    return CashCount.of(counts)

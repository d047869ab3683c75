"""ESC/POS bytes of receipt rows: what a thermal printer is sent.

The bytes are built here, not with `Escpos.text()`: python-escpos's magic encoder hops code pages
per character (and `hw('INIT')` resets the code page behind its back; Chinese goes out as raw
GB18030, garbage on an Epson). Here a job is ``ESC @`` (init), then the code page pinned once with
``ESC t n`` (n from the profile's code page table) and never changed, the drawer pulse when asked,
then the rows: ``ESC a`` (alignment), ``ESC E`` (bold), ``GS !`` (size), the text encoded by
`encode_text` in that code page only (one byte per character), ``GS ( k`` for the QR code, and the
feed and ``GS V`` cut at the end.

python-escpos is used for its printer profiles and for the native QR command (its Dummy
printer), imported lazily with its side effects contained: it calls `logging.basicConfig()` on
import (the root logger is restored), makes a temp folder for its capabilities pickle (it goes to
Kasir's cache folder instead) and prints on some calls (nothing here calls those).
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import tempfile
import threading
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

import platformdirs
from anyascii import anyascii

from kasir.config import APP_NAME
from kasir.errors import ValidationError
from kasir.output.receipt import (
    Align,
    ReceiptDoc,
    Row,
    RowKind,
    check_width,
    layout,
    row_limit,
)

ESC, GS = b"\x1b", b"\x1d"
INIT = ESC + b"@"
FEED_LINES = 6  # before the cut: the last line passes the cutter (as python-escpos's cut())
FULL_CUT, PART_CUT = GS + b"V\x00", GS + b"V\x01"
QR_MODULE_DOTS = 5  # one QR module is 5 x 5 dots: about 17 mm for a receipt number

# Code pages Kasir can pin: name -> (Python codec, python-escpos's name in a profile's table).
_CODECS: dict[str, tuple[str, str]] = {
    "CP437": ("cp437", "CP437"),
    "CP850": ("cp850", "CP850"),
    "CP852": ("cp852", "CP852"),
    "CP858": ("cp858", "CP858"),
    "CP860": ("cp860", "CP860"),
    "CP863": ("cp863", "CP863"),
    "CP865": ("cp865", "CP865"),
    "CP866": ("cp866", "CP866"),
    "CP1250": ("cp1250", "CP1250"),
    "CP1251": ("cp1251", "CP1251"),
    "CP1252": ("cp1252", "CP1252"),
    "ISO8859-2": ("iso8859_2", "ISO_8859-2"),
    "ISO8859-15": ("iso8859_15", "ISO_8859-15"),
}
CODEPAGES: tuple[str, ...] = tuple(_CODECS)
"""The code pages that can be pinned (all single-byte, ASCII in the lower half). CP858 (CP850
with the euro sign) is the default: Epson and most clones have it."""

PROFILE_NOTES: dict[str, str] = {
    "default": "Epson ESC/POS umum (80 mm); pakai ini bila ragu",
    "TM-T20II": "Epson TM-T20II, juga TM-T82/TM-T81 (80 mm, 48 kolom)",
    "TM-T20II-42col": "Epson TM-T20II di 42 kolom, juga TM-m30/TM-m30II (80 mm)",
    "TM-T88IV": "Epson TM-T88IV (80 mm, 42 kolom)",
    "TM-T88V": "Epson TM-T88V/TM-T88VI (80 mm, 42 kolom)",
    "TM-P80-42col": "Epson TM-P80 (portabel, 42 kolom)",
    "POS-5890": 'printer generik 58 mm "POS-58" (32 kolom; QR dikirim sebagai gambar)',
    "NT-5890K": "Netum NT-5890K dan klon 58 mm (32 kolom; QR sebagai gambar)",
    "ZJ-5870": "Zjiang ZJ-5870 58 mm (32 kolom; tanpa pemotong, QR sebagai gambar)",
    "RP-F10-58mm": "Rongta RP-F10 58 mm",
    "RP-F10-80mm": "Rongta RP-F10 80 mm",
    "Sunmi-V2": "Sunmi V2 (printer bawaan, 58 mm)",
    "simple": "printer paling sederhana: hanya CP437, tanpa QR dan pemotong",
}
PROFILES: tuple[str, ...] = tuple(PROFILE_NOTES)
"""python-escpos profile names Kasir documents (any profile python-escpos knows works too).
python-escpos has no TM-T82 or TM-m30 profile: TM-T20II and TM-T20II-42col print alike."""

PICKLE_DIR_ENV = "ESCPOS_CAPABILITIES_PICKLE_DIR"


# --- python-escpos, contained -------------------------------------------------------------------

_import_lock = threading.Lock()


@contextlib.contextmanager
def _contained(pickle_dir: str) -> Iterator[None]:
    """Undo what importing python-escpos does to the process: the root logger's handlers and
    level are restored, its `mkdtemp()` (called even when the pickle folder is set) returns the
    pickle folder, and what it prints is dropped."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    real_mkdtemp = tempfile.mkdtemp

    def no_temp_folder(suffix: Any = None, prefix: Any = None, dir: Any = None) -> Any:
        if suffix is None and prefix is None and dir is None:
            return pickle_dir
        return real_mkdtemp(suffix, prefix, dir)

    tempfile.mkdtemp = no_temp_folder
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            yield
    finally:
        tempfile.mkdtemp = real_mkdtemp
        root.handlers[:] = handlers
        root.setLevel(level)


def cache_dir() -> Path:
    """Where python-escpos keeps its capabilities pickle (unless ESCPOS_CAPABILITIES_PICKLE_DIR
    says otherwise): Kasir's user cache folder."""
    return Path(platformdirs.user_cache_dir(APP_NAME, False)) / "escpos"


@cache
def python_escpos() -> tuple[ModuleType, type[Any]]:
    """python-escpos's capabilities module and its Dummy printer class, imported once."""
    with _import_lock:
        pickle_dir = os.environ.get(PICKLE_DIR_ENV) or str(cache_dir())
        try:
            Path(pickle_dir).mkdir(parents=True, exist_ok=True)
        except OSError:  # a read-only home: one fixed folder in the temp dir, not a new one
            pickle_dir = str(Path(tempfile.gettempdir()) / f"{APP_NAME}-escpos")
            Path(pickle_dir).mkdir(exist_ok=True)
        os.environ.setdefault(PICKLE_DIR_ENV, pickle_dir)
        with _contained(pickle_dir):
            from escpos import capabilities
            from escpos.printer import Dummy
    return capabilities, Dummy


@cache
def _profile(name: str) -> Any:
    capabilities, _ = python_escpos()
    if name not in capabilities.CAPABILITIES["profiles"]:
        raise ValidationError(
            f"Profil printer '{name}' tidak dikenal; pilih salah satu: {', '.join(PROFILES)}."
        )
    return capabilities.get_profile(name)


def profile_columns(profile: str) -> int | None:
    """Characters per line of the profile's Font A (None when the profile does not say)."""
    fonts = _profile(profile).fonts
    columns = fonts.get("0", {}).get("columns") if isinstance(fonts, dict) else None
    return columns if isinstance(columns, int) else None


def codepages_of(profile: str) -> tuple[str, ...]:
    """The code pages of `CODEPAGES` that a profile's printer has."""
    table = _profile(profile).get_code_pages()
    return tuple(name for name, (_, escpos_name) in _CODECS.items() if escpos_name in table)


def default_codepage(profile: str) -> str:
    """CP858 where the profile's printer has it (Epson and most clones), else CP850, else CP437
    (every ESC/POS printer has that one)."""
    have = codepages_of(profile)
    return next((name for name in ("CP858", "CP850") if name in have), "CP437")


# --- text -----------------------------------------------------------------------------------


def _key(name: str) -> str:
    return "".join(ch for ch in name.upper() if ch.isalnum())


_BY_KEY = {_key(name): name for name in _CODECS} | {"LATIN9": "ISO8859-15", "LATIN2": "ISO8859-2"}


def codepage_name(codepage: str) -> str:
    """The canonical name of a code page (``cp858``, ``ISO_8859-15``... are accepted)."""
    name = _BY_KEY.get(_key(codepage))
    if name is None:
        raise ValidationError(
            f"Code page '{codepage}' tidak didukung; pilih salah satu: {', '.join(CODEPAGES)}."
        )
    return name


def _codec(codepage: str) -> str:
    return _CODECS[codepage_name(codepage)][0]


_SPACES = str.maketrans({"\t": " ", "\n": " ", "\r": " ", "\v": " ", "\f": " "})
_SYMBOLS = {"×": "x", "−": "-"}  # what anyascii reads otherwise, on a receipt ("2 x 95.000")


def encode_text(text: str, codepage: str) -> bytes:
    """`text` as bytes of `codepage` only, one byte per character: what the code page has is
    encoded, anything else transliterated (anyascii: "咖啡" -> "KaFei", "😀" -> ":grinning:"),
    whatever is still missing is "?". Control characters never pass: white space becomes a
    space, the others are dropped (a name cannot send a printer command)."""
    codec = _codec(codepage)
    if text.isascii() and text.isprintable():
        return text.encode("ascii")
    text = unicodedata.normalize("NFC", text.translate(_SPACES))
    out = bytearray()
    for ch in text:
        if unicodedata.category(ch) == "Cc":
            continue
        try:
            out += ch.encode(codec)
        except UnicodeEncodeError:
            ascii_text = _SYMBOLS.get(ch) or anyascii(ch)
            printable = "".join(c for c in ascii_text if " " <= c <= "~")
            out += printable.encode(codec, errors="replace")
    return bytes(out)


# --- commands -------------------------------------------------------------------------------


@dataclass(frozen=True)
class DrawerPulse:
    """The cash drawer's kick: ``ESC p m t1 t2`` on connector pin 2 (m = 0) or 5 (m = 1),
    on for `on_ms` and off for `off_ms` (2..510 ms, sent in units of 2 ms)."""

    pin: int = 2
    on_ms: int = 120
    off_ms: int = 240

    def __post_init__(self) -> None:
        if self.pin not in (2, 5):
            raise ValidationError(f"Pin laci uang harus 2 atau 5, bukan {self.pin}.")
        for label, ms in (("nyala", self.on_ms), ("jeda", self.off_ms)):
            if isinstance(ms, bool) or not isinstance(ms, int) or not 2 <= ms <= 510:
                raise ValidationError(
                    f"Waktu {label} pulsa laci uang harus 2 sampai 510 ms, bukan {ms!r}."
                )


def drawer_bytes(pulse: DrawerPulse) -> bytes:
    """Only the drawer's pulse (opening the drawer by a key)."""
    m = 0 if pulse.pin == 2 else 1
    return ESC + b"p" + bytes((m, (pulse.on_ms + 1) // 2, (pulse.off_ms + 1) // 2))


def codepage_bytes(profile: str, codepage: str) -> bytes:
    """``ESC t n``: select `codepage` by its number in the profile's table."""
    name = codepage_name(codepage)
    table = _profile(profile).get_code_pages()
    number = table.get(_CODECS[name][1])
    if number is None:
        raise ValidationError(
            f"Printer profil '{profile}' tidak punya code page {name}; pilih salah satu: "
            f"{', '.join(codepages_of(profile)) or '-'}."
        )
    return ESC + b"t" + bytes((int(number),))


def qr_bytes(content: str, profile: str) -> bytes:
    """The QR code of `content`: the printer's own ``GS ( k`` where the profile has it (about 60
    bytes), else a raster image (``GS v 0``), else nothing (the number is printed as text)."""
    _, dummy_class = python_escpos()
    features = _profile(profile).features
    if features.get("qrCode"):
        dummy = dummy_class(profile=profile)
        dummy.qr(content, native=True, size=QR_MODULE_DOTS)
        return bytes(dummy.output)
    if features.get("bitImageRaster"):
        return _raster_qr(content)
    return b""


def _raster_qr(content: str) -> bytes:
    import qrcode  # lazily: only printers without a QR command need it
    from escpos.image import EscposImage  # imported by python_escpos() already

    code = qrcode.QRCode(box_size=4, border=1, error_correction=qrcode.constants.ERROR_CORRECT_L)
    code.add_data(content)
    code.make(fit=True)
    image = EscposImage(code.make_image().get_image().convert("RGB"))
    size = image.width_bytes.to_bytes(2, "little") + image.height.to_bytes(2, "little")
    return GS + b"v0\x00" + size + image.to_raster_format() + b"\n"


def cut_bytes(profile: str) -> bytes:
    """``GS V``: a full cut, or a partial one where the printer has only that; nothing for a
    printer without a cutter (the paper is torn off)."""
    features = _profile(profile).features
    if features.get("paperFullCut"):
        return FULL_CUT
    if features.get("paperPartCut"):
        return PART_CUT
    return b""


_ALIGN = {Align.LEFT: 0, Align.CENTER: 1, Align.RIGHT: 2}


def rows_bytes(
    rows: Sequence[Row],
    *,
    width: int,
    profile: str = "default",
    codepage: str = "CP858",
    drawer: DrawerPulse | None = None,
    cut: bool = True,
) -> bytes:
    """One print job: init, code page, drawer pulse (when given), the rows, and (when `cut`) a
    feed and cut at the end if the rows do not end with one; without `cut` CUT rows are left
    out. A row's text longer than it may be at `width` is cut at its limit."""
    check_width(width)
    out = bytearray(INIT + codepage_bytes(profile, codepage))
    if drawer is not None:
        out += drawer_bytes(drawer)
    align, bold, size = Align.LEFT, False, 0

    def style(new_align: Align, new_bold: bool, new_size: int) -> None:
        nonlocal align, bold, size
        if new_align != align:
            out.extend(ESC + b"a" + bytes((_ALIGN[new_align],)))
            align = new_align
        if new_bold != bold:
            out.extend(ESC + b"E" + (b"\x01" if new_bold else b"\x00"))
            bold = new_bold
        if new_size != size:
            out.extend(GS + b"!" + bytes((new_size,)))
            size = new_size

    items = list(rows)
    if cut and not (items and items[-1].kind == RowKind.CUT):
        items += [Row(kind=RowKind.FEED), Row(kind=RowKind.CUT)]
    for row in items:
        if row.kind in (RowKind.TEXT, RowKind.RULE):
            style(row.align, row.bold, 0x11 if row.double else 0x01 if row.tall else 0)
            out += encode_text(row.text, codepage)[: row_limit(row, width)] + b"\n"
        elif row.kind == RowKind.QR:
            style(Align.CENTER, False, 0)
            out += qr_bytes(row.text, profile)
        elif row.kind == RowKind.FEED:
            out += ESC + b"d" + bytes((FEED_LINES,))
        elif row.kind == RowKind.CUT and cut:
            out += cut_bytes(profile)
    return bytes(out)


def receipt_bytes(
    doc: ReceiptDoc,
    *,
    profile: str = "default",
    codepage: str = "CP858",
    drawer: DrawerPulse | None = None,
) -> bytes:
    """The ESC/POS job of a receipt: the rows of `layout(doc)` (see `rows_bytes`)."""
    return rows_bytes(
        layout(doc), width=doc.width, profile=profile, codepage=codepage, drawer=drawer
    )


# --- the test page --------------------------------------------------------------------------

ACCENTS = "Café ½ × – 10° Rp1.000 ©"  # printed natively where the code page has them
FOREIGN = "Kopi 咖啡 قهوة ☕"  # transliterated on any code page


def ruler(width: int) -> str:
    """``....:....1....:....2...`` exactly `width` columns: a column every 5, tens numbered."""
    marks = []
    for col in range(1, width + 1):
        marks.append(str(col // 10 % 10) if col % 10 == 0 else ":" if col % 5 == 0 else ".")
    return "".join(marks)


def test_page_rows(
    *, width: int, profile: str, codepage: str, target_label: str
) -> tuple[Row, ...]:
    """The rows of the printer test page (see `test_page_bytes`)."""
    check_width(width)
    name = codepage_name(codepage)
    columns = profile_columns(profile)
    rows = [
        Row("TES PRINTER"[: width // 2], Align.CENTER, bold=True, double=True),
        Row("Kasir"[:width], Align.CENTER),
        Row("-" * width, kind=RowKind.RULE),
    ]
    for label, value in (
        ("Printer", target_label),
        ("Profil", profile + (f" ({columns} kolom)" if columns else "")),
        ("Code page", name),
        ("Lebar", f"{width} kolom"),
    ):
        text = f"{label}: {value}"
        rows += [Row(text[i : i + width]) for i in range(0, len(text), width)]
    rows += [
        Row(ruler(width)),
        Row(ACCENTS[:width]),
        Row(FOREIGN[:width]),
        Row("Tebal"[:width], bold=True),
        Row("TOTAL"[:width], bold=True, tall=True),
        Row("Besar"[: width // 2], Align.CENTER, double=True),
        Row("-" * width, kind=RowKind.RULE),
        Row(),
        Row("TES PRINTER", Align.CENTER, kind=RowKind.QR),
        Row(kind=RowKind.FEED),
        Row(kind=RowKind.CUT),
    ]
    return tuple(rows)


def test_page_bytes(*, width: int, profile: str, codepage: str, target_label: str) -> bytes:
    """A page that shows a printer works as set: "TES PRINTER", the target, profile, code page
    and width, a ruler exactly `width` columns wide, accented text and other scripts as this
    code page prints them, bold and big text, a QR code, the cut."""
    rows = test_page_rows(
        width=width, profile=profile, codepage=codepage, target_label=target_label
    )
    return rows_bytes(rows, width=width, profile=profile, codepage=codepage)


# Named test_* for what they make, not tests: pytest must not collect them where imported.
test_page_rows.__test__ = False  # type: ignore[attr-defined]
test_page_bytes.__test__ = False  # type: ignore[attr-defined]

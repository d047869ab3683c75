"""ESC/POS bytes, read back: the job's commands and its text, compared with python-escpos's own
commands and with the preview of the same receipt."""

from __future__ import annotations

import datetime as dt
import os
import pickle
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kasir.errors import ValidationError
from kasir.output import escpos
from kasir.output.escpos import (
    CODEPAGES,
    PROFILES,
    DrawerPulse,
    drawer_bytes,
    encode_text,
    receipt_bytes,
    rows_bytes,
)
from kasir.output.receipt import (
    Align,
    ReceiptDoc,
    ReceiptHeader,
    Row,
    RowKind,
    preview_text,
    qr_text,
    scissors,
)
from kasir.services.sale_lookup import PaymentView, SaleLineView, SaleView

HEADER = ReceiptHeader("Kawasan Terintegrasi UMKM Pemasyarakatan", "Kota Tangerang", "Terima kasih")
CODECS = {"CP858": "cp858", "CP437": "cp437", "CP1252": "cp1252", "ISO8859-15": "iso8859_15"}


def line(no: int, name: str, qty: int, price: int, discount: int = 0) -> SaleLineView:
    return SaleLineView(
        line_no=no, product_id=no, sku=f"SKU-{no}", barcode=None, name=name, upt_code="LPP-TGR",
        category="kuliner", qty=qty, unit_price=price, list_price=price, line_discount=discount,
        order_discount_share=0, line_total=qty * price - discount, original_line_id=None,
    )  # fmt: skip


def sale(*names: str) -> SaleView:
    lines = tuple(line(no, name, no, 1_000 * no) for no, name in enumerate(names, 1))
    total = sum(item.line_total for item in lines)
    return SaleView(
        id=1, uuid="u", receipt_number="K01-20261122-0007", kind="sale", status="completed",
        counter_code="K01", cashier_name="Siti Rahmawati", business_date=dt.date(2026, 11, 22),
        created_at=dt.datetime(2026, 11, 22, 3, 5, tzinfo=dt.UTC), original_receipt=None,
        subtotal=total, line_discount_total=0, order_discount=0, tax_total=0, total=total,
        lines=lines, payments=(PaymentView("tunai", total, total, 0, None),),
        reason=None, void_reason=None,
    )  # fmt: skip


def doc(*names: str, width: int = 32, copy_no: int = 0) -> ReceiptDoc:
    return ReceiptDoc(
        sale(*(names or ("Tas Jeans Handmade", "Keripik Bawang"))), HEADER, width, copy_no
    )


# --- a small ESC/POS reader ---------------------------------------------------------------------


@dataclass
class Job:
    """What a printer would do with the bytes: its commands in order, and the lines it prints
    as the preview shows them (alignment applied at `width`; a QR code, feed and cut as the
    preview draws them)."""

    commands: list[tuple[object, ...]] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)
    text_bytes: bytearray = field(default_factory=bytearray)
    qr: list[bytes] = field(default_factory=list)
    raster: list[tuple[int, int, bytes]] = field(default_factory=list)


def read_job(data: bytes, width: int, codec: str) -> Job:
    job = Job()
    align, text, i = 0, bytearray(), 0
    while i < len(data):
        b = data[i]
        if b == 0x1B:
            op = chr(data[i + 1])
            if op == "@":
                job.commands.append(("init",))
                i += 2
            elif op in "taE":
                job.commands.append((op, data[i + 2]))
                align = data[i + 2] if op == "a" else align
                i += 3
            elif op == "p":
                job.commands.append(("p", *data[i + 2 : i + 5]))
                i += 5
            elif op == "d":
                job.commands.append(("d", data[i + 2]))
                job.lines.append("")
                i += 3
            else:
                raise AssertionError(f"unknown command ESC {op!r} at {i}")
        elif b == 0x1D:
            op = chr(data[i + 1])
            if op == "!":
                job.commands.append(("!", data[i + 2]))
                i += 3
            elif op == "V":
                job.commands.append(("V", data[i + 2]))
                job.lines.append(scissors(width))
                i += 3
            elif op == "(" and data[i + 2] == ord("k"):
                size = data[i + 3] + 256 * data[i + 4]
                body = data[i + 5 : i + 5 + size]
                job.commands.append(("k", body[1]))
                if body[1] == ord("P"):
                    job.qr.append(body[3:])
                if body[1] == ord("Q"):
                    job.lines += qr_text(job.qr[-1].decode("ascii"), width)
                i += 5 + size
            elif op == "v" and data[i + 2] == ord("0"):
                x, y = (
                    int.from_bytes(data[i + 4 : i + 6], "little"),
                    int.from_bytes(data[i + 6 : i + 8], "little"),
                )
                job.raster.append((x, y, data[i + 8 : i + 8 + x * y]))
                job.commands.append(("v0", x, y))
                i += 8 + x * y
            else:
                raise AssertionError(f"unknown command GS {op!r} at {i}")
        elif b == 0x0A:
            shown = bytes(text).decode(codec)
            if align == 1:
                shown = shown.center(width)
            elif align == 2:
                shown = shown.rjust(width)
            job.lines.append(shown.rstrip())
            text.clear()
            i += 1
        else:
            assert b >= 0x20 and b != 0x7F, f"control byte {b:#x} in the text at {i}"
            text.append(b)
            job.text_bytes.append(b)
            i += 1
    assert not text, "text left unprinted at the end"
    return job


def dummy(profile: str = "default") -> object:
    _, dummy_class = escpos.python_escpos()
    return dummy_class(profile=profile)


# --- the job ------------------------------------------------------------------------------------


def test_a_job_starts_with_init_then_the_code_page_pinned_once() -> None:
    job = read_job(receipt_bytes(doc(), codepage="CP858"), 32, "cp858")
    assert job.commands[0] == ("init",)
    assert job.commands[1] == ("t", 19)  # CP858 in Epson's table
    assert [c for c in job.commands if c[0] in ("t", "init")] == [("init",), ("t", 19)]


@pytest.mark.parametrize(
    ("profile", "codepage", "number"),
    [("POS-5890", "CP858", 53), ("TM-T20II", "CP1252", 16), ("default", "ISO8859-15", 40)],
)
def test_the_code_page_number_comes_from_the_profile(
    profile: str, codepage: str, number: int
) -> None:
    capabilities, _ = escpos.python_escpos()
    name = codepage.replace("ISO8859", "ISO_8859")
    assert int(capabilities.get_profile(profile).get_code_pages()[name]) == number
    job = read_job(receipt_bytes(doc(), profile=profile, codepage=codepage), 32, CODECS[codepage])
    assert [c for c in job.commands if c[0] == "t"] == [("t", number)]


def test_a_code_page_the_printer_lacks_is_refused_by_name() -> None:
    with pytest.raises(
        ValidationError, match="tidak punya code page CP858; pilih salah satu: CP437"
    ):
        receipt_bytes(doc(), profile="ZJ-5870", codepage="CP858")
    assert escpos.default_codepage("ZJ-5870") == "CP850"
    with pytest.raises(ValidationError, match="Code page 'UTF-8' tidak didukung"):
        encode_text("x", "UTF-8")
    with pytest.raises(ValidationError, match="Profil printer 'TM-X' tidak dikenal"):
        receipt_bytes(doc(), profile="TM-X")


def test_the_drawer_pulse_comes_right_after_the_init() -> None:
    job = read_job(
        receipt_bytes(doc(), drawer=DrawerPulse(pin=5, on_ms=100, off_ms=200)), 32, "cp858"
    )
    assert job.commands[:3] == [("init",), ("t", 19), ("p", 1, 50, 100)]
    assert drawer_bytes(DrawerPulse()) == b"\x1bp\x00\x3c\x78"  # pin 2, 120 ms on, 240 off
    # python-escpos's own pin-2 kick is the same command: ESC p 0 t1 t2
    kick = dummy()
    kick.cashdraw(2)  # type: ignore[attr-defined]
    assert kick.output[:3] == drawer_bytes(DrawerPulse())[:3]  # type: ignore[attr-defined]
    assert not any(c[0] == "p" for c in read_job(receipt_bytes(doc()), 32, "cp858").commands)


@pytest.mark.parametrize("pulse", [dict(pin=3), dict(on_ms=1), dict(off_ms=512), dict(on_ms=True)])
def test_a_bad_drawer_pulse_is_refused(pulse: dict[str, int]) -> None:
    with pytest.raises(ValidationError, match="laci uang"):
        DrawerPulse(**pulse)


def test_the_end_is_python_escpos_own_feed_and_cut() -> None:
    for profile in ("default", "POS-5890"):
        cutter = dummy(profile)
        cutter.cut()  # type: ignore[attr-defined]
        assert receipt_bytes(doc(), profile=profile).endswith(cutter.output)  # type: ignore[attr-defined]
    job = read_job(receipt_bytes(doc()), 32, "cp858")
    assert job.commands[-2:] == [("d", 6), ("V", 0)]


def test_the_qr_code_is_python_escpos_native_one_with_the_receipt_number() -> None:
    data = receipt_bytes(doc())
    native = dummy()
    native.qr("K01-20261122-0007", native=True, size=escpos.QR_MODULE_DOTS)  # type: ignore[attr-defined]
    assert native.output in data  # type: ignore[attr-defined]
    job = read_job(data, 32, "cp858")
    assert job.qr == [b"K01-20261122-0007"]
    at = job.commands.index(("k", ord("A")))
    assert job.commands[at - 1] == ("a", 1)  # centred


def test_a_printer_without_the_qr_command_gets_the_qr_code_as_an_image() -> None:
    import qrcode

    job = read_job(receipt_bytes(doc(), profile="POS-5890"), 32, "cp858")
    assert job.qr == [] and len(job.raster) == 1
    x_bytes, height, bits = job.raster[0]
    code = qrcode.QRCode(box_size=4, border=1, error_correction=qrcode.constants.ERROR_CORRECT_L)
    code.add_data("K01-20261122-0007")
    matrix = code.get_matrix()
    assert height == 4 * len(matrix)
    for row, modules in enumerate(matrix):
        y = 4 * row + 2  # the middle of a module
        for col, dark in enumerate(modules):
            x = 4 * col + 2
            assert bool(bits[y * x_bytes + x // 8] & (0x80 >> (x % 8))) == dark, (row, col)
    assert (
        read_job(receipt_bytes(doc(), profile="TM-U220", codepage="CP437"), 32, "cp437").raster
        == []
    )


@pytest.mark.parametrize("width", [24, 32, 42, 48, 64])
@pytest.mark.parametrize("copy_no", [0, 2])
def test_the_text_read_back_from_the_bytes_is_the_preview(width: int, copy_no: int) -> None:
    receipt = doc(
        "Kopi Arabika Gayo – Roasted 250 g",
        "Café ½ Loyang",
        "Kopi 咖啡",
        width=width,
        copy_no=copy_no,
    )
    job = read_job(receipt_bytes(receipt), width, "cp858")
    assert job.lines == preview_text(receipt).splitlines()


def test_styles_are_set_per_row_and_only_when_they_change() -> None:
    rows = (
        Row("Toko", Align.CENTER, bold=True, double=True),
        Row("Alamat", Align.CENTER),
        Row("TOTAL  Rp 1.000", bold=True, tall=True),
        Row("Tunai  1.000"),
        Row("Tunai  2.000"),
    )
    job = read_job(rows_bytes(rows, width=32, cut=False), 32, "cp858")
    assert job.commands == [
        ("init",), ("t", 19),
        ("a", 1), ("E", 1), ("!", 0x11),
        ("E", 0), ("!", 0),
        ("a", 0), ("E", 1), ("!", 0x01),
        ("E", 0), ("!", 0),
    ]  # fmt: skip
    assert job.lines == [
        "              Toko",
        "             Alamat",
        "TOTAL  Rp 1.000",
        "Tunai  1.000",
        "Tunai  2.000",
    ]


def test_rows_bytes_adds_the_cut_or_leaves_it_out() -> None:
    plain = (Row("a"),)
    assert read_job(rows_bytes(plain, width=32), 32, "cp858").commands[-2:] == [("d", 6), ("V", 0)]
    with_cut = (Row("a"), Row(kind=RowKind.FEED), Row(kind=RowKind.CUT))
    assert rows_bytes(with_cut, width=32) == rows_bytes(plain, width=32)
    assert not any(
        c[0] == "V"
        for c in read_job(rows_bytes(with_cut, width=32, cut=False), 32, "cp858").commands
    )


def test_a_row_too_long_for_the_paper_is_cut_at_its_limit() -> None:
    job = read_job(
        rows_bytes((Row("x" * 40), Row("y" * 40, double=True)), width=32, cut=False), 32, "cp858"
    )
    assert job.lines == ["x" * 32, "y" * 16]


# --- any name prints ----------------------------------------------------------------------------

NAMES = [
    "Kopi 咖啡",
    "Teh ☕ 😀 👍🏽",
    "قهوة عربية",
    "Kerupuk Kulit – Pedas × 2",
    "Bolu ½ Loyang",
    "Dodol Garut, Rasa Durian (Asli) — Istimewa",
    "Peyek Kacang ‘Spesial’ “Bu Siti”",
    "Beras 5kg\x1b@\x1dV\x00",
]


@pytest.mark.parametrize("codepage", ["CP858", "CP437", "CP1252", "ISO8859-15"])
def test_any_name_prints_in_the_code_page_without_gb18030(codepage: str) -> None:
    data = receipt_bytes(doc(*NAMES), codepage=codepage)
    job = read_job(data, 32, CODECS[codepage])
    printed = " ".join(" ".join(job.lines).split())  # the names' wrapped lines joined
    assert "Kopi KaFei" in printed
    assert "Teh :coffee: :grinning: :thumbsup:" in printed
    assert "qhwh `rbyh" in printed
    assert "Bolu 1/2 Loyang" in printed and "Pedas x 2" in printed
    assert "Beras 5kg @ V" in printed  # the name's ESC @ and GS V 0 never reach the printer
    for chinese in ("咖啡", "咖"):
        assert chinese.encode("gb18030") not in data
    assert job.commands.count(("init",)) == 1


def test_encode_text_keeps_what_the_code_page_has() -> None:
    assert encode_text("Café ½ €", "CP858") == "Café ½ €".encode("cp858")
    assert encode_text("Café ½ €", "CP437") == b"Caf\x82 \xab EUR"
    assert encode_text("Kopi 咖啡", "CP858") == b"Kopi KaFei"
    assert encode_text("2 × 3", "CP437") == b"2 x 3"  # CP437 has no ×: the receipt's "x"
    assert encode_text("tab\there\nline\x07bell", "CP858") == b"tab here linebell"


@settings(deadline=None, max_examples=300)
@given(st.text(max_size=80), st.sampled_from(CODEPAGES))
def test_encode_text_is_one_byte_per_character_of_the_code_page(text: str, codepage: str) -> None:
    data = encode_text(text, codepage)
    assert all(b >= 0x20 and b != 0x7F for b in data)  # no control byte: no command
    decoded = data.decode(escpos._codec(codepage))
    assert len(decoded) == len(data)
    assert decoded.encode(escpos._codec(codepage)) == data


def test_every_documented_profile_exists_in_python_escpos() -> None:
    capabilities, _ = escpos.python_escpos()
    assert set(PROFILES) <= set(capabilities.CAPABILITIES["profiles"])
    for profile in PROFILES:
        assert "CP437" in escpos.codepages_of(profile)
        receipt_bytes(doc(), profile=profile, codepage=escpos.default_codepage(profile))


# --- the test page ------------------------------------------------------------------------------


@pytest.mark.parametrize("width", [32, 42, 48])
def test_the_test_page(width: int) -> None:
    data = escpos.test_page_bytes(
        width=width, profile="TM-T20II", codepage="CP858", target_label="10.0.0.7:9100"
    )
    job = read_job(data, width, "cp858")
    assert job.lines[0].strip() == "TES PRINTER"
    assert "Printer: 10.0.0.7:9100" in job.lines
    assert "Profil: TM-T20II (48 kolom)" in job.lines and "Code page: CP858" in job.lines
    ruler = next(text for text in job.lines if text.startswith("....:....1"))
    assert len(ruler) == width and ruler[9] == "1" and ruler[19] == "2"
    assert "Café ½ × - 10° Rp1.000 ©" in job.lines  # CP858 has them all but the dash
    assert "Kopi KaFei qhwh :coffee:" in job.lines
    assert job.qr == [b"TES PRINTER"] and job.commands[-1] == ("V", 0)
    assert job.lines[-1] == scissors(width)


def test_the_test_page_on_cp437() -> None:
    data = escpos.test_page_bytes(width=32, profile="default", codepage="CP437", target_label="x")
    assert "Café ½ x - 10° Rp1.000 (C)" in read_job(data, 32, "cp437").lines


# --- python-escpos's side effects ---------------------------------------------------------------

SCRIPT = """
import logging, pickle, sys
root = logging.getLogger()
before = (list(root.handlers), root.level)
from kasir.output import escpos
with open(sys.argv[1], "rb") as f:
    doc = pickle.load(f)
escpos.receipt_bytes(doc)
escpos.receipt_bytes(doc, profile="POS-5890")
escpos.test_page_bytes(width=32, profile="TM-T20II", codepage="CP858", target_label="x")
assert (list(root.handlers), root.level) == before, (root.handlers, root.level)
"""


def test_python_escpos_leaves_logging_temp_folders_and_stdout_alone(tmp_path: Path) -> None:
    tmp, cache = tmp_path / "tmp", tmp_path / "cache"
    tmp.mkdir()
    saved = tmp_path / "doc.pickle"
    saved.write_bytes(pickle.dumps(doc()))
    env = {k: v for k, v in os.environ.items() if k != escpos.PICKLE_DIR_ENV}
    env |= {"TMPDIR": str(tmp), "XDG_CACHE_HOME": str(cache)}
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(saved)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == "" and done.stderr == ""
    assert list(tmp.iterdir()) == []  # no temp folder left
    assert list((cache / "kasir" / "escpos").glob("*.capabilities.pickle"))

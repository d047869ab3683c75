"""Store-wide settings, declared once with type, default and description.

The values live in the `setting` table (JSON text), so every counter sharing a store sees the
same ones. The settings screen and the README's table are generated from `SETTINGS`.
Machine-local things (database URL, this machine's counter code) are in `kasir.config`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any, cast

from sqlalchemy import Text, func, select
from sqlalchemy.orm import Session

from kasir.errors import ValidationError
from kasir.store.bulk import prepared
from kasir.store.models import Setting

# The largest quantity on one line: well inside the 32-bit INTEGER columns (qty, stock) on both
# backends, and far above any real basket (a typing slip of 10^19 is refused, not overflowed).
# Counted in the product's units: 1.000.000 kg of a weighed product is 10^9 g, still inside.
MAX_LINE_QTY_LIMIT = 1_000_000


def _dots(number: int) -> str:
    return f"{number:,}".replace(",", ".")


def _bounded_int(low: int, high: int) -> Callable[[object], int]:
    def check(value: object) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise ValidationError(f"Nilai harus bilangan bulat {low} sampai {_dots(high)}.")
        return value

    return check


def _percent(value: object) -> Decimal:
    try:
        dec = Decimal(str(value))
    except InvalidOperation as exc:
        raise ValidationError(f"Persentase tidak valid: {value!r}") from exc
    # NaN would make the comparison below raise InvalidOperation instead of refusing it.
    if isinstance(value, float) or not dec.is_finite() or not (Decimal(0) <= dec <= Decimal(100)):
        raise ValidationError("Persentase harus antara 0 dan 100.")
    if dec != dec.quantize(Decimal("0.01")):
        raise ValidationError("Persentase paling banyak dua angka di belakang koma.")
    return Decimal(f"{dec:f}")  # "1e1" is stored as "10", not "1E+1"


def _choice(*options: str) -> Callable[[object], str]:
    def check(value: object) -> str:
        if value not in options:
            raise ValidationError(f"Pilihan harus salah satu dari: {', '.join(options)}.")
        return str(value)

    return check


def _int_choice(*options: int) -> Callable[[object], int]:
    def check(value: object) -> int:
        if isinstance(value, bool) or value not in options:
            raise ValidationError(
                f"Pilihan harus salah satu dari: {', '.join(str(o) for o in options)}."
            )
        return int(cast(int, value))

    return check


def _bool(value: object) -> bool:
    if not isinstance(value, bool):
        raise ValidationError("Nilai harus true atau false.")
    return value


def _profile_name(value: object) -> str:
    if (
        not isinstance(value, str)
        or not 1 <= len(value) <= 40
        or not all(ch.isalnum() or ch in "-_." for ch in value)
    ):
        raise ValidationError(
            "Profil printer: nama profil python-escpos, mis. default, TM-T88V atau TM-T20II."
        )
    return value


MAX_TEXT_LENGTH = 1000  # a static QRIS string is at most 512


def _text(value: object) -> str:
    """Printable text for the receipt: line breaks allowed, other control characters not."""
    if not isinstance(value, str):
        raise ValidationError("Nilai harus teks.")
    if len(value) > MAX_TEXT_LENGTH:
        raise ValidationError(f"Teks paling panjang {MAX_TEXT_LENGTH} karakter.")
    if any(not ch.isprintable() and ch != "\n" for ch in value):
        raise ValidationError("Teks tidak boleh berisi karakter kontrol (selain baris baru).")
    return value


@lru_cache(maxsize=8)
def _valid_qris(text: str) -> str:
    from kasir.domain.qris import validate_static

    validate_static(text)
    return text


def _qris(value: object) -> str:
    text = _text(value).strip()
    return _valid_qris(text) if text else text


def _scale_layout(value: object) -> str:
    from kasir.domain.scale_label import check_layout_text

    return check_layout_text(value)


def _scale_prefixes(value: object) -> str:
    from kasir.domain.scale_label import check_prefix_text

    return check_prefix_text(value)


@dataclass(frozen=True)
class SettingDef:
    key: str
    default: Any
    description: str  # Indonesian, shown in the settings screen
    check: Callable[[object], Any]

    def to_json(self, value: Any) -> str:
        return json.dumps(str(value) if isinstance(value, Decimal) else value)


SETTINGS: tuple[SettingDef, ...] = (
    SettingDef(
        "store_name", "Kawasan Terintegrasi UMKM Pemasyarakatan", "Nama toko di struk", _text
    ),
    SettingDef(
        "store_address",
        "Kel. Buaran Indah, Kota Tangerang, Banten",
        "Alamat toko di struk",
        _text,
    ),
    SettingDef("receipt_footer", "Terima kasih. Karya warga binaan.", "Teks kaki struk", _text),
    SettingDef(
        "tax_rate_pct",
        Decimal("0"),
        "Tarif pajak (PPN) dalam persen (0-100); harga sudah termasuk pajak. Default 0%.",
        _percent,
    ),
    SettingDef(
        "discount_approval_pct",
        Decimal("10"),
        "Diskon di atas persentase ini (per baris atau per transaksi) perlu persetujuan supervisor",
        _percent,
    ),
    SettingDef(
        "pin_max_tries",
        5,
        "PIN salah berturut-turut (masuk atau persetujuan) sebelum pengguna dikunci (3-10)",
        _bounded_int(3, 10),
    ),
    SettingDef(
        "pin_lockout_minutes",
        15,
        "Lama pengguna terkunci sesudah PIN salah berkali-kali (menit, 1-1440)",
        _bounded_int(1, 1440),
    ),
    SettingDef(
        "screen_lock_minutes",
        5,
        "Layar kasir terkunci sendiri sesudah sekian menit tanpa kegiatan (0: tidak pernah)",
        _bounded_int(0, 240),
    ),
    SettingDef(
        "oversell",
        "warn",
        "Menjual melebihi stok tercatat: 'warn' (peringatan, tetap boleh) atau 'refuse' (tolak)",
        _choice("warn", "refuse"),
    ),
    SettingDef(
        "max_line_qty",
        9999,
        f"Jumlah terbesar per baris (mencegah salah ketik; barang timbang dihitung dalam "
        f"kg/l/m); 1 sampai {_dots(MAX_LINE_QTY_LIMIT)}",
        _bounded_int(1, MAX_LINE_QTY_LIMIT),
    ),
    SettingDef(
        "qris_static",
        "",
        "String QRIS statis dari bank (dipakai untuk membuat QR dinamis sesuai nominal)",
        _qris,
    ),
    # --- Weighed and measured goods: scale labels (kasir.domain.scale_label) ---
    SettingDef(
        "scale_label_layout",
        "2P IIIII VVVVV C",
        "Tata letak label timbangan (EAN-13, 13 karakter, spasi diabaikan): 2P = awalan, "
        "I = kode barang (PLU), V = harga (Rupiah) atau berat (gram/ml/mm), "
        "X = diabaikan, C = digit pemeriksa",
        _scale_layout,
    ),
    SettingDef(
        "scale_label_price_prefixes",
        "21-25",
        "Awalan label timbangan yang berisi harga (misalnya 21-25 atau 21,23; kosong = tidak ada)",
        _scale_prefixes,
    ),
    SettingDef(
        "scale_label_weight_prefixes",
        "26-29",
        "Awalan label timbangan yang berisi berat (misalnya 26-29; kosong = tidak ada)",
        _scale_prefixes,
    ),
    # --- payments a cashier can trust, cash rounding (issue 16 items 3 and 7) ---
    SettingDef(
        "cash_plausible_over",
        1_000_000,
        "Uang tunai yang melebihi sisa tagihan lebih dari jumlah ini (Rupiah) perlu dikonfirmasi "
        "kasir sebelum diterima (mencegah salah ketik atau barcode terbaca sebagai nominal); "
        "0 = selalu tanya bila ada kembalian",
        _bounded_int(0, 1_000_000_000),
    ),
    SettingDef(
        "cash_rounding",
        "off",
        "Pembulatan tunai: 'off' (tanpa pembulatan, default; aturan resmi belum ditemukan), "
        "'100', '500' atau '1000' (kelipatan Rupiah). Hanya bagian yang dibayar tunai (dan "
        "retur yang dikembalikan tunai) yang dibulatkan; selisihnya baris 'Pembulatan' sendiri, "
        "tidak masuk UPT mana pun",
        _choice("off", "100", "500", "1000"),
    ),
    SettingDef(
        "cash_rounding_direction",
        "nearest",
        "Arah pembulatan tunai, atas jumlah uang yang berpindah tangan (dibayar atau "
        "dikembalikan): 'nearest' (terdekat, setengah ke atas), 'down' (ke bawah) atau 'up' "
        "(ke atas). Jumlah di atas Rp 0 tidak pernah dibulatkan menjadi Rp 0",
        _choice("nearest", "down", "up"),
    ),
    # --- The cashier's window (issue 16: any screen, scanner bursts) ---
    SettingDef(
        "window_mode",
        "maximized",
        "Jendela kasir saat dibuka: 'maximized' (memenuhi layar), 'fullscreen' (layar penuh "
        "tanpa bingkai, untuk kios) atau 'normal' (jendela 1024x700)",
        _choice("maximized", "fullscreen", "normal"),
    ),
    SettingDef(
        "font_scale_pct",
        100,
        "Ukuran huruf semua layar dalam persen (80-200); berlaku saat Kasir dibuka lagi",
        _bounded_int(80, 200),
    ),
    # --- Receipts on ESC/POS printers (issue 17; the printer's address is the machine's own
    # setting `printer` / KASIR_PRINTER, since every counter has its printer) ---
    SettingDef(
        "receipt_width",
        32,
        "Lebar struk dalam karakter: 32 (kertas 58 mm), 42 atau 48 (kertas 80 mm; Epson TM-T82 "
        "48, TM-m30 42); 24 sampai 64",
        _bounded_int(24, 64),
    ),
    SettingDef(
        "printer_profile",
        "default",
        "Profil printer python-escpos (mis. default, TM-T88V, TM-T20II, TM-m30); lihat "
        "'kasir printer test'",
        _profile_name,
    ),
    SettingDef(
        "printer_codepage",
        "CP858",
        "Code page teks printer (dipasang sekali per struk): CP437, CP850, CP858 atau CP1252; "
        "huruf di luar code page ditransliterasi (mis. 咖啡 -> kafei)",
        _choice("CP437", "CP850", "CP858", "CP1252"),
    ),
    SettingDef(
        "printer_timeout_s",
        3,
        "Batas waktu printer (detik, 1-30): printer yang tidak menjawab selama ini dilaporkan",
        _bounded_int(1, 30),
    ),
    SettingDef(
        "drawer_on_cash",
        True,
        "Buka laci uang saat pembayaran tunai (true/false)",
        _bool,
    ),
    SettingDef(
        "drawer_pin",
        2,
        "Pin laci uang pada printer: 2 atau 5",
        _int_choice(2, 5),
    ),
    SettingDef(
        "drawer_pulse_ms",
        120,
        "Lama pulsa pembuka laci (milidetik, 50-500)",
        _bounded_int(50, 500),
    ),
    SettingDef(
        "scanner_key_interval_ms",
        30,
        "Jeda terlama antar tombol (milidetik, 5-200) agar ketikan yang diakhiri Enter dibaca "
        "sebagai pemindai barcode, di mana pun fokusnya",
        _bounded_int(5, 200),
    ),
)

# --- The day's settlement (issue 19): the default allocation scheme, the header, the
# signatories. A UPT's own scheme is in its upt.alloc_* columns (NULL: this default).
ALLOC_KEYS = (
    "alloc_default_pnbp_pct",
    "alloc_default_premi_pct",
    "alloc_default_pembinaan_pct",
    "alloc_default_base",
)


def _kode_akun(value: object) -> str:
    text = _text(value).strip()
    if text and not (len(text) == 6 and text.isascii() and text.isdigit()):
        raise ValidationError("Kode akun (MAP) harus 6 angka, atau kosong bila belum diatur.")
    return text


def _nip(value: object) -> str:
    text = _text(value).strip().replace(" ", "")
    if text and not (len(text) == 18 and text.isascii() and text.isdigit()):
        raise ValidationError("NIP harus 18 angka, atau kosong.")
    return text


def _line(value: object) -> str:
    text = _text(value).strip()
    if "\n" in text or len(text) > 200:
        raise ValidationError("Teks satu baris, paling panjang 200 karakter.")
    return text


SETTINGS = (
    *SETTINGS,
    SettingDef(
        "alloc_default_pnbp_pct",
        Decimal("100"),
        "Alokasi bawaan (UPT tanpa skema sendiri): persen PNBP yang disetor ke kas negara; "
        "PNBP + premi + pembinaan = 100 (ubah ketiganya sekaligus: kasir upt alloc --default)",
        _percent,
    ),
    SettingDef(
        "alloc_default_premi_pct",
        Decimal("0"),
        "Alokasi bawaan: persen premi (upah) warga binaan",
        _percent,
    ),
    SettingDef(
        "alloc_default_pembinaan_pct",
        Decimal("0"),
        "Alokasi bawaan: persen dana pembinaan/modal",
        _percent,
    ),
    SettingDef(
        "alloc_default_base",
        "net",
        "Dasar alokasi bawaan: 'net' (penjualan bersih) atau 'margin' (penjualan bersih "
        "dikurangi harga pokok)",
        _choice("net", "margin"),
    ),
    SettingDef(
        "settlement_ministry",
        "Kementerian Imigrasi dan Pemasyarakatan Republik Indonesia",
        "Kop laporan setoran harian: kementerian",
        _line,
    ),
    SettingDef(
        "settlement_directorate",
        "Direktorat Jenderal Pemasyarakatan",
        "Kop laporan setoran harian: direktorat jenderal",
        _line,
    ),
    SettingDef("settlement_satker", "", "Kop laporan: nama satuan kerja (satker)", _line),
    SettingDef(
        "settlement_kawasan",
        "",
        "Kop laporan: nama kawasan (kosong: nama toko, store_name)",
        _line,
    ),
    SettingDef(
        "settlement_kode_akun",
        "",
        "Kode akun PNBP (MAP, 6 angka) untuk setoran SIMPONI; kosong: belum diatur",
        _kode_akun,
    ),
    SettingDef("bendahara_name", "", "Nama Bendahara Penerimaan (tanda tangan laporan)", _line),
    SettingDef("bendahara_nip", "", "NIP Bendahara Penerimaan (18 angka)", _nip),
    SettingDef("kepala_name", "", "Nama Kepala yang mengetahui laporan", _line),
    SettingDef("kepala_title", "Kepala", "Jabatan yang mengetahui (mis. Kepala Kawasan)", _line),
    SettingDef("kepala_nip", "", "NIP Kepala (18 angka)", _nip),
)

_BY_KEY = {s.key: s for s in SETTINGS}


def definition(key: str) -> SettingDef:
    try:
        return _BY_KEY[key]
    except KeyError:
        raise KeyError(f"unknown setting {key!r}") from None


_CACHE_KEY = "kasir.settings"


def parse_text(key: str, text: str) -> Any:
    """A value typed on the command line, in the type the setting declares."""
    default = definition(key).default
    if isinstance(default, bool):
        return text.strip().lower() in ("1", "ya", "true", "yes")
    if isinstance(default, int):
        digits = text.strip()
        # ASCII digits only: "²".isdigit() is True but int("²") fails; 19 digits is plenty.
        if not (digits.isascii() and digits.isdigit()) or len(digits) > 19:
            raise ValidationError(f"{key} harus bilangan bulat (angka 0-9), bukan {text!r}.")
        return int(digits)
    return text


# All stored settings in one value, per dialect: a JSON object of key to stored (JSON) text, as a
# scalar subquery (`{}` or NULL when none is stored). Read on its own, or inside another statement:
# the checkout's open-shift read carries it (kasir.services.shifts).
STORED_SETTINGS: dict[str, Any] = {
    "sqlite": select(func.json_group_object(Setting.key, Setting.value)).scalar_subquery(),
    "postgresql": select(
        func.json_object_agg(Setting.key, Setting.value).cast(Text)
    ).scalar_subquery(),
}
_READ_STORED = {name: select(column) for name, column in STORED_SETTINGS.items()}


def _read_stored(session: Session) -> str | None:
    if session.autoflush:  # as session.execute would: a setting added in this unit is seen
        session.flush()
    conn = session.connection()
    row = prepared(_READ_STORED[conn.dialect.name], conn.dialect).first(conn, {})
    return None if row is None else row[0]


@lru_cache(maxsize=8)
def _parsed(stored: str | None) -> dict[str, Any]:
    """Every setting's value from the stored JSON text (see STORED_SETTINGS), parsed and checked
    once per distinct text: a checkout or a scan compares a few hundred characters instead of
    parsing and checking every value again. The dict is shared: never change it."""
    rows: dict[str, str] = json.loads(stored) if stored else {}
    values: dict[str, Any] = {}
    for sdef in SETTINGS:
        raw = rows.get(sdef.key)
        values[sdef.key] = sdef.default if raw is None else sdef.check(json.loads(raw))
    return values


def use_stored(session: Session, stored: str | None) -> None:
    """Take the settings of this unit of work from `stored` (STORED_SETTINGS read by the
    caller in its own statement), unless the unit of work has read them already."""
    if _CACHE_KEY not in session.info:
        session.info[_CACHE_KEY] = _parsed(stored)


def _values(session: Session) -> dict[str, Any]:
    cache: dict[str, Any] | None = session.info.get(_CACHE_KEY)
    if cache is None:
        cache = session.info[_CACHE_KEY] = _parsed(_read_stored(session))
    return cache


def get_setting(session: Session, key: str) -> Any:
    """The stored value of `key`, or its declared default.

    All settings are read in one statement once per session (one unit of work) and kept in
    `session.info`, so a scan does not pay a query per setting; they are parsed again only
    when the stored text changed (a change made elsewhere is seen by the next unit of work)."""
    try:
        return _values(session)[key]
    except KeyError:
        definition(key)  # an unknown key: KeyError naming it
        raise


def get_all(session: Session) -> dict[str, Any]:
    """Every setting's value, read now (not from this unit of work's cache): a new dict."""
    return dict(_parsed(_read_stored(session)))


def set_setting(session: Session, key: str, value: Any) -> Any:
    """Validate and store a setting; returns the normalised value."""
    sdef = definition(key)
    checked = sdef.check(value)
    if key in ALLOC_KEYS:
        _check_allocation(session, {key: checked})
    return _store(session, key, checked)


def set_settings(session: Session, values: dict[str, Any]) -> dict[str, Any]:
    """Validate and store several settings together (the allocation keys are checked as a
    whole: PNBP + premi + pembinaan = 100); returns the normalised values."""
    checked = {key: definition(key).check(value) for key, value in values.items()}
    if ALLOC_KEYS_SET & checked.keys():
        _check_allocation(session, checked)
    for key, value in checked.items():
        _store(session, key, value)
    return checked


ALLOC_KEYS_SET = frozenset(ALLOC_KEYS)


def _check_allocation(session: Session, changed: dict[str, Any]) -> None:
    from kasir.domain.allocation import make_scheme

    now = _parsed(_read_stored(session))
    pnbp, premi, pembinaan, base = (changed.get(k, now[k]) for k in ALLOC_KEYS)
    try:
        make_scheme(pnbp, premi, pembinaan, base)
    except ValidationError as exc:
        raise ValidationError(
            f"{exc.message} Ubah ketiga persentase sekaligus: kasir upt alloc --default "
            "--pnbp P --premi Q --pembinaan R."
        ) from None


def _store(session: Session, key: str, checked: Any) -> Any:
    sdef = definition(key)
    session.info.pop(_CACHE_KEY, None)
    row = session.get(Setting, key)
    if row is None:
        session.add(Setting(key=key, value=sdef.to_json(checked)))
    else:
        row.value = sdef.to_json(checked)
    session.flush()
    return checked

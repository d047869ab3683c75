"""QRIS payloads (EMVCo merchant-presented QR): TLV parsing, CRC, static -> dynamic.

A counter has one static QRIS string from its bank. `make_dynamic` turns it into a QR for an
exact amount by editing the parsed TLV fields (never by string replacement): tag 01 becomes
``12``, tags 54-57 and 63 are dropped, tag 54 (whole Rupiah) goes right before tag 58, and a
fresh ``6304`` + CRC-16/CCITT-FALSE closes the payload. See DESIGN.md section 6.
"""

from __future__ import annotations

from kasir.errors import ValidationError
from kasir.money import ensure_rupiah

CRC_TAG = "63"
AMOUNT_TAG = "54"
COUNTRY_TAG = "58"
_DROPPED_FOR_DYNAMIC = frozenset({"54", "55", "56", "57", CRC_TAG})
_MAX_AMOUNT_CHARS = 13  # EMVCo: tag 54 holds at most 13 characters
_PREFIX = "QRIS statis tidak valid: "


def crc16_ccitt_false(data: bytes) -> int:
    """CRC-16/CCITT-FALSE: poly 0x1021, init 0xFFFF, no reflection, xorout 0."""
    crc = 0xFFFF
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else (crc << 1)
            crc &= 0xFFFF
    return crc


def _crc_hex(text: str) -> str:
    return f"{crc16_ccitt_false(text.encode('utf-8')):04X}"


def parse_tlv(payload: str) -> list[tuple[str, str]]:
    """Split ``payload`` into (tag, value) pairs; 2-digit tag, 2-digit length, value.

    Raises `ValidationError` when a header is not digits or a value runs past the end.
    """
    if not isinstance(payload, str):
        raise TypeError(f"payload must be str, got {type(payload).__name__}")
    fields: list[tuple[str, str]] = []
    pos = 0
    while pos < len(payload):
        header = payload[pos : pos + 4]
        if len(header) < 4:
            raise ValidationError(
                f"{_PREFIX}data terpotong di posisi {pos} (sisa '{header}' bukan field lengkap)."
            )
        tag, length_text = header[:2], header[2:]
        if not (tag.isascii() and tag.isdigit()):
            raise ValidationError(f"{_PREFIX}tag '{tag}' di posisi {pos} bukan 2 angka.")
        if not (length_text.isascii() and length_text.isdigit()):
            raise ValidationError(
                f"{_PREFIX}panjang '{length_text}' untuk tag {tag} di posisi {pos} bukan 2 angka."
            )
        length = int(length_text)
        start = pos + 4
        if start + length > len(payload):
            raise ValidationError(
                f"{_PREFIX}data terpotong: tag {tag} meminta {length} karakter, "
                f"tersisa {len(payload) - start}."
            )
        fields.append((tag, payload[start : start + length]))
        pos = start + length
    return fields


def _encode(fields: list[tuple[str, str]]) -> str:
    parts: list[str] = []
    for tag, value in fields:
        if len(value) > 99:
            raise ValidationError(f"{_PREFIX}isi tag {tag} lebih dari 99 karakter.")
        parts.append(f"{tag}{len(value):02d}{value}")
    return "".join(parts)


def validate_static(payload: str) -> list[tuple[str, str]]:
    """Check a QRIS payload and return its fields (tag 63 included).

    Checks: TLV structure, first field 00 = ``01``, tag 01 (if any) is ``11`` or ``12``,
    no repeated tag, tag 53 = ``360``, tag 58 = ``ID``, and a last field 63 of length 4 whose
    CRC matches. A dynamic payload made by `make_dynamic` passes too.
    """
    fields = parse_tlv(payload)
    if not fields:
        raise ValidationError(f"{_PREFIX}data kosong.")
    if fields[0] != ("00", "01"):
        raise ValidationError(f"{_PREFIX}harus diawali tag 00 bernilai 01.")
    seen: set[str] = set()
    for tag, _ in fields:
        if tag in seen:
            raise ValidationError(f"{_PREFIX}tag {tag} muncul lebih dari sekali.")
        seen.add(tag)
    values = dict(fields)
    last_tag, written = fields[-1]
    if last_tag != CRC_TAG:
        raise ValidationError(f"{_PREFIX}tag 63 (CRC) tidak ada di akhir data.")
    if len(written) != 4:
        raise ValidationError(f"{_PREFIX}CRC (tag 63) harus 4 karakter, bukan {len(written)}.")
    expected = _crc_hex(payload[:-4])
    if written.upper() != expected:
        raise ValidationError(f"{_PREFIX}CRC salah (tertulis {written}, seharusnya {expected}).")
    if values.get("01", "11") not in ("11", "12"):
        raise ValidationError(f"{_PREFIX}tag 01 harus 11 (statis) atau 12 (dinamis).")
    if values.get("53") != "360":
        raise ValidationError(
            f"{_PREFIX}mata uang (tag 53) harus 360 (Rupiah), bukan '{values.get('53', '')}'."
        )
    if values.get(COUNTRY_TAG) != "ID":
        raise ValidationError(
            f"{_PREFIX}kode negara (tag 58) harus ID, bukan '{values.get(COUNTRY_TAG, '')}'."
        )
    return fields


def payload_amount(payload: str) -> int | None:
    """Amount (tag 54) of a valid payload in whole Rupiah, or ``None`` when it has none."""
    value = dict(validate_static(payload)).get(AMOUNT_TAG)
    if value is None:
        return None
    if not (value.isascii() and value.isdigit()):
        raise ValidationError(f"Jumlah QRIS (tag 54) bukan Rupiah utuh: '{value}'.")
    return int(value)


def make_dynamic(static_payload: str, amount: int) -> str:
    """Dynamic QRIS payload for ``amount`` (whole Rupiah, > 0) from a static payload."""
    amount = ensure_rupiah(amount, "amount")
    if amount <= 0:
        raise ValidationError("Jumlah QRIS harus lebih dari Rp 0.")
    amount_text = str(amount)
    if len(amount_text) > _MAX_AMOUNT_CHARS:
        raise ValidationError(
            f"Jumlah QRIS terlalu besar: paling banyak {_MAX_AMOUNT_CHARS} digit."
        )
    fields = validate_static(static_payload)
    out: list[tuple[str, str]] = []
    for tag, value in fields:
        if tag in _DROPPED_FOR_DYNAMIC:
            continue
        if tag == COUNTRY_TAG:
            out.append((AMOUNT_TAG, amount_text))
        out.append((tag, "12") if tag == "01" else (tag, value))
    if all(tag != "01" for tag, _ in out):
        out.insert(1, ("01", "12"))
    body = _encode(out) + CRC_TAG + "04"
    return body + _crc_hex(body)


def build_static_example(merchant_name: str = "KAWASAN UMKM PAS", city: str = "TANGERANG") -> str:
    """A syntactically valid static QRIS payload for demos and tests. Not a real merchant."""
    if not 1 <= len(merchant_name) <= 25:
        raise ValidationError("Nama merchant QRIS harus 1 sampai 25 karakter.")
    if not 1 <= len(city) <= 15:
        raise ValidationError("Nama kota QRIS harus 1 sampai 15 karakter.")
    merchant_account = _encode(
        [
            ("00", "ID.CO.DEMO.WWW"),  # GUID of the (fictional) acquirer
            ("01", "936000000000000001"),  # merchant PAN (demo)
            ("02", "DEMO000000000001"),  # merchant id (demo)
            ("03", "UMI"),  # merchant criteria: micro business
        ]
    )
    qris_national = _encode([("00", "ID.CO.QRIS.WWW"), ("02", "ID0000DEMO00001"), ("03", "UMI")])
    body = _encode(
        [
            ("00", "01"),
            ("01", "11"),
            ("26", merchant_account),
            ("51", qris_national),
            ("52", "5999"),
            ("53", "360"),
            ("58", "ID"),
            ("59", merchant_name),
            ("60", city),
            ("61", "15111"),
        ]
    )
    body += CRC_TAG + "04"
    return body + _crc_hex(body)

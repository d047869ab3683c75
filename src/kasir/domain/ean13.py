"""EAN-13 barcodes: check digit, validation and in-store codes (GS1 prefix 20-29).

python-barcode and ReportLab silently drop a wrong 13th digit, so Kasir validates codes itself
before printing or storing them.
"""

from __future__ import annotations

from kasir.errors import ValidationError

INSTORE_PREFIXES = range(20, 30)
"""GS1 restricted-circulation prefixes: free for in-store use, never a manufacturer's code."""

_NUMBER_LIMIT = 10**10


def _is_ascii_digits(text: str) -> bool:
    return text.isascii() and text.isdigit()


def ean13_check_digit(first12: str) -> str:
    """Check digit (as one character) for the first 12 digits of an EAN-13 code."""
    if not isinstance(first12, str):
        raise TypeError(f"first12 must be str, got {type(first12).__name__}")
    if len(first12) != 12 or not _is_ascii_digits(first12):
        raise ValidationError(f"Awal barcode EAN-13 harus 12 angka 0-9, bukan '{first12}'.")
    total = sum(int(ch) * (3 if i % 2 else 1) for i, ch in enumerate(first12))
    return str((10 - total % 10) % 10)


def is_valid_ean13(code: str) -> bool:
    """True if ``code`` is 13 ASCII digits with the right check digit."""
    if not isinstance(code, str) or len(code) != 13 or not _is_ascii_digits(code):
        return False
    return ean13_check_digit(code[:12]) == code[12]


def validate_ean13(code: str) -> str:
    """Return ``code`` if it is a valid EAN-13; raise `ValidationError` saying why not."""
    if not isinstance(code, str):
        raise TypeError(f"code must be str, got {type(code).__name__}")
    if not _is_ascii_digits(code):
        raise ValidationError(f"Barcode '{code}' tidak valid: EAN-13 hanya boleh berisi angka 0-9.")
    if len(code) != 13:
        raise ValidationError(
            f"Barcode '{code}' tidak valid: EAN-13 harus 13 angka, yang ini {len(code)} angka."
        )
    expected = ean13_check_digit(code[:12])
    if code[12] != expected:
        raise ValidationError(
            f"Barcode '{code}' tidak valid: angka terakhir (digit pemeriksa) seharusnya "
            f"{expected}, bukan {code[12]}. Periksa kembali angkanya."
        )
    return code


def is_instore(code: str) -> bool:
    """True if ``code`` is a valid EAN-13 in the restricted-circulation range 20-29."""
    return is_valid_ean13(code) and int(code[:2]) in INSTORE_PREFIXES


def make_instore_ean13(prefix: int, number: int) -> str:
    """Build a valid in-store EAN-13: 2-digit ``prefix`` (20-29) + ``number`` as 10 digits."""
    for name, value in (("prefix", prefix), ("number", number)):
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"{name} must be int, got {type(value).__name__}")
    if prefix not in INSTORE_PREFIXES:
        raise ValidationError(
            f"Awalan barcode toko harus 20 sampai 29 (kode GS1 untuk pemakaian internal), "
            f"bukan {prefix}."
        )
    if not 0 <= number < _NUMBER_LIMIT:
        raise ValidationError(
            f"Nomor barcode toko harus 0 sampai {_NUMBER_LIMIT - 1} (10 angka), bukan {number}."
        )
    first12 = f"{prefix:02d}{number:010d}"
    return first12 + ean13_check_digit(first12)

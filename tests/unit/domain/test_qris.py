"""Tests for kasir.domain.qris: CRC, TLV parsing, validation, static -> dynamic."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kasir.domain.qris import (
    build_static_example,
    crc16_ccitt_false,
    make_dynamic,
    parse_tlv,
    payload_amount,
    validate_static,
)
from kasir.errors import ValidationError

# Example payload from the EMVCo MPM specification (CRC A13A). Not a QRIS (CNY, CN).
EMVCO_SAMPLE = (
    "00020101021229300012D156000000000510A93FO3230Q31280012D15600000001030812345678"
    "520441115802CN5914BEST TRANSPORT6007BEIJING64200002ZH0104最佳运输0202北京"
    "540523.7253031565502016233030412340603***0708A60086670902ME9132001"
    "6A0112233449988770708123456786304A13A"
)

# A published Indonesian dynamic QRIS example (a payment gateway's docs): tag 62 present.
PUBLISHED_DYNAMIC = (
    "00020101021226570011ID.DANA.WWW011893600915015706056102091570605610303UME"
    "51440014ID.CO.QRIS.WWW0215ID20210807329890303UME5204893153033605405100005802ID"
    "5906XENDIT6015Kota Jakarta Se61051219062720115SzW8BPHhw35i1vT60490011ID.DANA.WWW"
    "0425MER2021071400774509608641050116304B00A"
)

# Hand-written static payload: 52/53 come before the merchant templates, tag 55 (tip) is
# present, 62 carries additional data, 58 is not right after 53.
HAND_FIELDS = [
    ("00", "01"),
    ("01", "11"),
    ("52", "5812"),
    ("53", "360"),
    ("26", "0014ID.CO.DEMO.WWW0118936000000000000420303UMI"),
    ("51", "0014ID.CO.QRIS.WWW0215ID0000DEMO000420303UMI"),
    ("55", "01"),
    ("59", "WARUNG CONTOH"),
    ("58", "ID"),
    ("60", "JAKARTA"),
    ("61", "10110"),
    ("62", "0703A010805KASIR"),
]


def encode(fields: list[tuple[str, str]], crc: str | None = None) -> str:
    """Independent TLV encoder for the tests; appends tag 63 with the given or right CRC."""
    body = "".join(f"{tag}{len(value):02d}{value}" for tag, value in fields) + "6304"
    return body + (crc if crc is not None else f"{crc16_ccitt_false(body.encode()):04X}")


HAND_WRITTEN = encode(HAND_FIELDS)


def strip_crc(fields: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [(t, v) for t, v in fields if t != "63"]


# ---------------------------------------------------------------------------- CRC


def test_crc_check_value() -> None:
    assert crc16_ccitt_false(b"123456789") == 0x29B1


def test_crc_known_payloads() -> None:
    assert crc16_ccitt_false(b"") == 0xFFFF
    assert crc16_ccitt_false(EMVCO_SAMPLE[:-4].encode("utf-8")) == 0xA13A
    assert crc16_ccitt_false(PUBLISHED_DYNAMIC[:-4].encode("utf-8")) == 0xB00A


# ---------------------------------------------------------------------------- TLV


def test_parse_tlv_basic() -> None:
    assert parse_tlv("") == []
    assert parse_tlv("000201") == [("00", "01")]
    assert parse_tlv("0000") == [("00", "")]
    assert parse_tlv("0002010104ABCD") == [("00", "01"), ("01", "ABCD")]


def test_parse_tlv_counts_characters_not_bytes() -> None:
    fields = parse_tlv(EMVCO_SAMPLE)
    assert ("64", "0002ZH0104最佳运输0202北京") in fields
    assert fields[-1] == ("63", "A13A")
    # the value of 62 contains "63"-looking text; it must not be mistaken for the CRC tag
    assert ("62", "030412340603***0708A60086670902ME") in fields


@pytest.mark.parametrize(
    "bad",
    ["0", "000", "00020", "0002010", "000201010", "AB02xx", "00x201", "0005abc", "0002011299"],
)
def test_parse_tlv_garbage(bad: str) -> None:
    with pytest.raises(ValidationError, match="QRIS"):
        parse_tlv(bad)


# ---------------------------------------------------------------------------- validate_static


def test_build_static_example_is_valid() -> None:
    payload = build_static_example()
    fields = validate_static(payload)
    values = dict(fields)
    tags = [t for t, _ in fields]
    assert tags == ["00", "01", "26", "51", "52", "53", "58", "59", "60", "61", "63"]
    assert values["01"] == "11"
    assert values["52"] == "5999"
    assert values["53"] == "360"
    assert values["58"] == "ID"
    assert values["59"] == "KAWASAN UMKM PAS"
    assert values["60"] == "TANGERANG"
    assert values["61"] == "15111"
    assert "DEMO" in values["26"]
    assert payload_amount(payload) is None
    assert payload.startswith("000201010211")
    assert payload[-8:-4] == "6304"


def test_build_static_example_custom_and_limits() -> None:
    fields = dict(validate_static(build_static_example("TOKO A", "BANDUNG")))
    assert (fields["59"], fields["60"]) == ("TOKO A", "BANDUNG")
    with pytest.raises(ValidationError):
        build_static_example("X" * 26)
    with pytest.raises(ValidationError):
        build_static_example(city="")


def test_validate_published_payload() -> None:
    fields = validate_static(PUBLISHED_DYNAMIC)
    assert dict(fields)["54"] == "10000"
    assert payload_amount(PUBLISHED_DYNAMIC) == 10000


def test_validate_hand_written() -> None:
    assert strip_crc(validate_static(HAND_WRITTEN)) == HAND_FIELDS


def test_wrong_crc() -> None:
    payload = build_static_example()
    right = payload[-4:]
    wrong = "0000" if right != "0000" else "1111"
    expected = rf"CRC salah \(tertulis {wrong}, seharusnya {right}\)\."
    with pytest.raises(ValidationError, match=expected):
        validate_static(payload[:-4] + wrong)


def test_changed_content_breaks_crc() -> None:
    payload = build_static_example().replace("TANGERANG", "TANGERANX")
    with pytest.raises(ValidationError, match="CRC salah"):
        validate_static(payload)


def test_lowercase_crc_accepted() -> None:
    payload = encode(HAND_FIELDS)
    lowered = payload[:-4] + payload[-4:].lower()
    assert strip_crc(validate_static(lowered)) == HAND_FIELDS


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        ("", "kosong"),
        (build_static_example()[:-1], "terpotong"),
        (build_static_example()[:-10], "terpotong"),
        (build_static_example()[:-8], "tag 63"),
        (encode(HAND_FIELDS)[:-8] + "630599A4X", "4 karakter"),
        ("".join(f"{t}{len(v):02d}{v}" for t, v in HAND_FIELDS), "tag 63"),
        (encode(HAND_FIELDS) + "9904ABCD", "tag 63"),
        (encode([(t, "840" if t == "53" else v) for t, v in HAND_FIELDS]), "mata uang"),
        (encode([(t, v) for t, v in HAND_FIELDS if t != "53"]), "mata uang"),
        (encode([(t, "SG" if t == "58" else v) for t, v in HAND_FIELDS]), "negara"),
        (encode([(t, v) for t, v in HAND_FIELDS if t != "58"]), "negara"),
        (encode(HAND_FIELDS[1:]), "tag 00"),
        (encode([("00", "02"), *HAND_FIELDS[1:]]), "tag 00"),
        (encode([(t, "13" if t == "01" else v) for t, v in HAND_FIELDS]), "tag 01"),
        (encode([*HAND_FIELDS, ("59", "LAGI")]), "lebih dari sekali"),
        (EMVCO_SAMPLE, "mata uang"),
        ("hello world", "QRIS"),
    ],
)
def test_malformed(payload: str, reason: str) -> None:
    with pytest.raises(ValidationError, match=reason):
        validate_static(payload)
    with pytest.raises(ValidationError):
        make_dynamic(payload, 10000)


# ---------------------------------------------------------------------------- make_dynamic


def test_make_dynamic_example() -> None:
    static = build_static_example()
    dynamic = make_dynamic(static, 15000)
    fields = validate_static(dynamic)
    tags = [t for t, _ in fields]
    assert tags == ["00", "01", "26", "51", "52", "53", "54", "58", "59", "60", "61", "63"]
    values = dict(fields)
    assert values["01"] == "12"
    assert values["54"] == "15000"
    assert payload_amount(dynamic) == 15000
    # everything else unchanged
    static_fields = strip_crc(validate_static(static))
    assert [(t, v) for t, v in strip_crc(fields) if t not in ("01", "54")] == [
        (t, v) for t, v in static_fields if t != "01"
    ]
    assert "54051500058" in dynamic
    assert dynamic[-8:-4] == "6304"
    assert dynamic[-4:] == f"{crc16_ccitt_false(dynamic[:-4].encode()):04X}"


def test_make_dynamic_hand_written_keeps_order_and_tag_62() -> None:
    dynamic = make_dynamic(HAND_WRITTEN, 27500)
    fields = strip_crc(validate_static(dynamic))
    expected: list[tuple[str, str]] = []
    for tag, value in HAND_FIELDS:
        if tag == "55":
            continue  # tip indicator dropped
        if tag == "58":
            expected.append(("54", "27500"))
        expected.append((tag, "12" if tag == "01" else value))
    assert fields == expected
    assert dict(fields)["62"] == "0703A010805KASIR"


def test_make_dynamic_from_dynamic_replaces_amount() -> None:
    dynamic = make_dynamic(PUBLISHED_DYNAMIC, 2500)
    fields = strip_crc(validate_static(dynamic))
    original = strip_crc(validate_static(PUBLISHED_DYNAMIC))
    assert fields == [(t, "2500" if t == "54" else v) for t, v in original]
    again = make_dynamic(dynamic, 2500)
    assert again == dynamic


def test_make_dynamic_without_tag_01() -> None:
    fields = [(t, v) for t, v in HAND_FIELDS if t != "01"]
    dynamic = make_dynamic(encode(fields), 1000)
    parsed = validate_static(dynamic)
    assert parsed[0] == ("00", "01")
    assert parsed[1] == ("01", "12")


def test_make_dynamic_drops_tip_fields_and_old_crc() -> None:
    fields = [*HAND_FIELDS[:7], ("56", "500"), ("57", "1.5"), *HAND_FIELDS[7:]]
    dynamic = make_dynamic(encode(fields), 1000)
    tags = [t for t, _ in validate_static(dynamic)]
    assert not {"55", "56", "57"} & set(tags)
    assert tags.count("63") == 1
    assert tags.count("54") == 1


@pytest.mark.parametrize("amount", [0, -1, -15000])
def test_make_dynamic_rejects_non_positive(amount: int) -> None:
    with pytest.raises(ValidationError, match="lebih dari Rp 0"):
        make_dynamic(build_static_example(), amount)


def test_make_dynamic_rejects_too_large() -> None:
    make_dynamic(build_static_example(), 10**13 - 1)
    with pytest.raises(ValidationError, match="terlalu besar"):
        make_dynamic(build_static_example(), 10**13)


@pytest.mark.parametrize("amount", [1500.0, "1500", True])
def test_make_dynamic_rejects_non_int(amount: object) -> None:
    with pytest.raises(TypeError):
        make_dynamic(build_static_example(), amount)  # type: ignore[arg-type]


@given(st.integers(min_value=1, max_value=10**12))
def test_dynamic_property(amount: int) -> None:
    for static in (build_static_example(), HAND_WRITTEN, PUBLISHED_DYNAMIC):
        dynamic = make_dynamic(static, amount)
        assert dynamic[-8:-4] == "6304"
        assert dynamic[-4:] == f"{crc16_ccitt_false(dynamic[:-4].encode('utf-8')):04X}"
        fields = validate_static(dynamic)
        values = dict(fields)
        assert values["54"] == str(amount)
        assert values["01"] == "12"
        tags = [t for t, _ in fields]
        assert tags.index("54") + 1 == tags.index("58")
        assert payload_amount(dynamic) == amount

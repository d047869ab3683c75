"""The selling commands: simulate a day, export it for the accountant, make a QRIS payload."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from kasir.cli import main
from kasir.domain.qris import build_static_example, payload_amount, validate_static
from kasir.services.auth import Approval, login
from kasir.services.catalog import ensure_counter
from kasir.services.export import LINE_COLUMNS, PAYMENT_COLUMNS, SALES_COLUMNS
from kasir.services.returns import RefundItem, refund_sale
from kasir.services.sale_lookup import get_sale
from kasir.services.shifts import Till, current_shift, open_shift

DAY = "2026-11-20"


def url_of(factory: sessionmaker[Session]) -> str:
    return factory.kw["bind"].url.render_as_string(hide_password=False)


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_simulate_then_export(
    demo_sqlite: sessionmaker[Session], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = url_of(demo_sqlite)
    assert main(["--db", url, "simulate", "--date", DAY, "--sales", "60", "--counters", "2"]) == 0
    said = capsys.readouterr().out
    assert "60 penjualan di 2 meja (K01, K02) tanggal 20-11-2026" in said
    assert "2 shift ditutup" in said

    out = tmp_path / "ekspor"
    assert main(["--db", url, "export", "--date", DAY, "--out", str(out)]) == 0
    said_export = capsys.readouterr().out
    sales = read_csv(out / "sales.csv")
    lines = read_csv(out / "sale_lines.csv")
    payments = read_csv(out / "payments.csv")
    assert tuple(sales[0]) == SALES_COLUMNS
    assert tuple(lines[0]) == LINE_COLUMNS
    assert tuple(payments[0]) == PAYMENT_COLUMNS
    upts = read_csv(out / "upts.csv")
    assert tuple(upts[0]) == ("code", "name", "kind", "region")
    assert {ln["upt_code"] for ln in lines} <= {u["code"] for u in upts}
    assert f"{len(upts)} UPT" in said_export
    sold = [s for s in sales if s["kind"] == "sale"]
    assert len(sold) == 60 and {s["counter"] for s in sales} == {"K01", "K02"}
    assert all(s["business_date"] == DAY and s["created_at"].endswith("+07:00") for s in sales)
    # Whole Rupiah everywhere; the lines add up to each document's total.
    by_receipt: dict[str, int] = {}
    for line in lines:
        assert line["line_total"].lstrip("-").isdigit()
        by_receipt[line["receipt_number"]] = by_receipt.get(line["receipt_number"], 0) + int(
            line["line_total"]
        )
    for s in sales:
        assert by_receipt[s["receipt_number"]] == int(s["total"])
    paid: dict[str, int] = {}
    for p in payments:
        paid[p["receipt_number"]] = paid.get(p["receipt_number"], 0) + int(p["amount"])
        assert int(p["change"]) >= 0
        # amount is what the payment applies to the total: for cash, tendered minus change.
        assert int(p["amount"]) == int(p["tendered"]) - int(p["change"])
    for s in sales:
        assert paid.get(s["receipt_number"], 0) == int(s["total"])
    # The seed gives voids and refunds: voided sales stay listed; refunds are negative and
    # point at their sale.
    refunds = [s for s in sales if s["kind"] == "refund"]
    assert refunds and all(int(r["total"]) < 0 and r["original_receipt"] for r in refunds)
    assert any(s["status"] == "voided" for s in sales)
    assert all(int(ln["qty"]) < 0 for ln in lines if ln["receipt_number"] in
               {r["receipt_number"] for r in refunds})  # fmt: skip


@pytest.mark.parametrize("direction", ["nearest", "down", "up"])
def test_simulate_and_export_with_cash_rounding(
    demo_sqlite: sessionmaker[Session],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    direction: str,
) -> None:
    """With cash rounding on, a simulated day pays every cash part as the store rounds it;
    each document's lines plus its rounding make its total, and the payments pay it."""
    url = url_of(demo_sqlite)
    monkeypatch.setattr("sys.stdin", io.StringIO("3333\n3333\n"))  # the manager's PIN
    as_manager = ["--user", "manajer"]
    assert main(["--db", url, "settings", "cash_rounding", "1000", *as_manager]) == 0
    assert main(["--db", url, "settings", "cash_rounding_direction", direction, *as_manager]) == 0
    assert main(["--db", url, "simulate", "--date", DAY, "--sales", "60"]) == 0
    assert "60 penjualan di 1 meja" in capsys.readouterr().out
    out = tmp_path / "ekspor"
    assert main(["--db", url, "export", "--date", DAY, "--out", str(out)]) == 0
    sales = read_csv(out / "sales.csv")
    by_receipt: dict[str, int] = {}
    for line in read_csv(out / "sale_lines.csv"):
        number = line["receipt_number"]
        by_receipt[number] = by_receipt.get(number, 0) + int(line["line_total"])
    paid: dict[str, int] = {}
    for p in read_csv(out / "payments.csv"):
        paid[p["receipt_number"]] = paid.get(p["receipt_number"], 0) + int(p["amount"])
    rounded = [s for s in sales if int(s["rounding"]) != 0]
    assert rounded, "a day of cash sales has totals that are no whole Rp 1.000"
    for s in sales:
        assert by_receipt[s["receipt_number"]] + int(s["rounding"]) == int(s["total"])
        assert paid.get(s["receipt_number"], 0) == int(s["total"])
        assert abs(int(s["rounding"])) < 1000
        if direction == "down":
            assert int(s["rounding"]) <= 0 if s["kind"] == "sale" else int(s["rounding"]) >= 0
    assert main(["--db", url, "db", "check"]) == 0


def test_export_of_a_refund_made_at_the_counter(
    demo_sqlite: sessionmaker[Session], tmp_path: Path
) -> None:
    url = url_of(demo_sqlite)
    assert main(["--db", url, "simulate", "--date", DAY, "--sales", "3", "--counter", "K02"]) == 0
    day = dt.date.fromisoformat(DAY)
    now = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC)
    with demo_sqlite.begin() as s:
        user = login(s, "kasir1", "1111")
        counter_id = ensure_counter(s, "K01")
        if current_shift(s, counter_id) is None:
            open_shift(s, counter_id, user.id, 0, now=now, day=day)
        till = Till(counter_id, "K01", user.id)
        original = get_sale(s, "K02-20261120-0001")
        refund = refund_sale(
            s, till, original.receipt_number, [RefundItem(1, 1)], "rusak", Approval("2222", "spv1"),
            method="transfer", reference="TRF-1", now=now,
        )  # fmt: skip
    out = tmp_path / "x"
    assert main(["--db", url, "export", "--date", DAY, "--out", str(out)]) == 0
    row = next(
        s for s in read_csv(out / "sales.csv") if s["receipt_number"] == refund.receipt_number
    )
    assert (row["kind"], row["original_receipt"], int(row["total"])) == (
        "refund", "K02-20261120-0001", refund.total,
    )  # fmt: skip
    pay = next(
        p for p in read_csv(out / "payments.csv") if p["receipt_number"] == row["receipt_number"]
    )
    assert (pay["method"], int(pay["amount"]), pay["reference"]) == (
        "transfer",
        refund.total,
        "TRF-1",
    )


def test_simulate_refuses_a_counter_with_an_open_shift(
    demo_sqlite: sessionmaker[Session], capsys: pytest.CaptureFixture[str]
) -> None:
    with demo_sqlite.begin() as s:
        user = login(s, "kasir1", "1111")
        open_shift(s, ensure_counter(s, "K01"), user.id, 0)
    code = main(["--db", url_of(demo_sqlite), "simulate", "--date", DAY, "--sales", "5"])
    err = capsys.readouterr().err
    assert code == 1 and err.startswith("kasir: Meja K01 masih punya shift terbuka")
    assert "Traceback" not in err


@pytest.mark.parametrize(
    "args", [["--date", "20-11-2026", "--sales", "5"], ["--date", DAY, "--sales", "0"]]
)
def test_simulate_bad_arguments(args: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["simulate", *args])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("kasir: argumen ") and err.count("\n") == 1
    assert "Traceback" not in err and "usage" not in err


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["simulate", "--date", DAY], "argumen wajib belum diberikan: --sales"),
        (["nosuch"], "pilihan tidak dikenal: 'nosuch'"),
        (["products"], "argumen wajib belum diberikan"),
        (["--sales"], "argumen tidak dikenal"),
    ],
)
def test_command_line_mistakes_are_one_indonesian_line(
    args: list[str], said: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(args)
    err = capsys.readouterr().err
    assert exit_info.value.code == 2
    assert err.startswith("kasir: ") and said in err and err.count("\n") == 1


def test_qris_from_the_setting_and_given(
    demo_sqlite: sessionmaker[Session], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--db", url_of(demo_sqlite), "qris", "--amount", "15.000"]) == 0
    payload = capsys.readouterr().out.strip()
    validate_static(payload)
    assert payload_amount(payload) == 15_000
    static = build_static_example("TOKO LAIN", "SERANG")
    assert main(["qris", "--amount", "250000", "--static", static]) == 0
    payload = capsys.readouterr().out.strip()
    assert payload_amount(payload) == 250_000 and "TOKO LAIN" in payload


@pytest.mark.parametrize(
    ("static", "reason"),
    [
        ("000201010211", "QRIS statis tidak valid"),
        (build_static_example()[:-4] + "0000", "CRC"),
    ],
)
def test_qris_refuses_a_malformed_static_string(
    static: str, reason: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["qris", "--amount", "1000", "--static", static]) == 1
    err = capsys.readouterr().err
    assert err.startswith("kasir: ") and reason in err and "Traceback" not in err


def test_qris_bad_amount(capsys: pytest.CaptureFixture[str]) -> None:
    static = build_static_example()
    assert main(["qris", "--amount", "15,5", "--static", static]) == 1
    assert "Jumlah tidak valid" in capsys.readouterr().err

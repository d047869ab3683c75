"""Files that are never half-written (`kasir.files`), down to a full disk under `kasir export`."""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from kasir.cli import main
from kasir.files import replace_files, safe_cell, write_csv_rows
from kasir.services.catalog_io import COLUMNS
from kasir.simulate import simulate_day

DAY = "2026-11-20"


def test_all_files_replace_their_targets_together(tmp_path: Path) -> None:
    a, b = tmp_path / "a.csv", tmp_path / "sub" / "b.csv"
    a.write_text("lama\n")
    with replace_files(a, b) as (fa, fb):
        fa.write("baru a\n")
        fb.write("baru b\n")
        assert a.read_text() == "lama\n" and not b.exists()  # nothing replaced mid-way
    assert (a.read_text(), b.read_text()) == ("baru a\n", "baru b\n")
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["a.csv", "b.csv", "sub"]


def test_a_new_file_gets_the_usual_mode_and_a_replaced_one_keeps_its_own(tmp_path: Path) -> None:
    old_mask = os.umask(0o022)
    try:
        kept = tmp_path / "kept.csv"
        kept.write_text("x")
        kept.chmod(0o640)
        with replace_files(tmp_path / "new.csv", kept) as (f1, f2):
            f1.write("1")
            f2.write("2")
    finally:
        os.umask(old_mask)
    assert (tmp_path / "new.csv").stat().st_mode & 0o777 == 0o644  # not mkstemp's 0600
    assert kept.stat().st_mode & 0o777 == 0o640


def test_a_failure_leaves_the_previous_files_and_no_temporary_file(tmp_path: Path) -> None:
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    a.write_bytes(b"lama a\n")
    b.write_bytes(b"lama b\n")
    with pytest.raises(RuntimeError), replace_files(a, b) as (fa, fb):
        fa.write("baru a\n" * 1000)
        fb.write("separuh")
        raise RuntimeError("disk penuh, Ctrl+C, baris rusak...")
    assert (a.read_bytes(), b.read_bytes()) == (b"lama a\n", b"lama b\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.csv", "b.csv"]


@pytest.mark.parametrize(
    ("cell", "shown"),
    [
        ('=HYPERLINK("http://x","klik")', '\'=HYPERLINK("http://x","klik")'),
        ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("Keripik = enak", "Keripik = enak"),
        ("Baris\rdua", "Baris\rdua"),  # a CR inside a cell stays inside its (quoted) cell
        ("Baris\ndua", "Baris\ndua"),
        ("", ""),
        (-15000, -15000),  # a refund's amount stays a number
        (0, 0),
    ],
)
def test_cells_a_spreadsheet_would_run_are_escaped(cell: object, shown: object) -> None:
    assert safe_cell(cell) == shown
    buf = io.StringIO()
    assert write_csv_rows(buf, ["kolom"], [[cell]]) == 1
    assert list(csv.reader(io.StringIO(buf.getvalue(), newline=""))) == [["kolom"], [str(shown)]]


# --- a full disk (a file-size limit in a child process) -----------------------------------------

LIMITED = """
import resource, signal, sys
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG
limit = int(sys.argv[1])
resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
from kasir.cli import main
sys.exit(main(sys.argv[2:]))
"""
LIMIT = 48_000  # above SQLite's 32 KiB shared-memory file, below the new export's sale lines


def kasir_with_file_limit(*argv: str) -> subprocess.CompletedProcess[str]:
    if sys.platform == "win32":
        pytest.skip("needs RLIMIT_FSIZE")
    return subprocess.run(
        [sys.executable, "-c", LIMITED, str(LIMIT), *argv],
        capture_output=True, text=True, timeout=120, check=False, env=dict(os.environ),
    )  # fmt: skip


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_export_on_a_full_disk_keeps_the_previous_export(
    demo_sqlite: sessionmaker[Session], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = demo_sqlite.kw["bind"].url.render_as_string(hide_password=False)
    import datetime as dt

    day = dt.date.fromisoformat(DAY)
    simulate_day(demo_sqlite, day, 4, ["K01"], seed=2)
    out = tmp_path / "ekspor"
    assert main(["--db", url, "export", "--date", DAY, "--out", str(out)]) == 0
    capsys.readouterr()
    before = snapshot(out)
    assert sorted(before) == ["payments.csv", "sale_lines.csv", "sales.csv", "upts.csv"]
    assert max(len(b) for b in before.values()) < LIMIT

    simulate_day(demo_sqlite, day, 120, ["K02"], seed=3)  # the next export is bigger
    demo_sqlite.kw["bind"].dispose()
    failed = kasir_with_file_limit("--db", url, "export", "--date", DAY, "--out", str(out))
    assert failed.returncode == 1, failed.stderr
    assert "Traceback" not in failed.stdout + failed.stderr
    assert len(failed.stderr.splitlines()) == 1
    assert failed.stderr.startswith(f"kasir: Ekspor ke {out} gagal")
    assert "sebelumnya tetap utuh" in failed.stderr
    assert snapshot(out) == before  # byte for byte, and no temporary file left

    # Without the limit the same export goes through and replaces all four files.
    assert main(["--db", url, "export", "--date", DAY, "--out", str(out)]) == 0
    after = snapshot(out)
    assert sorted(after) == sorted(before)
    assert all(after[name] != before[name] for name in ("sales.csv", "sale_lines.csv"))
    assert len(after["sale_lines.csv"]) > LIMIT


def test_products_export_on_a_full_disk_keeps_the_previous_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], _demo_template: Path
) -> None:
    store = tmp_path / "toko.db"
    shutil.copy(_demo_template, store)
    url = f"sqlite:///{store}"
    catalog = tmp_path / "katalog.csv"
    assert main(["--db", url, "products", "export", str(catalog)]) == 0
    before = catalog.read_bytes()
    assert len(before) < LIMIT

    more = tmp_path / "tambah.csv"
    with more.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, COLUMNS, restval="")
        writer.writeheader()
        for i in range(400):
            row = {"sku": f"UJI-{i:04d}", "name": f"Barang Uji Nomor {i:04d}"}
            writer.writerow({**row, "category": "kuliner", "price": "1000", "upt_code": "LP-AMB"})
    assert main(["--db", url, "products", "import", str(more)]) == 0
    capsys.readouterr()

    failed = kasir_with_file_limit("--db", url, "products", "export", str(catalog))
    assert failed.returncode == 1, failed.stderr
    assert len(failed.stderr.splitlines()) == 1 and failed.stderr.startswith("kasir: Berkas")
    assert "Traceback" not in failed.stderr
    assert catalog.read_bytes() == before
    left = sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith("toko.db"))
    assert left == ["katalog.csv", "tambah.csv"]

    assert main(["--db", url, "products", "export", str(catalog)]) == 0
    assert "573 barang diekspor" in capsys.readouterr().out

"""The `kasir` command as a user types it: one clear line and a non-zero exit on failure."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kasir.cli import main
from kasir.services.catalog_io import COLUMNS
from kasir.store.engine import make_engine, make_session_factory
from kasir.store.migrate import head_revision

DEMO_CSV = Path(__file__).resolve().parents[2] / "resources" / "demo" / "products.csv"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def assert_one_clear_error(code: int, out: str, err: str) -> str:
    assert code != 0
    assert "Traceback" not in out + err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("kasir: ")
    return lines[0]


def url(path: Path) -> str:
    return f"sqlite:///{path}"


def store_state(path: Path) -> tuple[str, int]:
    """The catalog export and the number of stock movements of the store at `path`."""
    from sqlalchemy import func, select

    from kasir.services.catalog_io import export_products
    from kasir.store.models import StockMovement

    engine = make_engine(url(path))
    try:
        with make_session_factory(engine)() as s:
            moves = s.scalar(select(func.count()).select_from(StockMovement)) or 0
            catalog = io.StringIO()
            export_products(s, catalog)
            return catalog.getvalue(), moves
    finally:
        engine.dispose()


def test_db_upgrade(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    db = url(tmp_path / "toko.db")
    code, out, _ = run(capsys, "--db", db, "db", "upgrade")
    assert code == 0 and f"ke {head_revision()}" in out
    code, out, _ = run(capsys, "--db", db, "db", "upgrade")
    assert code == 0 and "sudah versi terbaru" in out


def test_db_from_environment(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KASIR_DATABASE_URL", url(tmp_path / "env.db"))
    assert run(capsys, "db", "upgrade")[0] == 0
    assert (tmp_path / "env.db").exists()


def test_demo_data_once_only(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    db = url(tmp_path / "toko.db")
    code, out, _ = run(capsys, "--db", db, "demo-data")
    assert code == 0 and "Data demo dimuat" in out
    before = store_state(tmp_path / "toko.db")
    code, out, err = run(capsys, "--db", db, "demo-data")
    assert code == 1
    assert "sudah berisi data" in assert_one_clear_error(code, out, err)
    assert store_state(tmp_path / "toko.db") == before


def test_export_import_round_trip(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    a, b = tmp_path / "a.db", tmp_path / "b.db"
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    assert run(capsys, "--db", url(a), "demo-data")[0] == 0
    code, out, _ = run(capsys, "--db", url(a), "products", "export", str(first))
    assert code == 0 and "173 barang diekspor" in out
    assert run(capsys, "--db", url(b), "db", "upgrade")[0] == 0
    code, out, _ = run(capsys, "--db", url(b), "products", "import", str(first))
    assert code == 0 and "barang diimpor" in out
    assert run(capsys, "--db", url(b), "products", "export", str(second))[0] == 0
    assert second.read_bytes() == first.read_bytes()
    assert first.read_text(encoding="utf-8").splitlines()[0] == ",".join(COLUMNS)


def test_import_with_one_bad_row_changes_nothing(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db = tmp_path / "toko.db"
    assert run(capsys, "--db", url(db), "demo-data")[0] == 0
    before = store_state(db)
    # New products (new SKUs and barcodes), all good except the fifth data row (line 6).
    lines = DEMO_CSV.read_text(encoding="utf-8").splitlines()
    rows = [lines[0]]
    for i, line in enumerate(lines[1:11], start=1):
        fields = line.split(",")
        fields[0] = f"NEW-{i:04d}"
        fields[1] = ""
        if i == 5:
            fields[5] = "15.000"
        rows.append(",".join(fields))
    csv_file = tmp_path / "baru.csv"
    csv_file.write_text("\n".join(rows) + "\n", encoding="utf-8")

    code, out, err = run(capsys, "--db", url(db), "products", "import", str(csv_file))
    assert code != 0
    assert err.startswith("kasir: Impor dibatalkan")
    assert "baris 6:" in err and "15.000" in err
    assert [ln for ln in err.splitlines() if ln.strip().startswith("baris")] == [
        ln for ln in err.splitlines() if "baris 6:" in ln
    ]
    assert store_state(db) == before

    # The same file with the row fixed goes in whole.
    csv_file.write_text(csv_file.read_text(encoding="utf-8").replace(",15.000,", ",15000,"))
    code, out, _ = run(capsys, "--db", url(db), "products", "import", str(csv_file))
    assert code == 0 and "10 barang diimpor" in out


def test_missing_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    db = tmp_path / "toko.db"
    line = assert_one_clear_error(
        *run(capsys, "--db", url(db), "products", "import", str(tmp_path / "tidak-ada.csv"))
    )
    assert "tidak-ada.csv" in line
    assert not db.exists()  # a mistyped name creates no empty store


def test_non_utf8_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    csv_file = tmp_path / "latin1.csv"
    csv_file.write_bytes(",".join(COLUMNS).encode() + "\nKUL-9,,Café,kuliner\n".encode("latin-1"))
    assert main(["--db", url(tmp_path / "t.db"), "db", "upgrade"]) == 0
    capsys.readouterr()
    code, _, err = run(capsys, "--db", url(tmp_path / "t.db"), "products", "import", str(csv_file))
    assert code != 0
    assert err.startswith("kasir: Impor dibatalkan")
    assert "baris 2: bukan teks UTF-8" in err


@pytest.mark.parametrize("kind", ["unknown scheme", "not a url", "folder under a file"])
def test_bad_database_url(capsys: pytest.CaptureFixture[str], tmp_path: Path, kind: str) -> None:
    blocker = tmp_path / "berkas-biasa"
    blocker.write_text("bukan folder")
    db = {
        "unknown scheme": "nosuchdb://x",
        "not a url": ":::",
        "folder under a file": url(blocker / "sub" / "toko.db"),
    }[kind]
    line = assert_one_clear_error(*run(capsys, "--db", db, "db", "upgrade"))
    assert "database" in line.lower()


def test_store_from_a_newer_kasir(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    from sqlalchemy import text

    db = tmp_path / "toko.db"
    assert run(capsys, "--db", url(db), "db", "upgrade")[0] == 0
    engine = make_engine(url(db))
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    engine.dispose()
    out_csv = str(tmp_path / "x.csv")
    line = assert_one_clear_error(*run(capsys, "--db", url(db), "products", "export", out_csv))
    assert "9999" in line


def test_export_to_an_unwritable_place(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    (tmp_path / "x").write_text("a file where a folder should be")
    assert run(capsys, "--db", url(tmp_path / "t.db"), "db", "upgrade")[0] == 0
    line = assert_one_clear_error(
        *run(
            capsys, "--db", url(tmp_path / "t.db"), "products", "export", str(tmp_path / "x/y.csv")
        )
    )
    assert "tidak dapat ditulis" in line


def kasir_executable() -> str:
    here = Path(sys.executable).parent / "kasir"
    found = str(here) if here.exists() else shutil.which("kasir")
    assert found, "the kasir console script is not installed"
    return found


def test_console_script(tmp_path: Path) -> None:
    """The installed `kasir` command, in a real process, for the whole chain."""
    env = {
        **os.environ,
        "KASIR_DATA_DIR": str(tmp_path / "data"),
        "KASIR_CONFIG": str(tmp_path / "kasir.toml"),
    }
    env.pop("KASIR_DATABASE_URL", None)

    def kasir(*argv: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [kasir_executable(), *argv],
            capture_output=True,
            text=True,
            env=env,
            cwd=tmp_path,
            timeout=120,
            check=False,
        )

    db = f"sqlite:///{tmp_path / 'toko.db'}"
    upgraded = kasir("--db", db, "db", "upgrade")
    assert upgraded.returncode == 0, upgraded.stderr
    loaded = kasir("--db", db, "demo-data")
    assert loaded.returncode == 0 and "Data demo dimuat" in loaded.stdout
    again = kasir("--db", db, "demo-data")
    assert again.returncode == 1
    assert again.stderr.startswith("kasir: ") and len(again.stderr.splitlines()) == 1
    exported = kasir("--db", db, "products", "export", "katalog.csv")
    assert exported.returncode == 0 and (tmp_path / "katalog.csv").stat().st_size > 10_000
    bad = kasir("--db", "nosuchdb://x", "db", "upgrade")
    assert bad.returncode != 0 and bad.stderr.startswith("kasir: ")
    for proc in (upgraded, loaded, again, exported, bad):
        assert "Traceback" not in proc.stdout + proc.stderr

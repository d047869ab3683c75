"""The `kasir` command: parse, open one unit of work, call a service, print.

A failure prints one clear line (Indonesian) on stderr and exits non-zero; never a traceback.
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NoReturn

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from kasir import __version__
from kasir.config import Config, load_config
from kasir.errors import ImportFailed, KasirError
from kasir.logs import log_path, setup_logging
from kasir.money import format_rupiah

log = logging.getLogger(__name__)

Command = Callable[[argparse.Namespace, Config], int]


def _open_store(config: Config) -> sessionmaker[Session]:
    from kasir.store.engine import make_engine, make_session_factory
    from kasir.store.migrate import upgrade

    engine = make_engine(config.database_url)
    upgrade(engine)
    return make_session_factory(engine)


def cmd_app(args: argparse.Namespace, config: Config) -> int:
    from kasir.gui.app import run_app

    return run_app(config, demo=args.demo)


def cmd_db_upgrade(args: argparse.Namespace, config: Config) -> int:
    from kasir.store.engine import describe_url, make_engine
    from kasir.store.migrate import current_revision, upgrade

    engine = make_engine(config.database_url)
    before = current_revision(engine)
    upgrade(engine)
    after = current_revision(engine)
    where = describe_url(config.database_url)
    if before == after:
        print(f"{where}: sudah versi terbaru ({after}).")
    else:
        print(f"{where}: diperbarui dari {before or 'kosong'} ke {after}.")
    return 0


def cmd_db_check(args: argparse.Namespace, config: Config) -> int:
    from kasir.services.integrity import check_store

    factory = _open_store(config)
    with factory.begin() as session:
        result = check_store(session)
    for problem in result.problems:
        print(f"MASALAH: {problem}")
    if result.problems:
        print(f"{len(result.problems)} masalah ditemukan.", file=sys.stderr)
        return 1
    print(
        f"OK: {result.sales} transaksi dan {result.products} barang diperiksa, tidak ada masalah."
    )
    return 0


def cmd_demo_data(args: argparse.Namespace, config: Config) -> int:
    from kasir.services.demo import load_demo_data

    factory = _open_store(config)
    with factory.begin() as session:
        result = load_demo_data(session)
    print(
        f"Data demo dimuat: {result.products} barang dari {result.upts} UPT, "
        f"{result.users} pengguna."
    )
    return 0


def cmd_products_import(args: argparse.Namespace, config: Config) -> int:
    from kasir.services.catalog_io import import_products

    path = Path(args.file)
    # Read the file before opening the store, so a mistyped name creates no empty store.
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            lines = fh.readlines()
    except OSError as exc:
        raise KasirError(f"Berkas {path} tidak dapat dibaca: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise KasirError(
            f"Berkas {path} bukan teks UTF-8 (simpan ulang sebagai CSV UTF-8)."
        ) from exc
    factory = _open_store(config)
    with factory.begin() as session:
        result = import_products(session, lines, source=path.name)
    print(f"{result.products} barang diimpor dari {path.name} ({result.new_upts} UPT baru).")
    return 0


def cmd_products_export(args: argparse.Namespace, config: Config) -> int:
    from kasir.services.catalog_io import export_products

    factory = _open_store(config)
    with factory.begin() as session:
        text = export_products(session)
    path = Path(args.file)
    try:
        path.write_text(text, encoding="utf-8", newline="")
    except OSError as exc:
        raise KasirError(f"Berkas {path} tidak dapat ditulis: {exc.strerror or exc}") from exc
    print(f"{text.count(chr(10)) - 1} barang diekspor ke {path}.")
    return 0


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"tanggal harus YYYY-MM-DD, bukan {text!r}") from None


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) <= 0:
        raise argparse.ArgumentTypeError(f"harus bilangan bulat positif, bukan {text!r}")
    return int(text)


def cmd_simulate(args: argparse.Namespace, config: Config) -> int:
    from kasir.simulate import simulate_day

    if args.counter_code:
        counters = [args.counter_code.upper()]
    else:
        counters = [f"K{i:02d}" for i in range(1, args.counters + 1)]
    factory = _open_store(config)
    started = time.perf_counter()
    result = simulate_day(factory, args.date, args.sales, counters, seed=args.seed)
    elapsed = time.perf_counter() - started
    print(
        f"{result.sales} penjualan di {len(counters)} meja ({', '.join(counters)}) "
        f"tanggal {args.date:%d-%m-%Y}: {result.voids} void, {result.refunds} retur, "
        f"{result.skipped} dilewati; total bersih {format_rupiah(result.total)}; "
        f"{result.shifts_closed} shift ditutup. "
        f"({elapsed:.1f} s, {result.sales / elapsed if elapsed else 0:.0f} penjualan/s)"
    )
    return 0


def cmd_export(args: argparse.Namespace, config: Config) -> int:
    from kasir.services.export import export_day

    factory = _open_store(config)
    out = Path(args.out)
    try:
        with factory.begin() as session:
            result = export_day(session, args.date, out)
    except OSError as exc:
        raise KasirError(f"Folder {out} tidak dapat ditulis: {exc.strerror or exc}") from exc
    print(
        f"Ekspor {args.date:%d-%m-%Y} ke {out}: {result.sales} transaksi, "
        f"{result.lines} baris, {result.payments} pembayaran."
    )
    return 0


def cmd_qris(args: argparse.Namespace, config: Config) -> int:
    from kasir.domain.qris import make_dynamic
    from kasir.money import parse_rupiah
    from kasir.settings import get_setting

    amount = parse_rupiah(args.amount)
    static = args.static
    if static is None:
        factory = _open_store(config)
        with factory.begin() as session:
            static = get_setting(session, "qris_static")
        if not static:
            raise KasirError("QRIS statis belum diatur; berikan --static STRING.")
    print(make_dynamic(static.strip(), amount))
    return 0


def cmd_settings(args: argparse.Namespace, config: Config) -> int:
    from kasir.settings import SETTINGS, get_all, parse_text, set_setting

    factory = _open_store(config)
    with factory.begin() as session:
        if args.key is not None:
            if args.value is None:
                raise KasirError("Berikan nilai: kasir settings KUNCI NILAI")
            known = {s.key for s in SETTINGS}
            if args.key not in known:
                raise KasirError(f"Pengaturan {args.key!r} tidak ada ({', '.join(sorted(known))}).")
            set_setting(session, args.key, parse_text(args.key, args.value))
        values = get_all(session)
    for sdef in SETTINGS:
        if args.key in (None, sdef.key):
            print(f"{sdef.key} = {values[sdef.key]!s}    # {sdef.description}")
    return 0


_ARGPARSE_WORDS = (
    ("the following arguments are required", "argumen wajib belum diberikan"),
    ("unrecognized arguments", "argumen tidak dikenal"),
    ("invalid choice", "pilihan tidak dikenal"),
    ("expected one argument", "perlu satu nilai"),
    ("not allowed with argument", "tidak boleh bersama"),
    ("argument ", "argumen "),
    ("choose from", "pilih dari"),
)


class _Parser(argparse.ArgumentParser):
    """argparse with Kasir's one-line, Indonesian error (exit code 2, as argparse)."""

    def error(self, message: str) -> NoReturn:
        for english, indonesian in _ARGPARSE_WORDS:
            message = message.replace(english, indonesian)
        self.exit(2, f"kasir: {message}. Lihat 'kasir --help'.\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="kasir",
        description="Kasir: aplikasi kasir Kawasan Terintegrasi UMKM Pemasyarakatan.",
    )
    parser.add_argument("--version", action="version", version=f"kasir {__version__}")
    parser.add_argument(
        "--db", metavar="URL", help="alamat database SQLAlchemy (KASIR_DATABASE_URL)"
    )
    parser.add_argument("--counter", metavar="KODE", help="kode meja kasir ini, mis. K01")
    parser.add_argument(
        "--demo",
        action="store_true",
        help="muat data demo bila toko masih kosong, lalu buka aplikasi",
    )
    parser.set_defaults(func=cmd_app)
    sub = parser.add_subparsers(title="perintah", metavar="PERINTAH")

    db = sub.add_parser("db", help="kelola database")
    db_sub = db.add_subparsers(title="perintah db", metavar="PERINTAH", required=True)
    db_sub.add_parser("upgrade", help="perbarui skema ke versi terbaru").set_defaults(
        func=cmd_db_upgrade
    )

    db_sub.add_parser(
        "check", help="periksa nomor struk tanpa celah, stok dan total transaksi"
    ).set_defaults(func=cmd_db_check)

    sub.add_parser("demo-data", help="muat katalog, pengguna dan kasir demo").set_defaults(
        func=cmd_demo_data
    )

    products = sub.add_parser("products", help="impor/ekspor katalog barang (CSV)")
    p_sub = products.add_subparsers(title="perintah products", metavar="PERINTAH", required=True)
    p_import = p_sub.add_parser(
        "import", help="tambah barang dari CSV (semua atau tidak sama sekali)"
    )
    p_import.add_argument("file", metavar="FILE.csv")
    p_import.set_defaults(func=cmd_products_import)
    p_export = p_sub.add_parser("export", help="tulis seluruh katalog ke CSV")
    p_export.add_argument("file", metavar="FILE.csv")
    p_export.set_defaults(func=cmd_products_export)

    settings = sub.add_parser("settings", help="tampilkan atau ubah pengaturan toko")
    settings.add_argument("key", nargs="?", metavar="KUNCI")
    settings.add_argument("value", nargs="?", metavar="NILAI")
    settings.set_defaults(func=cmd_settings)

    sim = sub.add_parser("simulate", help="jalankan hari penjualan realistis (demo, uji beban)")
    sim.add_argument("--date", type=_date, required=True, metavar="YYYY-MM-DD")
    sim.add_argument("--sales", type=_positive, required=True, metavar="N")
    where = sim.add_mutually_exclusive_group()
    where.add_argument("--counters", type=_positive, default=1, metavar="K", help="meja K01..Kk")
    where.add_argument("--counter", dest="counter_code", metavar="KODE", help="satu meja tertentu")
    sim.add_argument("--seed", type=int, default=1, metavar="S")
    sim.set_defaults(func=cmd_simulate)

    exp = sub.add_parser("export", help="ekspor penjualan satu hari untuk akuntan (CSV)")
    exp.add_argument("--date", type=_date, required=True, metavar="YYYY-MM-DD")
    exp.add_argument("--out", required=True, metavar="DIR")
    exp.set_defaults(func=cmd_export)

    qris = sub.add_parser("qris", help="cetak payload QRIS dinamis untuk suatu nominal")
    qris.add_argument("--amount", required=True, metavar="N")
    qris.add_argument("--static", metavar="STRING", help="QRIS statis (default: dari pengaturan)")
    qris.set_defaults(func=cmd_qris)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    setup_logging()
    try:
        config = load_config(args.db, args.counter)
        code: int = args.func(args, config)
        return code
    except ImportFailed as exc:
        print(f"kasir: {exc.message}", file=sys.stderr)
        for line, reason in exc.problems:
            print(f"  baris {line}: {reason}", file=sys.stderr)
        return 1
    except KasirError as exc:
        print(f"kasir: {exc.message}", file=sys.stderr)
        return 1
    except SQLAlchemyError as exc:
        log.exception("database error")
        detail = str(getattr(exc, "orig", None) or exc).splitlines()[0]
        print(f"kasir: masalah database: {detail}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # a bug: one line here, the traceback in the log
        log.exception("unexpected error")
        print(f"kasir: kesalahan tak terduga ({exc!r}); rincian di {log_path()}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())

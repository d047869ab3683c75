"""The `kasir` command: parse, open one unit of work, call a service, print.

A failure prints one clear line (Indonesian) on stderr and exits non-zero; never a traceback.
"""

from __future__ import annotations

import argparse
import datetime as dt
import errno
import logging
import os
import re
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from kasir import __version__
from kasir.config import Config, load_config
from kasir.errors import ImportFailed, KasirError, UserError, environment_problem
from kasir.logs import log_path, setup_logging
from kasir.money import format_rupiah
from kasir.store.engine import reading, writing

if TYPE_CHECKING:
    from kasir.output.print_queue import Attempt
    from kasir.output.printer import PrinterTarget
    from kasir.services.auth import Approval

log = logging.getLogger(__name__)

Command = Callable[[argparse.Namespace, Config], int]


_opened: list[Engine] = []  # closed when `main` returns (tests call main many times)


def _open(config: Config, *, create: bool = False) -> sessionmaker[Session]:
    """The store's session factory; only the commands that may create a store pass create."""
    from kasir.store.open import open_store

    opened = open_store(config, create=create)
    _opened.append(opened.engine)
    return opened.factory


_OS_REASONS = {
    errno.ENOSPC: "disk penuh",
    errno.EDQUOT: "kuota disk habis",
    errno.EFBIG: "berkas melebihi batas ukuran",
    errno.EACCES: "tidak ada izin",
    errno.EPERM: "tidak ada izin",
    errno.EROFS: "disk hanya-baca",
    errno.ENOENT: "tidak ada",
    errno.ENOTDIR: "bagian jalurnya bukan folder",
    errno.EISDIR: "itu sebuah folder",
    errno.EEXIST: "sudah ada berkas dengan nama itu",
}


def _os_reason(exc: OSError) -> str:
    return _OS_REASONS.get(exc.errno or 0) or exc.strerror or str(exc)


def cmd_app(args: argparse.Namespace, config: Config) -> int:
    from kasir.store.open import require_store

    # The app creates a store only on its first run on this machine (the default store in the
    # data folder) or with --demo; a database named by --db, the environment or the config
    # file must exist already (a mistyped name is not a new, empty store).
    if not args.demo and not config.default_store:
        require_store(config.database_url)
    from kasir.gui.app import run_app

    return run_app(config, demo=args.demo)


def cmd_db_upgrade(args: argparse.Namespace, config: Config) -> int:
    from kasir.store.engine import describe_url, make_engine
    from kasir.store.migrate import current_revision
    from kasir.store.open import StoreState, open_store, store_state

    before = None
    if store_state(config.database_url) is StoreState.KASIR:
        engine = make_engine(config.database_url)
        try:
            before = current_revision(engine)
        finally:
            engine.dispose()
    opened = open_store(config, create=True)
    try:
        after = current_revision(opened.engine)
    finally:
        opened.engine.dispose()
    where = describe_url(config.database_url)
    if opened.created:
        print(f"{where}: toko baru dibuat (skema kosong ke {after}).")
    elif before == after:
        print(f"{where}: sudah versi terbaru ({after}).")
    else:
        print(f"{where}: diperbarui dari {before} ke {after}.")
    return 0


def cmd_db_check(args: argparse.Namespace, config: Config) -> int:
    from kasir.services.integrity import check_store

    factory = _open(config)
    with reading(factory) as session:  # a read: never waits for a till's write lock
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


def cmd_audit_verify(args: argparse.Namespace, config: Config) -> int:
    """Check the journal from the latest checkpoint (`--full`: from scratch); after a clean
    check, record a new checkpoint (unless `--no-checkpoint`)."""
    from kasir.services.journal_verify import mode_text, verify, write_checkpoint

    factory = _open(config)
    started = time.monotonic()
    with reading(factory) as session:
        result = verify(session, full=args.full)
    took = time.monotonic() - started
    print(mode_text(result))
    for found in result.breaks:
        print(f"RUSAK: {found.text}")
    summary = (
        f"{result.chains} jurnal, {result.entries} entri, {result.documents} dokumen "
        f"diperiksa ({took:.1f} dtk)"
    )
    if result.breaks:
        print(f"{summary}: {len(result.breaks)} ketidakcocokan.", file=sys.stderr)
        return 1
    print(f"OK: {summary}; jurnal utuh, semua dokumen sama dengan saat dicatat.")
    if not args.no_checkpoint:
        with factory.begin() as session:
            seq = write_checkpoint(session, result)
        print(f"Titik periksa #{seq} dicatat: pemeriksaan berikutnya mulai dari sini.")
    return 0


def cmd_demo_data(args: argparse.Namespace, config: Config) -> int:
    from kasir.services.demo import load_demo_data

    factory = _open(config, create=True)
    with factory.begin() as session:
        result = load_demo_data(session)
    log.info("demo data loaded")
    print(
        f"Data demo dimuat: {result.products} barang dari {result.upts} UPT, "
        f"{result.users} pengguna."
    )
    return 0


def cmd_products_import(args: argparse.Namespace, config: Config) -> int:
    from kasir.files import utf8_lines
    from kasir.services.catalog_io import import_products

    path = Path(args.file)
    # Open the file before the store, so a mistyped name touches no store. The rows are
    # streamed from the open file (a bad byte is reported with its line number).
    try:
        fh = path.open("rb")
    except OSError as exc:
        raise KasirError(f"Berkas {path} tidak dapat dibaca: {_os_reason(exc)}.") from exc
    with fh:
        factory = _open(config)
        try:
            with factory.begin() as session:
                result = import_products(session, utf8_lines(fh), source=path.name)
        except OSError as exc:
            raise KasirError(f"Berkas {path} tidak dapat dibaca: {_os_reason(exc)}.") from exc
    log.info("imported %d products from %s", result.products, path.name)
    print(f"{result.products} barang diimpor dari {path.name} ({result.new_upts} UPT baru).")
    return 0


def cmd_products_export(args: argparse.Namespace, config: Config) -> int:
    from kasir.files import replace_files
    from kasir.services.catalog_io import export_products

    path = Path(args.file)
    factory = _open(config)
    try:
        # The file is replaced whole or not at all: the previous catalog file stays intact
        # on a full disk, and no partial or temporary file is left.
        with reading(factory) as session, replace_files(path) as (fh,):
            rows = export_products(session, fh)  # rows, not newlines (a name may hold one)
    except OSError as exc:
        raise KasirError(f"Berkas {path} tidak dapat ditulis: {_os_reason(exc)}.") from exc
    log.info("exported %d products to %s", rows, path)
    print(f"{rows} barang diekspor ke {path}.")
    return 0


_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _date(text: str) -> dt.date:
    """Only YYYY-MM-DD: `date.fromisoformat` also takes 20261122 and 2026-W47-1."""
    try:
        if not _ISO_DATE.fullmatch(text):
            raise ValueError(text)
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"tanggal harus YYYY-MM-DD, bukan {text!r}") from None


def _bounded(high: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        if not (text.isascii() and text.isdigit()) or not 0 < int(text) <= high:
            raise argparse.ArgumentTypeError(
                f"harus bilangan bulat 1 sampai {high:_}, bukan {text!r}".replace("_", ".")
            )
        return int(text)

    return parse


_positive = _bounded(1_000_000)


def _given(text: str) -> str:
    """A text option or argument: given empty ("") is a mistake, not "use the default"."""
    if not text.strip():
        raise argparse.ArgumentTypeError("tidak boleh kosong")
    return text


def _counter_arg(text: str) -> str:
    from kasir.config import counter_code
    from kasir.errors import ValidationError

    try:
        return counter_code(text)
    except ValidationError as exc:
        raise argparse.ArgumentTypeError(exc.message.rstrip(".")) from None


def cmd_simulate(args: argparse.Namespace, config: Config) -> int:
    from kasir.simulate import simulate_day

    if args.counter_code:
        counters = [args.counter_code]
    else:
        counters = [f"K{i:02d}" for i in range(1, args.counters + 1)]
    factory = _open(config)
    started = time.perf_counter()
    result = simulate_day(
        factory, args.date, args.sales, counters, seed=args.seed, force=args.force
    )
    elapsed = time.perf_counter() - started
    log.info("simulated %d sales on %s for %s", result.sales, args.date, ",".join(counters))
    print(
        f"{result.sales} penjualan di {len(counters)} meja ({', '.join(counters)}) "
        f"tanggal {args.date:%d-%m-%Y}: {result.voids} void, {result.refunds} retur, "
        f"{result.skipped} dilewati; total bersih {format_rupiah(result.total)}; "
        f"{result.shifts_closed} shift ditutup. "
        f"({elapsed:.1f} s, {result.sales / elapsed if elapsed else 0:.0f} penjualan/s)"
    )
    if result.interrupted:
        sys.stdout.flush()
        print(
            f"kasir: dihentikan (Ctrl+C) setelah {result.sales} penjualan; semua penjualan itu "
            f"tersimpan utuh dan {result.shifts_closed} shift simulasi sudah ditutup.",
            file=sys.stderr,
        )
        return 130
    return 0


def cmd_export(args: argparse.Namespace, config: Config) -> int:
    from kasir.services.export import export_days

    if args.date is not None and (args.first is not None or args.last is not None):
        raise UserError("Pakai --date, atau --from dan --to; tidak keduanya.")
    if args.date is not None:
        first = last = args.date
    elif args.first is not None and args.last is not None:
        first, last = args.first, args.last
    else:
        raise UserError("Berikan --date YYYY-MM-DD, atau --from YYYY-MM-DD --to YYYY-MM-DD.")
    if first > last:
        raise UserError(f"--from {first} sesudah --to {last}.")
    factory = _open(config)
    out = Path(args.out)
    try:
        with reading(factory) as session:  # one snapshot; the tills keep selling meanwhile
            result = export_days(session, first, last, out)
    except OSError as exc:
        raise KasirError(
            f"Ekspor ke {out} gagal ({_os_reason(exc)}); berkas ekspor sebelumnya tetap utuh."
        ) from exc
    days = f"{first:%d-%m-%Y}" if first == last else f"{first:%d-%m-%Y} s.d. {last:%d-%m-%Y}"
    log.info("exported %s to %s", days, out)
    print(
        f"Ekspor {days} ke {out}: {result.sales} transaksi, "
        f"{result.lines} baris, {result.payments} pembayaran, {result.upts} UPT."
    )
    return 0


def cmd_qris(args: argparse.Namespace, config: Config) -> int:
    from kasir.domain.qris import make_dynamic
    from kasir.money import parse_rupiah
    from kasir.settings import get_setting

    amount = parse_rupiah(args.amount)
    static = args.static
    if static is None:
        factory = _open(config)
        with reading(factory) as session:
            static = get_setting(session, "qris_static")
        if not static:
            raise KasirError("QRIS statis belum diatur; berikan --static STRING.")
    print(make_dynamic(static.strip(), amount))
    return 0


def _printer_target(args: argparse.Namespace, config: Config) -> PrinterTarget:
    from kasir.output.printer import parse_printer_url

    target = parse_printer_url(getattr(args, "printer", None) or config.printer)
    if target.scheme == "none":
        raise UserError(
            "Tidak ada printer untuk meja ini: atur KASIR_PRINTER (mis. tcp://10.0.0.7:9100), "
            'printer = "..." di kasir.toml, atau --printer URL.'
        )
    return target


def _app_prints(factory: sessionmaker[Session], counter_id: int) -> bool:
    """A running Kasir holds this counter (its lease is fresh): its worker prints the queue."""
    from kasir.services import till

    with reading(factory) as session:
        lease = till.lease_of(session, counter_id)
    if lease is None:
        return False
    age = dt.datetime.now(dt.UTC) - lease.heartbeat_at
    return age < till.STALE_AFTER


def _report_attempts(attempts: Sequence[Attempt], label: str) -> int:
    for attempt in attempts:
        if attempt.sent:
            print(f"{attempt.title}: terkirim ke printer {label}.")
        else:
            print(f"kasir: {attempt.title}: {attempt.error}", file=sys.stderr)
            print(
                "kasir: tugas cetak tetap di antrean dan dicetak berurutan saat printer siap "
                "('kasir printer retry').",
                file=sys.stderr,
            )
            return 1
    return 0


def cmd_printer_test(args: argparse.Namespace, config: Config) -> int:
    """A test page straight to the printer (not behind the queue): what is wrong, exactly. A
    page that printed is recorded in the queue's log; one that did not is only said."""
    from kasir.domain.vocab import PrintKind
    from kasir.output.escpos import test_page_bytes
    from kasir.output.printer import PrinterProblem, send
    from kasir.services import printing
    from kasir.services.catalog import ensure_counter

    target = _printer_target(args, config)
    factory = _open(config)
    with factory.begin() as session:
        counter_id = ensure_counter(session, config.counter)
        setup = printing.receipt_setup(session)
    payload = test_page_bytes(
        width=setup.width, profile=setup.profile, codepage=setup.codepage, target_label=target.label
    )
    started = time.monotonic()
    try:
        status = send(target, payload, timeout_s=setup.timeout_s)
    except PrinterProblem as exc:
        raise KasirError(f"Tes printer {target.label} gagal: {exc}") from None
    took = time.monotonic() - started
    with factory.begin() as session:
        job_id = printing.add_job(
            session, counter_id, PrintKind.TEST, payload, title=f"Tes printer {target.label}"
        )
        printing.mark_sent(session, job_id)
    note = "; kertas hampir habis" if status.paper_near_end else ""
    state = "status printer: siap" if status.known else "printer ini tidak melaporkan status"
    print(
        f"Halaman tes terkirim ke printer {target.label} ({len(payload)} byte, {took:.1f} dtk; "
        f"profil {setup.profile}, code page {setup.codepage}, {setup.width} kolom; {state}{note})."
    )
    return 0


def cmd_printer_queue(args: argparse.Namespace, config: Config) -> int:
    from kasir.services import printing
    from kasir.services.catalog import ensure_counter
    from kasir.timeutil import local

    factory = _open(config)
    with factory.begin() as session:
        counter_id = ensure_counter(session, config.counter)
        rows = printing.jobs(session, counter_id, limit=args.limit)
    if not rows:
        print(f"Antrean cetak meja {config.counter} kosong.")
        return 0
    names = {"queued": "antre", "sent": "terkirim", "failed": "gagal"}
    for job in rows:
        who = f", oleh {job.requested_by}" if job.requested_by else ""
        error = f" — {job.last_error}" if job.last_error and job.status != "sent" else ""
        print(
            f"#{job.id} {local(job.created_at):%d-%m-%Y %H:%M} {job.title}: "
            f"{names.get(job.status, job.status)} ({job.attempts}x){who}{error}"
        )
    return 0


def cmd_printer_retry(args: argparse.Namespace, config: Config) -> int:
    from kasir.output.print_queue import send_pending
    from kasir.services import printing
    from kasir.services.catalog import ensure_counter

    target = _printer_target(args, config)
    factory = _open(config)
    with factory.begin() as session:
        counter_id = ensure_counter(session, config.counter)
        setup = printing.receipt_setup(session)
    if _app_prints(factory, counter_id):
        print(f"Kasir sedang berjalan di meja {config.counter}: antreannya dicetak di sana.")
        return 0
    attempts = send_pending(factory, counter_id, target, setup.timeout_s)
    if not attempts:
        print(f"Antrean cetak meja {config.counter} kosong.")
    return _report_attempts(attempts, target.label)


def cmd_receipt(args: argparse.Namespace, config: Config) -> int:
    """A receipt by number: --out writes what is printed (.bin bytes, .txt text); --print
    queues a reprint (SALINAN, recorded) and prints it unless a running Kasir does."""
    from kasir.output.escpos import receipt_bytes
    from kasir.output.print_queue import preview, queue_receipt, receipt_doc, send_pending
    from kasir.services import printing
    from kasir.services.catalog import ensure_counter
    from kasir.services.sale_lookup import get_sale

    out = Path(args.out) if args.out else None
    if out is not None and out.suffix.lower() not in (".bin", ".txt"):
        raise UserError(f"--out {out}: pakai akhiran .bin (byte ESC/POS) atau .txt (teks).")
    target = _printer_target(args, config) if args.print else None
    factory = _open(config)
    with factory.begin() as session:
        sale = get_sale(session, args.number)
        counter_id = ensure_counter(session, config.counter)
        setup = printing.receipt_setup(session)
        copy_no = 0
        payload: bytes | None = None
        if args.print:
            queued = queue_receipt(session, sale, counter_id=counter_id, user_id=None, reprint=True)
            copy_no = printing.copy_no_of(session, queued.job_id)
            payload = printing.next_job_payload(session, queued.job_id)
        if out is not None and payload is None:
            payload = receipt_bytes(
                receipt_doc(session, sale, copy_no),
                profile=setup.profile,
                codepage=setup.codepage,
            )
        text = preview(session, sale, copy_no)
    if out is not None:
        from kasir.files import replace_files

        binary = out.suffix.lower() == ".bin"
        try:  # to a temporary file renamed into place: never half a receipt in FILE
            with replace_files(out, binary=binary) as (fh,):
                fh.write(payload if binary else text)
        except OSError as exc:
            raise KasirError(f"Tidak dapat menulis {out} ({_os_reason(exc)}).") from exc
        print(f"{sale.receipt_number} ditulis ke {out}.")
    elif not args.print:
        print(text, end="")
    if target is None:
        return 0
    if _app_prints(factory, counter_id):
        print(
            f"Salinan {sale.receipt_number} masuk antrean; Kasir di meja {config.counter} "
            "mencetaknya."
        )
        return 0
    attempts = send_pending(factory, counter_id, target, setup.timeout_s)
    return _report_attempts(attempts, target.label)


def _read_pin(prompt: str) -> str:
    """A PIN from the terminal without echo, or one line of standard input (a script)."""
    if sys.stdin is not None and sys.stdin.isatty():
        import getpass

        return getpass.getpass(f"{prompt}: ").strip()
    line = sys.stdin.readline() if sys.stdin is not None else ""
    return line.strip()


def _credentials(args: argparse.Namespace, what: str) -> Approval:
    """Who makes this change: --user, and their PIN asked for (never on the command line)."""
    from kasir.services.auth import Approval

    if not args.user:
        raise KasirError(
            f"{what} perlu nama pengguna dan PIN manajer atau administrator: tambahkan "
            "--user NAMA (PIN-nya ditanyakan)."
        )
    return Approval(_read_pin(f"PIN {args.user}"), args.user)


def _new_pin(args: argparse.Namespace, whose: str) -> str:
    pin = _read_pin(f"PIN baru untuk {whose} (minimal 6 angka)")
    again = _read_pin("Ulangi PIN baru")
    if pin != again:
        raise KasirError("PIN baru dan ulangannya tidak sama; tidak ada yang diubah.")
    return pin


def cmd_user_list(args: argparse.Namespace, config: Config) -> int:
    from kasir.services.auth import list_users
    from kasir.timeutil import local, utcnow

    factory = _open(config)
    with reading(factory) as session:
        users = list_users(session, with_inactive=True)
    if not users:
        print(
            "Belum ada pengguna. Buat administrator pertama: kasir user add NAMA "
            '"Nama Lengkap" --role admin'
        )
        return 0
    now = utcnow()
    for u in users:
        state = "aktif" if u.active else "nonaktif"
        if u.locked_until is not None and u.locked_until > now:
            state += f", terkunci s.d. {local(u.locked_until):%H:%M}"
        print(f"{u.username:<16} {u.role_label:<14} {state:<24} {u.full_name}")
    return 0


def cmd_user_add(args: argparse.Namespace, config: Config) -> int:
    from kasir.services import users

    factory = _open(config, create=True)
    with reading(factory) as session:
        first = users.needs_first_admin(session)
    if first and args.role != "admin":
        raise KasirError(
            "Toko ini belum punya pengguna: buat administrator pertama dulu (--role admin)."
        )
    actor = None if first else _credentials(args, "Menambah pengguna")
    pin = _new_pin(args, args.username)
    with writing(factory) as session:
        if first:
            made = users.first_admin(session, args.username, args.full_name, pin)
        else:
            made = users.add_user(
                session, actor, args.username, args.full_name, args.role, pin, args.nip
            )
    log.info("user %s added (%s)", made.username, made.role)
    print(f"Pengguna {made.username} ({made.role_label}) ditambahkan.")
    return 0


def cmd_user_active(args: argparse.Namespace, config: Config) -> int:
    from kasir.services import users

    active = args.user_command == "enable"
    actor = _credentials(args, "Mengaktifkan pengguna" if active else "Menonaktifkan pengguna")
    factory = _open(config)
    with writing(factory) as session:
        done = users.set_active(session, actor, args.username, active)
    log.info("user %s %s", done.username, "enabled" if active else "disabled")
    print(f"Pengguna {done.username} sekarang {'aktif' if active else 'nonaktif'}.")
    return 0


def cmd_user_reset_pin(args: argparse.Namespace, config: Config) -> int:
    from kasir.services import users

    actor = _credentials(args, "Mengatur ulang PIN")
    pin = _new_pin(args, args.username)
    factory = _open(config)
    with writing(factory) as session:
        done = users.reset_pin(session, actor, args.username, pin)
    log.info("pin of %s reset", done.username)
    print(f"PIN {done.username} sudah diganti; kuncinya (bila ada) dibuka.")
    return 0


def cmd_settings(args: argparse.Namespace, config: Config) -> int:
    from kasir.services.users import change_setting
    from kasir.settings import SETTINGS, definition, get_all, parse_text

    value = None
    if args.key is not None:
        # Check the key and the value before the store is opened: a refused value touches
        # nothing (and on a new path creates nothing).
        if args.value is None:
            raise KasirError("Berikan nilai: kasir settings KUNCI NILAI")
        known = {s.key for s in SETTINGS}
        if args.key not in known:
            raise KasirError(f"Pengaturan {args.key!r} tidak ada ({', '.join(sorted(known))}).")
        value = definition(args.key).check(parse_text(args.key, args.value))
    factory = _open(config)
    actor = _credentials(args, "Mengubah pengaturan") if args.key is not None else None
    with writing(factory) as session:
        if args.key is not None:
            change_setting(session, actor, args.key, value)
        values = get_all(session)
    if args.key is not None:
        log.info("setting %s changed", args.key)
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
    p_import.add_argument("file", type=_given, metavar="FILE.csv")
    p_import.set_defaults(func=cmd_products_import)
    p_export = p_sub.add_parser("export", help="tulis seluruh katalog ke CSV")
    p_export.add_argument("file", type=_given, metavar="FILE.csv")
    p_export.set_defaults(func=cmd_products_export)

    settings = sub.add_parser("settings", help="tampilkan atau ubah pengaturan toko")
    settings.add_argument("key", nargs="?", metavar="KUNCI")
    settings.add_argument("value", nargs="?", metavar="NILAI")
    settings.add_argument(
        "--user", metavar="NAMA", help="manajer/administrator yang mengubah (PIN ditanyakan)"
    )
    settings.set_defaults(func=cmd_settings)

    user = sub.add_parser("user", help="kelola pengguna: tambah, nonaktifkan, atur ulang PIN")
    user_sub = user.add_subparsers(dest="user_command", metavar="PERINTAH", required=True)
    user_sub.add_parser("list", help="semua pengguna, peran dan statusnya").set_defaults(
        func=cmd_user_list
    )
    u_add = user_sub.add_parser("add", help="tambah pengguna (PIN ditanyakan dua kali)")
    u_add.add_argument("username", metavar="NAMA_PENGGUNA")
    u_add.add_argument("full_name", metavar="NAMA_LENGKAP")
    u_add.add_argument(
        "--role", required=True, choices=("kasir", "supervisor", "manajer", "gudang", "admin")
    )
    u_add.add_argument("--nip", metavar="NIP")
    u_add.set_defaults(func=cmd_user_add)
    for name, text in (("disable", "nonaktifkan pengguna"), ("enable", "aktifkan lagi")):
        u_active = user_sub.add_parser(name, help=text)
        u_active.add_argument("username", metavar="NAMA_PENGGUNA")
        u_active.set_defaults(func=cmd_user_active)
    u_reset = user_sub.add_parser("reset-pin", help="PIN baru (dan buka kunci) untuk pengguna")
    u_reset.add_argument("username", metavar="NAMA_PENGGUNA")
    u_reset.set_defaults(func=cmd_user_reset_pin)
    for name in ("add", "disable", "enable", "reset-pin"):
        user_sub.choices[name].add_argument(
            "--user", metavar="NAMA", help="manajer/administrator yang mengubah (PIN ditanyakan)"
        )

    sim = sub.add_parser("simulate", help="jalankan hari penjualan realistis (demo, uji beban)")
    sim.add_argument("--date", type=_date, required=True, metavar="YYYY-MM-DD")
    sim.add_argument("--sales", type=_positive, required=True, metavar="N")
    where = sim.add_mutually_exclusive_group()
    where.add_argument("--counters", type=_bounded(99), default=1, metavar="K", help="meja K01..Kk")
    where.add_argument(
        "--counter", dest="counter_code", type=_counter_arg, metavar="KODE", help="satu meja"
    )
    sim.add_argument("--seed", type=int, default=1, metavar="S")
    sim.add_argument(
        "--force",
        action="store_true",
        help="tetap jalankan di meja yang sudah punya penjualan sungguhan",
    )
    sim.set_defaults(func=cmd_simulate)

    exp = sub.add_parser(
        "export", help="ekspor penjualan satu hari atau satu rentang tanggal untuk akuntan (CSV)"
    )
    exp.add_argument("--date", type=_date, metavar="YYYY-MM-DD", help="satu hari")
    exp.add_argument("--from", dest="first", type=_date, metavar="YYYY-MM-DD", help="dari")
    exp.add_argument("--to", dest="last", type=_date, metavar="YYYY-MM-DD", help="sampai (ikut)")
    exp.add_argument("--out", type=_given, required=True, metavar="DIR")
    exp.set_defaults(func=cmd_export)

    audit = sub.add_parser("audit", help="jurnal anti-ubah: periksa rantai dan dokumen")
    audit_sub = audit.add_subparsers(dest="audit_command", metavar="PERINTAH", required=True)
    audit_verify = audit_sub.add_parser(
        "verify",
        help="periksa rantai jurnal dan dokumen sejak titik periksa terakhir, lalu catat titik "
        "periksa baru",
    )
    audit_verify.add_argument(
        "--full",
        action="store_true",
        help="periksa seluruh riwayat dari awal (titik periksa tidak dipakai)",
    )
    audit_verify.add_argument(
        "--no-checkpoint", action="store_true", help="jangan catat titik periksa baru"
    )
    audit_verify.set_defaults(func=cmd_audit_verify)

    printer = sub.add_parser("printer", help="printer struk: tes, antrean, cetak ulang antrean")
    pr_sub = printer.add_subparsers(dest="printer_command", metavar="PERINTAH", required=True)
    pr_test = pr_sub.add_parser("test", help="cetak halaman tes dan katakan apa yang salah")
    pr_retry = pr_sub.add_parser("retry", help="kirim antrean yang menunggu, berurutan")
    for p in (pr_test, pr_retry):
        p.add_argument(
            "--printer", type=_given, metavar="URL", help="printer (default: KASIR_PRINTER)"
        )
    pr_test.set_defaults(func=cmd_printer_test)
    pr_retry.set_defaults(func=cmd_printer_retry)
    pr_queue = pr_sub.add_parser("queue", help="tugas cetak terakhir meja ini")
    pr_queue.add_argument("--limit", type=_bounded(1000), default=20)
    pr_queue.set_defaults(func=cmd_printer_queue)

    receipt = sub.add_parser("receipt", help="tampilkan, tulis atau cetak ulang struk")
    receipt.add_argument("number", type=_given, metavar="NOMOR", help="mis. K01-20261122-0007")
    receipt.add_argument(
        "--out", type=_given, metavar="BERKAS", help=".bin (byte ESC/POS) atau .txt (teks)"
    )
    receipt.add_argument(
        "--print", action="store_true", help="cetak ulang (SALINAN, dicatat) ke printer meja ini"
    )
    receipt.add_argument(
        "--printer", type=_given, metavar="URL", help="printer (default: KASIR_PRINTER)"
    )
    receipt.set_defaults(func=cmd_receipt)

    qris = sub.add_parser("qris", help="cetak payload QRIS dinamis untuk suatu nominal")
    qris.add_argument("--amount", type=_given, required=True, metavar="N")
    qris.add_argument(
        "--static", type=_given, metavar="STRING", help="QRIS statis (default: dari pengaturan)"
    )
    qris.set_defaults(func=cmd_qris)
    _add_settlement_commands(sub)
    add_shift_commands(sub)
    return parser


# --- The day's settlement (issue 19): kasir settlement, close-day, deposit, upt alloc ---


def _manager(args: argparse.Namespace, what: str) -> Approval:
    """A manager's username (--user, else asked on the terminal) and PIN (--pin, else asked)."""
    from kasir.services.auth import Approval

    user = args.user
    if not user:
        if sys.stdin is None or not sys.stdin.isatty():
            raise KasirError(f"{what} perlu nama pengguna dan PIN manajer: tambahkan --user NAMA.")
        user = input("Nama pengguna manajer: ").strip()
    pin = args.pin if getattr(args, "pin", None) else _read_pin(f"PIN {user}")
    return Approval(pin, user)


def cmd_settlement(args: argparse.Namespace, config: Config) -> int:
    from kasir.services.settlement import day_figures

    out = Path(args.out)
    suffix = out.suffix.lower()
    if suffix not in (".csv", ".json", ".pdf"):
        raise UserError(f"--out harus berakhiran .csv, .json atau .pdf, bukan {out.name!r}.")
    factory = _open(config)
    with reading(factory) as session:
        figures = day_figures(session, args.date)
    try:
        _write_settlement(figures, out, suffix)
    except OSError as exc:
        raise KasirError(f"Menulis {out} gagal ({_os_reason(exc)}).") from exc
    state = "DRAFT (hari belum ditutup)" if figures.draft else f"nomor {figures.number}"
    log.info("settlement %s written to %s", args.date, out)
    print(
        f"Laporan setoran {args.date:%d-%m-%Y} ({state}) ke {out}: bersih "
        f"{format_rupiah(figures.totals.net)}, PNBP {format_rupiah(figures.totals.pnbp)}, "
        f"{len(figures.upts)} UPT."
    )
    return 0


def _write_settlement(figures: object, out: Path, suffix: str) -> None:
    from kasir.domain.settlement import DayFigures
    from kasir.files import replace_files, write_csv_rows
    from kasir.services.settlement import CSV_COLUMNS, csv_rows

    assert isinstance(figures, DayFigures)
    if suffix == ".pdf":
        try:
            from kasir.output.settlement_pdf import render_settlement
        except ModuleNotFoundError as exc:
            raise KasirError(
                "PDF laporan setoran belum tersedia di versi ini; pakai --out BERKAS.csv "
                "atau .json."
            ) from exc
        render_settlement(figures, out)
        return
    with replace_files(out) as (fh,):
        if suffix == ".json":
            fh.write(figures.to_json())
        else:
            write_csv_rows(fh, CSV_COLUMNS, csv_rows(figures))


def cmd_close_day(args: argparse.Namespace, config: Config) -> int:
    from kasir.services.settlement import close_day, day_status

    factory = _open(config)
    with reading(factory) as session:
        status = day_status(session, args.date)
    if status.closed:
        raise UserError(f"Hari {args.date:%d-%m-%Y} sudah ditutup (nomor {status.number}).")
    actor = _manager(args, "Menutup hari")
    with writing(factory) as session:
        figures = close_day(session, args.date, actor)
    log.info("day %s closed as %s", args.date, figures.number)
    print(
        f"Hari {args.date:%d-%m-%Y} ditutup: laporan {figures.number}, bersih "
        f"{format_rupiah(figures.totals.net)}, PNBP yang harus disetor "
        f"{format_rupiah(max(figures.totals.pnbp, 0))}."
    )
    return 0


def cmd_deposit(args: argparse.Namespace, config: Config) -> int:
    from kasir.money import parse_rupiah
    from kasir.services.settlement import check_billing, check_ntpn, record_deposit

    billing, ntpn = check_billing(args.billing), check_ntpn(args.ntpn)  # before any PIN
    amount = parse_rupiah(args.amount)
    factory = _open(config)
    actor = _manager(args, "Mencatat setoran")
    with writing(factory) as session:
        figures = record_deposit(session, args.date, actor, billing, ntpn, args.paid_on, amount)
    log.info("deposit of %s recorded", args.date)
    print(
        f"Setoran {figures.number} dicatat: kode billing {billing}, NTPN {ntpn}, "
        f"tanggal {args.paid_on:%d-%m-%Y}, {format_rupiah(amount)}."
    )
    return 0


def cmd_upt_alloc(args: argparse.Namespace, config: Config) -> int:
    from kasir.domain.allocation import BASE_LABELS, make_scheme
    from kasir.services.settlement import set_default_scheme, set_upt_scheme

    if args.default == bool(args.code):
        raise UserError("Berikan KODE UPT, atau --default untuk alokasi bawaan toko.")
    scheme = None
    if args.clear:
        if args.default:
            raise UserError("--clear hanya untuk UPT (kembali ke alokasi bawaan).")
    else:
        if args.pnbp is None or args.premi is None or args.pembinaan is None:
            raise UserError(
                "Berikan --pnbp, --premi dan --pembinaan (jumlahnya 100), atau --clear."
            )
        scheme = make_scheme(args.pnbp, args.premi, args.pembinaan, args.base)
    factory = _open(config)
    actor = _credentials(args, "Mengubah alokasi")
    with writing(factory) as session:
        if args.default:
            assert scheme is not None
            set_default_scheme(session, actor, scheme)
            what = "alokasi bawaan toko"
        else:
            upt = set_upt_scheme(session, actor, args.code, scheme)
            what = f"alokasi UPT {upt.code}"
    if scheme is None:
        print(f"{what}: kembali ke alokasi bawaan toko.")
    else:
        base = BASE_LABELS[scheme.base]
        print(
            f"{what}: PNBP {scheme.pnbp_pct}%, premi {scheme.premi_pct}%, pembinaan "
            f"{scheme.pembinaan_pct}% dari {base}."
        )
    return 0


def _add_settlement_commands(sub: argparse._SubParsersAction[_Parser]) -> None:
    st = sub.add_parser(
        "settlement", help="laporan setoran PNBP harian: PDF, atau CSV/JSON untuk pembukuan"
    )
    st.add_argument("--date", type=_date, required=True, metavar="YYYY-MM-DD")
    st.add_argument("--out", type=_given, required=True, metavar="BERKAS", help=".pdf/.csv/.json")
    st.set_defaults(func=cmd_settlement)

    close = sub.add_parser("close-day", help="tutup hari (semua shift tertutup; PIN manajer)")
    close.add_argument("--date", type=_date, required=True, metavar="YYYY-MM-DD")
    close.add_argument("--user", metavar="NAMA", help="manajer/administrator (else ditanyakan)")
    close.add_argument("--pin", metavar="PIN", help="untuk skrip (else ditanyakan)")
    close.set_defaults(func=cmd_close_day)

    dep = sub.add_parser("deposit", help="catat data setoran SIMPONI hari yang sudah ditutup")
    dep.add_argument("--date", type=_date, required=True, metavar="YYYY-MM-DD")
    dep.add_argument("--billing", type=_given, required=True, metavar="KODE15")
    dep.add_argument("--ntpn", type=_given, required=True, metavar="NTPN16")
    dep.add_argument("--paid-on", dest="paid_on", type=_date, required=True, metavar="YYYY-MM-DD")
    dep.add_argument("--amount", type=_given, required=True, metavar="N")
    dep.add_argument("--user", metavar="NAMA", help="manajer/administrator (else ditanyakan)")
    dep.add_argument("--pin", metavar="PIN", help="untuk skrip (else ditanyakan)")
    dep.set_defaults(func=cmd_deposit)

    upt = sub.add_parser("upt", help="UPT: skema alokasi PNBP / premi / pembinaan")
    upt_sub = upt.add_subparsers(dest="upt_command", metavar="PERINTAH", required=True)
    alloc = upt_sub.add_parser("alloc", help="atur alokasi satu UPT, atau bawaannya (--default)")
    alloc.add_argument("code", nargs="?", metavar="KODE")
    alloc.add_argument("--default", action="store_true", help="alokasi bawaan toko")
    alloc.add_argument("--clear", action="store_true", help="UPT kembali ke alokasi bawaan")
    alloc.add_argument("--pnbp", metavar="PERSEN")
    alloc.add_argument("--premi", metavar="PERSEN")
    alloc.add_argument("--pembinaan", metavar="PERSEN")
    alloc.add_argument("--base", choices=("net", "margin"), default="net")
    alloc.add_argument("--user", metavar="NAMA", help="manajer/administrator (PIN ditanyakan)")
    alloc.set_defaults(func=cmd_upt_alloc)


# --- shifts: close with a count, cash in/out, X report (issue 19) ----------------------------


def _pin_of(given: str | None, whose: str) -> str:
    """--pin when given (scripts), else asked for (one line of standard input in a script)."""
    return given.strip() if given else _read_pin(f"PIN {whose}")


def _shift_user(session: Session, username: str, pin: str, counter_id: int) -> int:
    from kasir.services.auth import verify_user_pin

    user = verify_user_pin(
        session,
        username,
        pin,
        counter_id=counter_id,
        what="login",
        missing="Ketik nama pengguna (--user) dan PIN-nya.",
    )
    return user.id


def _open_shift_id(session: Session, counter: str) -> tuple[int, int]:
    from kasir.services.catalog import ensure_counter
    from kasir.services.shifts import current_shift

    counter_id = ensure_counter(session, counter)
    shift = current_shift(session, counter_id)
    if shift is None:
        raise UserError(f"Meja {counter} tidak punya shift terbuka.")
    return counter_id, shift.id


def _report_out(report: object, out: Path, session: Session) -> None:
    from kasir.output.shift_report_pdf import write_pdf
    from kasir.services import printing
    from kasir.services.shift_report import ShiftReport

    assert isinstance(report, ShiftReport)
    if out.suffix.lower() != ".pdf":
        raise UserError(f"--out {out}: pakai akhiran .pdf.")
    setup = printing.receipt_setup(session)
    try:
        write_pdf(report, out, setup.store_name, setup.store_address)
    except OSError as exc:
        raise KasirError(f"Tidak dapat menulis {out} ({_os_reason(exc)}).") from exc


def cmd_close_shift(args: argparse.Namespace, config: Config) -> int:
    """Close the counter's open shift with a count by denomination; print the Z report."""
    from kasir.domain.cash_count import parse_count
    from kasir.output.shift_report import queue_shift_report, report_text
    from kasir.services import printing
    from kasir.services.shift_report import shift_report
    from kasir.services.shifts import close_shift

    count = parse_count(args.count)  # refused before anything is opened or asked
    pin = _pin_of(args.pin, args.user)
    factory = _open(config)
    with writing(factory) as session:
        counter_id, shift_id = _open_shift_id(session, config.counter)
        user_id = _shift_user(session, args.user, pin, counter_id)
        close_shift(session, shift_id, count, user_id, reason=args.reason)
        if args.print:
            queue_shift_report(session, shift_id, counter_id=counter_id, user_id=user_id)
    with reading(factory) as session:
        report = shift_report(session, shift_id)
        width = printing.receipt_setup(session).width
        if args.out:
            _report_out(report, Path(args.out), session)
    print(report_text(report, "", width), end="")
    if args.out:
        print(f"Laporan Z ditulis ke {args.out}.")
    return 0


def cmd_cash_move(args: argparse.Namespace, config: Config) -> int:
    """Kas masuk / kas keluar / setor brankas on the counter's open shift, with a reason and a
    supervisor's approval (their PIN after the cashier's, on standard input in a script)."""
    from kasir.money import parse_rupiah
    from kasir.services.auth import Approval
    from kasir.services.cash import check_kind, record_cash_movement

    kind = check_kind(args.kind)
    amount = parse_rupiah(args.amount)
    pin = _pin_of(args.pin, args.user)
    approver_pin = _pin_of(args.approver_pin, args.approver)
    factory = _open(config)
    with writing(factory) as session:
        counter_id, shift_id = _open_shift_id(session, config.counter)
        user_id = _shift_user(session, args.user, pin, counter_id)
        moved = record_cash_movement(
            session,
            shift_id,
            user_id,
            kind,
            amount,
            args.reason,
            Approval(approver_pin, args.approver),
        )
    print(f"{moved.describe()} dicatat di shift #{moved.shift_id} meja {config.counter}.")
    return 0


def cmd_x_report(args: argparse.Namespace, config: Config) -> int:
    """The open shift's X report (the shift stays open): text, --out FILE.pdf, --print."""
    from kasir.output.shift_report import queue_shift_report, report_text
    from kasir.services import printing
    from kasir.services.shift_report import shift_report

    factory = _open(config)
    with writing(factory) as session:
        counter_id, shift_id = _open_shift_id(session, config.counter)
        if args.print:
            queue_shift_report(session, shift_id, counter_id=counter_id, user_id=None)
    with reading(factory) as session:
        report = shift_report(session, shift_id)
        width = printing.receipt_setup(session).width
        if args.out:
            _report_out(report, Path(args.out), session)
    if args.out:
        print(f"Laporan X shift #{shift_id} ditulis ke {args.out}.")
    else:
        print(report_text(report, "", width), end="")
    if args.print:
        print("Laporan X masuk antrean cetak meja ini.")
    return 0


def add_shift_commands(sub: Any) -> None:
    close = sub.add_parser(
        "close-shift", help="tutup shift meja ini dengan hitungan uang per pecahan (laporan Z)"
    )
    close.add_argument(
        "--count",
        type=_given,
        required=True,
        metavar="HITUNGAN",
        help='mis. "100000x2,50000x1,500x3" (koin Rp 1.000: koin1000x4)',
    )
    close.add_argument("--reason", metavar="ALASAN", help="alasan selisih (wajib bila ada)")
    close.set_defaults(func=cmd_close_shift)
    move = sub.add_parser("cash-move", help="kas masuk / kas keluar / setor brankas (disetujui)")
    move.add_argument("--kind", required=True, choices=("in", "out", "drop"))
    move.add_argument("--amount", type=_given, required=True, metavar="N")
    move.add_argument("--reason", type=_given, required=True, metavar="ALASAN")
    move.add_argument("--approver", type=_given, required=True, metavar="NAMA")
    move.add_argument("--approver-pin", metavar="PIN", help="(default: ditanyakan)")
    move.set_defaults(func=cmd_cash_move)
    for p in (close, move):
        p.add_argument("--user", type=_given, required=True, metavar="NAMA", help="kasir")
        p.add_argument("--pin", metavar="PIN", help="(default: ditanyakan; skrip: stdin)")
    x = sub.add_parser("x-report", help="laporan X shift yang sedang berjalan (shift tetap buka)")
    for p in (close, x):
        p.add_argument("--out", type=_given, metavar="FILE.pdf", help="tulis PDF")
        p.add_argument("--print", action="store_true", help="masukkan ke antrean cetak meja ini")
    x.set_defaults(func=cmd_x_report)


def _quiet_stdout() -> None:
    """After a broken pipe: send what is still buffered nowhere, so exit prints no traceback."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    setup_logging()
    try:
        config = load_config(args.db, args.counter)
        code: int = args.func(args, config)
        sys.stdout.flush()  # a reader that went away (`| head`) is noticed here, not at exit
        return code
    except BrokenPipeError:
        # `kasir simulate ... | true`: the work is done and committed; only the report had
        # nowhere to go. End quietly with the shell's code for SIGPIPE.
        _quiet_stdout()
        return 141
    except ImportFailed as exc:
        print(f"kasir: {exc.message}", file=sys.stderr)
        for line, reason in exc.problems:
            print(f"  baris {line}: {reason}", file=sys.stderr)
        return 1
    except KasirError as exc:
        print(f"kasir: {exc.message}", file=sys.stderr)
        return 1
    except Exception as exc:
        cause = environment_problem(exc)
        if cause is not None:  # the machine, not the command: locked, unreachable, disk full
            log.warning("environment problem: %s", cause, exc_info=exc)
            print(f"kasir: {cause}", file=sys.stderr)
            return 1
        return _failed(exc)
    except KeyboardInterrupt:
        print("kasir: dibatalkan (Ctrl+C); tidak ada yang setengah tersimpan.", file=sys.stderr)
        return 130
    finally:
        while _opened:
            _opened.pop().dispose()


def _failed(exc: Exception) -> int:
    """A database error nobody named, or a bug: one line here, the traceback in the log."""
    if isinstance(exc, SQLAlchemyError):
        log.error("database error", exc_info=exc)
        detail = str(getattr(exc, "orig", None) or exc).strip().splitlines()
        print(f"kasir: masalah database: {detail[0] if detail else exc!r}", file=sys.stderr)
        return 1
    log.error("unexpected error", exc_info=exc)
    print(f"kasir: kesalahan tak terduga ({exc!r}); rincian di {log_path()}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())

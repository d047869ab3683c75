"""Machine-local configuration: where the store is and which counter this machine is.

Looked up in this order (first wins): command-line option, environment variable, config file
(`kasir.toml` in the user config folder, or the file named by `KASIR_CONFIG`), default.
Store-wide settings (tax rate, receipt footer, QRIS string...) live in the database instead:
see `kasir.settings`.
"""

from __future__ import annotations

import math
import os
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from kasir.errors import EnvironmentProblem, ValidationError

APP_NAME = "kasir"


def data_dir() -> Path:
    """Folder for the SQLite store and logs (`KASIR_DATA_DIR` overrides)."""
    override = os.environ.get("KASIR_DATA_DIR")
    return Path(override) if override else Path(platformdirs.user_data_dir(APP_NAME, False))


def config_path() -> Path:
    override = os.environ.get("KASIR_CONFIG")
    if override:
        return Path(override)
    return Path(platformdirs.user_config_dir(APP_NAME, False)) / "kasir.toml"


def default_database_url() -> str:
    return f"sqlite:///{data_dir() / 'kasir.db'}"


COUNTER_CODE_RULE = "huruf A-Z dan angka 0-9 saja, 1 sampai 8 karakter, mis. K01"
_COUNTER_CODE = re.compile(r"[A-Z0-9]{1,8}")


def counter_code(text: str) -> str:
    """A counter code as it goes into receipt numbers: ASCII `[A-Z0-9]{1,8}`, upper-cased.

    Lower case is accepted and upper-cased; anything else (accents, other scripts' digits,
    spaces inside, hyphens, an empty code) is refused with the rule."""
    code = text.strip()
    # isascii() first: "ß".upper() is "SS" and "ﬁ".upper() is "FI".
    if not code.isascii() or not _COUNTER_CODE.fullmatch(code.upper()):
        raise ValidationError(f"Kode meja kasir {text!r} tidak valid: {COUNTER_CODE_RULE}.")
    return code.upper()


@dataclass(frozen=True)
class DbTimeouts:
    """How long the store may keep the counter waiting (PostgreSQL; seconds).

    `connect`: to open a connection (libpq `connect_timeout`, whole seconds, at least 2);
    `lock`: for another unit of work's row lock (`lock_timeout`); `statement`: for one
    statement (`statement_timeout`). Config keys `db_connect_timeout`, `db_lock_timeout`,
    `db_statement_timeout`; variables `KASIR_DB_CONNECT_TIMEOUT`, `KASIR_DB_LOCK_TIMEOUT`,
    `KASIR_DB_STATEMENT_TIMEOUT`."""

    connect: int = 5
    lock: float = 5.0
    statement: float = 15.0


# (config key, environment variable, lowest, highest) per DbTimeouts field.
DB_TIMEOUT_KEYS: dict[str, tuple[str, str, float, float]] = {
    "connect": ("db_connect_timeout", "KASIR_DB_CONNECT_TIMEOUT", 2, 60),
    "lock": ("db_lock_timeout", "KASIR_DB_LOCK_TIMEOUT", 0.1, 120),
    "statement": ("db_statement_timeout", "KASIR_DB_STATEMENT_TIMEOUT", 1, 600),
}


@dataclass(frozen=True)
class Config:
    database_url: str
    counter: str
    # True when no option, variable or config file named the database: the app's first run on
    # this machine may then create the store in the data folder.
    default_store: bool = False
    db_timeouts: DbTimeouts = DbTimeouts()
    # This counter's receipt printer (kasir.output.printer.parse_printer_url): tcp://HOST[:PORT],
    # usb://VENDOR:PRODUCT, serial:///dev/ttyS0?baudrate=9600, file:///dev/usb/lp0, or none.
    printer: str = "none"


def _read_config_file(path: Path) -> dict[str, object]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise EnvironmentProblem(
            f"Berkas konfigurasi {path} bukan teks UTF-8; simpan ulang sebagai UTF-8."
        ) from None
    except tomllib.TOMLDecodeError as exc:
        raise EnvironmentProblem(f"Berkas konfigurasi {path} tidak valid: {exc}.") from None
    except OSError as exc:
        raise EnvironmentProblem(
            f"Berkas konfigurasi {path} tidak dapat dibaca: {exc.strerror or exc}."
        ) from None


def _file_text(values: dict[str, object], key: str, path: Path) -> str | None:
    value = values.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise EnvironmentProblem(f"Berkas konfigurasi {path}: {key} harus teks yang tidak kosong.")
    return value.strip()


def _option(value: str | None, name: str) -> str | None:
    """A command-line option: absent is None; given but empty is refused."""
    if value is None:
        return None
    if not value.strip():
        raise ValidationError(f"Opsi {name} tidak boleh kosong.")
    return value.strip()


def _env(name: str) -> str | None:
    value = os.environ.get(name, "").strip()
    return value or None  # an empty variable counts as not set, as shells usually mean it


def _seconds(value: object, where: str, low: float, high: float) -> float:
    """A timeout in seconds within [low, high]; one Indonesian line when it is not."""
    number: float | None = None
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value.strip().replace(",", "."))
        except ValueError:
            number = None
    if number is None or not low <= number <= high:  # NaN fails both comparisons
        raise EnvironmentProblem(
            f"{where} harus angka detik dari {low:g} sampai {high:g} (sekarang {value!r})."
        )
    return number


def load_db_timeouts(file_values: dict[str, object], path: Path) -> DbTimeouts:
    """The database timeouts, first match wins: environment variable, config file, default."""
    values: dict[str, float] = {}
    for field, (key, env, low, high) in DB_TIMEOUT_KEYS.items():
        if (text := _env(env)) is not None:
            values[field] = _seconds(text, f"Variabel {env}", low, high)
        elif key in file_values:
            values[field] = _seconds(
                file_values[key], f"Berkas konfigurasi {path}: {key}", low, high
            )
    default = DbTimeouts()
    connect = values.get("connect", default.connect)
    return DbTimeouts(
        # libpq takes whole seconds: round up, never down to a shorter wait.
        connect=math.ceil(connect),
        lock=values.get("lock", default.lock),
        statement=values.get("statement", default.statement),
    )


def load_config(database_url: str | None = None, counter: str | None = None) -> Config:
    """The configuration, first match wins: option, environment, config file, default.

    Empty options (`--db ""`, `--counter ""`) and empty or non-text values in the config file
    are refused, never silently replaced by the default."""
    url = _option(database_url, "--db")
    code = _option(counter, "--counter")
    path = config_path()
    file_values = _read_config_file(path) if path.exists() else {}
    url = url or _env("KASIR_DATABASE_URL") or _file_text(file_values, "database_url", path)
    code = code or _env("KASIR_COUNTER") or _file_text(file_values, "counter", path) or "K01"
    printer = _env("KASIR_PRINTER") or _file_text(file_values, "printer", path) or "none"
    return Config(
        database_url=url or default_database_url(),
        counter=counter_code(code),
        default_store=url is None,
        db_timeouts=load_db_timeouts(file_values, path),
        printer=printer,
    )

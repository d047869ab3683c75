"""Machine-local configuration: where the store is and which counter this machine is.

Looked up in this order (first wins): command-line option, environment variable, config file
(`kasir.toml` in the user config folder, or the file named by `KASIR_CONFIG`), default.
Store-wide settings (tax rate, receipt footer, QRIS string...) live in the database instead:
see `kasir.settings`.
"""

from __future__ import annotations

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
class Config:
    database_url: str
    counter: str
    # True when no option, variable or config file named the database: the app's first run on
    # this machine may then create the store in the data folder.
    default_store: bool = False


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
    return Config(
        database_url=url or default_database_url(),
        counter=counter_code(code),
        default_store=url is None,
    )

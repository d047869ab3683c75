"""Machine-local configuration: where the store is and which counter this machine is.

Looked up in this order (first wins): command-line option, environment variable, config file
(`kasir.toml` in the user config folder, or the file named by `KASIR_CONFIG`), default.
Store-wide settings (tax rate, receipt footer, QRIS string...) live in the database instead:
see `kasir.settings`.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from kasir.errors import EnvironmentProblem

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


@dataclass(frozen=True)
class Config:
    database_url: str
    counter: str


def load_config(database_url: str | None = None, counter: str | None = None) -> Config:
    path = config_path()
    file_values: dict[str, object] = {}
    if path.exists():
        try:
            file_values = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise EnvironmentProblem(
                f"Berkas konfigurasi {path} tidak dapat dibaca: {exc}"
            ) from exc
    url = (
        database_url
        or os.environ.get("KASIR_DATABASE_URL")
        or str(file_values.get("database_url") or "")
        or default_database_url()
    )
    counter_code = (
        counter or os.environ.get("KASIR_COUNTER") or str(file_values.get("counter") or "") or "K01"
    )
    return Config(database_url=url, counter=counter_code.strip().upper())

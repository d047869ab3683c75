"""Where the files that ship with Kasir are: demo catalog, migrations, icons.

In a wheel they are inside the package (`kasir/_data/...`); in a source checkout (editable
install, tests) they are at the top of the repository.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


def _find(name: str) -> Path:
    for candidate in (_PACKAGE_DIR / "_data" / name, _PACKAGE_DIR.parents[1] / name):
        if candidate.exists():
            return candidate
    raise FileNotFoundError(f"Kasir installation is missing its {name!r} folder")


def migrations_dir() -> Path:
    return _find("migrations")


def resources_dir() -> Path:
    return _find("resources")

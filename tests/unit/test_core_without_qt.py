"""The core (everything outside kasir.gui) must import and work with PySide6 unavailable."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import kasir

SCRIPT = """
import importlib, sys
sys.modules['PySide6'] = None  # any 'import PySide6...' now raises ImportError
mods = sys.argv[1:]
for name in mods:
    importlib.import_module(name)
assert not any(m.startswith('PySide6.') for m in sys.modules), 'Qt was imported'
print(len(mods))
"""


def core_modules() -> list[str]:
    names = []
    for info in pkgutil.walk_packages(kasir.__path__, "kasir."):
        if info.name.startswith("kasir.gui") or info.name in ("kasir.__main__", "kasir.bench"):
            continue
        names.append(info.name)
    return names


def test_core_imports_without_qt() -> None:
    mods = core_modules()
    assert "kasir.services.catalog" in mods and "kasir.store.models" in mods
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT, *mods], capture_output=True, text=True, check=False
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == str(len(mods))


def test_blocking_qt_really_blocks() -> None:
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT, "kasir.gui.ops"], capture_output=True, text=True, check=False
    )
    assert out.returncode != 0 and "PySide6" in out.stderr

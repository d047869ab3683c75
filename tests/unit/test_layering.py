"""The floors of the README's module map: a module imports only its own floor or the ones below,
and nothing outside `kasir.gui` imports Qt.

Every import is read from the source (ast), including the ones inside functions, so a lazy
import cannot sneak past. A new top-level module or package must be given its floor here.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

import kasir

SRC = Path(kasir.__file__).parent

# The README's map ("Module map"), floor by floor; a module belongs to its longest prefix.
FLOORS: dict[str, int] = {
    "kasir": 1,  # the package itself (__version__)
    "kasir.errors": 1,
    "kasir.money": 1,
    "kasir.timeutil": 1,
    "kasir.text": 1,
    "kasir.resources": 1,
    "kasir.config": 1,
    "kasir.logs": 1,
    "kasir.files": 1,
    "kasir.domain": 2,
    "kasir.store": 2,
    "kasir.settings": 2,
    "kasir.services": 3,
    "kasir.output": 4,
    "kasir.flows": 4,
    "kasir.simulate": 4,
    "kasir.history": 4,
    "kasir.gui": 5,
    "kasir.cli": 5,
    "kasir.bench": 5,
    "kasir.__main__": 5,
}
QT_PACKAGES = ("PySide6", "shiboken6", "PyQt5", "PyQt6", "PySide2")


@dataclass(frozen=True)
class Import:
    module: str  # the importing module
    target: str  # what it imports (a module, or a name inside one)
    line: int


def module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def floor_of(name: str) -> int | None:
    owners = [p for p in FLOORS if name == p or name.startswith(p + ".")]
    return FLOORS[max(owners, key=len)] if owners else None


def imports_of(path: Path) -> list[Import]:
    return imports_in(
        module_name(path), path.read_text(encoding="utf-8"), path.name == "__init__.py"
    )


def imports_in(name: str, source: str, is_package: bool = False) -> list[Import]:
    package = name if is_package else name.rpartition(".")[0]
    found: list[Import] = []
    for node in ast.walk(ast.parse(source, name)):
        if isinstance(node, ast.Import):
            found += [Import(name, alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            # `from kasir.services import checkout` imports the module kasir.services.checkout
            found += [Import(name, f"{target}.{alias.name}", node.lineno) for alias in node.names]
            found.append(Import(name, target, node.lineno))
    return found


def all_imports() -> list[Import]:
    return [imp for path in sorted(SRC.rglob("*.py")) for imp in imports_of(path)]


def test_every_module_has_a_floor() -> None:
    homeless = sorted(module_name(p) for p in SRC.rglob("*.py") if floor_of(module_name(p)) is None)
    assert homeless == [], "give these a floor in FLOORS (and the README's map)"


def test_no_module_imports_a_higher_floor() -> None:
    upward = []
    for imp in all_imports():
        if not imp.target.startswith("kasir"):
            continue
        target_floor = floor_of(imp.target)
        own_floor = floor_of(imp.module)
        assert own_floor is not None and target_floor is not None, imp
        if target_floor > own_floor:
            upward.append(
                f"{imp.module}:{imp.line} (floor {own_floor}) imports {imp.target} "
                f"(floor {target_floor})"
            )
    assert upward == []


def test_only_the_gui_imports_qt() -> None:
    qt = [
        f"{imp.module}:{imp.line} imports {imp.target}"
        for imp in all_imports()
        if imp.target.split(".")[0] in QT_PACKAGES
        and floor_of(imp.module) is not None
        and not (imp.module == "kasir.gui" or imp.module.startswith("kasir.gui."))
    ]
    assert qt == []


def test_the_gui_really_imports_qt() -> None:
    # The rules above read the right thing: the window's modules are seen importing Qt.
    gui = [imp for imp in all_imports() if imp.module.startswith("kasir.gui.")]
    assert any(imp.target.startswith("PySide6") for imp in gui)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("from kasir.gui.ops import Ops\n", "kasir.services.bad imports kasir.gui.ops"),
        ("def f():\n    import kasir.cli\n", "kasir.services.bad imports kasir.cli"),
        ("from ..gui import app\n", "kasir.services.bad imports kasir.gui.app"),
    ],
)
def test_an_upward_import_is_caught(source: str, expected: str) -> None:
    # A services module importing the GUI or the CLI, even lazily or relatively, is reported.
    found = [
        f"{imp.module} imports {imp.target}"
        for imp in imports_in("kasir.services.bad", source)
        if (floor_of(imp.target) or 0) > 3
    ]
    assert expected in found

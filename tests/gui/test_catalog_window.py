"""The first real window: the catalog from the store, searchable, and a status bar.

Searches run off the GUI thread (`ops.read`): a test waits for the rows, never for a time."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from kasir.config import Config
from kasir.gui.app import build_main_window
from kasir.gui.catalog.model import HEADERS, ProductTableModel
from kasir.gui.main_window import MainWindow
from kasir.gui.ops import Change, Changes
from kasir.services.catalog import search
from kasir.store.engine import make_engine, make_session_factory

NAME_COLUMN = HEADERS.index("Nama barang")
WAIT_MS = 3000


@pytest.fixture
def window(qtbot: QtBot, tmp_path: Path) -> Iterator[MainWindow]:
    """The main window on an empty SQLite store, which the demo flag fills on first start."""
    config = Config(database_url=f"sqlite:///{tmp_path / 'kasir.db'}", counter="K01")
    win = build_main_window(config, demo=True)
    qtbot.addWidget(win)
    # Shown: the catalog searches when it becomes visible (the offscreen platform's
    # "does not support propagateSizeHints()" warning is ignored in pyproject.toml).
    win.show()
    qtbot.waitExposed(win, timeout=WAIT_MS)
    assert win.ops.wait_idle(WAIT_MS)
    yield win
    win.close()
    win.ops.wait_idle(WAIT_MS)
    win.ops.factory.kw["bind"].dispose()


def shown_names(win: MainWindow) -> list[str]:
    model = win.catalog.table.model()
    return [model.index(r, NAME_COLUMN).data() for r in range(model.rowCount())]


def type_search(qtbot: QtBot, win: MainWindow, text: str) -> None:
    edit = win.catalog.search_edit
    edit.selectAll()
    qtbot.keyClick(edit, Qt.Key.Key_Backspace)
    qtbot.keyClicks(edit, text)


def test_catalog_shows_the_demo_products(window: MainWindow, tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'kasir.db'}")
    with make_session_factory(engine)() as s:
        expected = [p.name for p in search(s, "", limit=500)]
    engine.dispose()
    assert len(expected) >= 150
    assert shown_names(window) == expected
    assert window.catalog.summary.text() == f"{len(expected)} barang ditampilkan"
    model = window.catalog.model
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    assert headers == list(HEADERS)


def test_search_filters_accent_insensitively(qtbot: QtBot, window: MainWindow) -> None:
    everything = len(shown_names(window))
    type_search(qtbot, window, "cafe")
    qtbot.waitUntil(lambda: shown_names(window) == ["Café Latte Bubuk 200 g"], timeout=WAIT_MS)
    qtbot.waitUntil(
        lambda: window.catalog.summary.text() == "1 barang ditampilkan", timeout=WAIT_MS
    )

    type_search(qtbot, window, "KOPI bubuk")
    qtbot.waitUntil(lambda: 1 < len(shown_names(window)) < everything, timeout=WAIT_MS)
    assert all("kopi" in n.lower() and "bubuk" in n.lower() for n in shown_names(window)), (
        shown_names(window)
    )

    type_search(qtbot, window, "tidak ada barang seperti ini")
    qtbot.waitUntil(lambda: shown_names(window) == [], timeout=WAIT_MS)
    qtbot.waitUntil(
        lambda: window.catalog.summary.text() == "0 barang ditampilkan", timeout=WAIT_MS
    )

    window.catalog.search_edit.clear()
    qtbot.waitUntil(lambda: len(shown_names(window)) == everything, timeout=WAIT_MS)


def test_search_by_barcode_with_enter(qtbot: QtBot, window: MainWindow) -> None:
    """A scanner types the digits and Enter: the row shows without waiting for the debounce."""
    edit = window.catalog.search_edit
    qtbot.keyClicks(edit, "2000000100012")
    qtbot.keyClick(edit, Qt.Key.Key_Return)
    assert window.ops.wait_idle(WAIT_MS)
    assert shown_names(window) == ["Makaroni Keju 250 g"]
    row = [window.catalog.model.index(0, c).data() for c in range(len(HEADERS))]
    assert row[:4] == ["KUL-0001", "2000000100012", "Makaroni Keju 250 g", "kuliner"]
    assert row[HEADERS.index("Harga (Rp)")] == "18.000"


def test_status_bar_shows_database_and_counter(window: MainWindow, tmp_path: Path) -> None:
    assert window.status_database.text() == f"Database: SQLite {tmp_path / 'kasir.db'}"
    assert window.status_counter.text() == "Meja: K01"
    assert window.status_database.isVisibleTo(window)
    assert window.status_counter.isVisibleTo(window)
    assert "K01" in window.windowTitle()


def test_product_table_model(qtmodeltester, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    qtmodeltester.check(window.catalog.model)
    empty = ProductTableModel()
    qtmodeltester.check(empty)
    with window.ops.factory() as s:
        empty.set_rows(search(s, "keripik"))
    assert empty.rowCount() > 0
    qtmodeltester.check(empty)


def test_sale_refreshes_the_catalog_only_while_it_is_shown(
    qtbot: QtBot, window: MainWindow
) -> None:
    """A sale changes the stock shown: refreshed at once when the tab is visible; when another
    tab is in front, only marked stale, and refreshed when the tab is shown again."""
    catalog = window.catalog
    before = catalog.refreshes
    window.ops.changed.emit(Changes({Change.SALE}))
    assert window.ops.wait_idle(WAIT_MS)
    assert catalog.refreshes == before + 1

    window.ops.changed.emit(Changes({Change.SHIFT}))  # nothing the catalog shows
    assert window.ops.wait_idle(WAIT_MS)
    assert catalog.refreshes == before + 1

    window.add_screen(QLabel("penjualan"), "Penjualan", first=True)
    assert not catalog.isVisible()
    for _ in range(5):
        window.ops.changed.emit(Changes({Change.SALE}))
    window.ops.changed.emit("catalog")  # the old string notices count as well
    assert window.ops.wait_idle(WAIT_MS)
    assert catalog.refreshes == before + 1
    assert catalog.stale

    window.tabs.setCurrentWidget(catalog)
    qtbot.waitUntil(lambda: catalog.refreshes == before + 2, timeout=WAIT_MS)
    assert window.ops.wait_idle(WAIT_MS)
    assert not catalog.stale
    assert len(shown_names(window)) >= 150


def test_typing_while_a_search_runs_searches_once_more(qtbot: QtBot, window: MainWindow) -> None:
    """At most one search in flight: the keys typed meanwhile make one more search, whose
    rows are the ones shown."""
    catalog = window.catalog
    before = catalog.refreshes
    for text in ("k", "ke", "kerip", "keripik"):
        catalog.search_edit.setText(text)
        catalog.refresh()
    assert window.ops.wait_idle(WAIT_MS)
    assert catalog.refreshes == before + 2
    names = shown_names(window)
    assert names and all("keripik" in n.lower() for n in names)

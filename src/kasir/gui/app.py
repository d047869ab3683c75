"""Start the GUI: open (and upgrade) the store, optionally load demo data, show the window."""

from __future__ import annotations

import logging
import sys

from PySide6.QtWidgets import QApplication, QMessageBox

from kasir.config import Config
from kasir.errors import KasirError
from kasir.gui.main_window import MainWindow
from kasir.gui.ops import Ops, describe_error
from kasir.services.catalog import ensure_counter
from kasir.services.demo import has_data, load_demo_data
from kasir.store.engine import describe_url, make_engine, make_session_factory
from kasir.store.migrate import upgrade

log = logging.getLogger(__name__)


def build_main_window(config: Config, *, demo: bool = False) -> MainWindow:
    """Open the store and build the window (raises KasirError/SQLAlchemyError on failure)."""
    engine = make_engine(config.database_url)
    upgrade(engine)
    factory = make_session_factory(engine)
    with factory.begin() as session:
        if demo and not has_data(session):
            load_demo_data(session)
            log.info("demo data loaded into %s", describe_url(config.database_url))
        ensure_counter(session, config.counter)
    ops = Ops(factory)
    return MainWindow(ops, database=describe_url(config.database_url), counter=config.counter)


def run_app(config: Config, *, demo: bool = False) -> int:
    app = QApplication.instance() or QApplication(sys.argv)
    app.setApplicationName("Kasir")
    try:
        window = build_main_window(config, demo=demo)
    except Exception as exc:
        if not isinstance(exc, KasirError):
            log.exception("start-up failed")
        QMessageBox.critical(None, "Kasir tidak dapat dibuka", describe_error(exc))
        return 1
    window.show()
    return app.exec()

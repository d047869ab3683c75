"""The audit view: the journal's entries newest first with Indonesian names and filters, and
"Periksa jurnal" (F6) off the GUI thread: OK, or the breaks."""

from __future__ import annotations

from form_keys import wait_visible
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from kasir.gui.app import CounterApp
from kasir.gui.audit import AuditDialog
from kasir.store.models import AuditEvent

WAIT_MS = 3000


def open_audit(qtbot: QtBot, app: CounterApp) -> AuditDialog:
    login = app.login
    qtbot.keyClicks(login.user.lineEdit(), "spv1")
    qtbot.keyClick(login.user.lineEdit(), Qt.Key.Key_Return)
    qtbot.keyClicks(login.pin, "9999")  # a wrong PIN first: it is in the journal
    qtbot.keyClick(login.pin, Qt.Key.Key_Return)
    qtbot.keyClicks(login.pin, "2222")
    qtbot.keyClick(login.pin, Qt.Key.Key_F2)
    menu = wait_visible(qtbot, lambda: app.manager)
    qtbot.keyClick(menu, Qt.Key.Key_F3)
    dialog = wait_visible(qtbot, lambda: app.manager.child_dialog if app.manager else None)
    assert isinstance(dialog, AuditDialog)
    qtbot.waitUntil(lambda: dialog.model.rowCount() > 0, timeout=WAIT_MS)
    return dialog


def column(dialog: AuditDialog, col: int) -> list[str]:
    m = dialog.model
    return [str(m.index(r, col).data()) for r in range(m.rowCount())]


def test_entries_newest_first_with_names_and_filters(qtbot: QtBot, counter_app: CounterApp) -> None:
    dialog = open_audit(qtbot, counter_app)
    kinds = column(dialog, 3)
    assert kinds[:2] == ["Masuk", "PIN salah saat masuk"]  # newest first
    assert column(dialog, 1)[0] == "K01" and column(dialog, 5)[0].startswith("spv1 (")
    assert "wrong_pin" in column(dialog, 6)[1]
    # Filter by kind: only the wrong PINs.
    dialog.kind.setCurrentIndex(dialog.kind.findData("login_failed"))
    qtbot.waitUntil(lambda: column(dialog, 3) == ["PIN salah saat masuk"], timeout=WAIT_MS)
    # By a user who did nothing: nothing.
    dialog.kind.setCurrentIndex(0)
    dialog.user.setCurrentIndex(dialog.user.findText("kasir1", Qt.MatchFlag.MatchStartsWith))
    qtbot.waitUntil(lambda: dialog.model.rowCount() == 0, timeout=WAIT_MS)
    assert dialog.count.text() == "0 entri"
    # By a chain the demo data never wrote to.
    dialog.user.setCurrentIndex(0)
    assert dialog.chain.findData("K01") > 0
    dialog.chain.setCurrentIndex(dialog.chain.findData("K01"))
    qtbot.waitUntil(lambda: dialog.model.rowCount() == 2, timeout=WAIT_MS)


def test_periksa_jurnal_says_ok_or_names_the_breaks(
    qtbot: QtBot, counter_app: CounterApp, demo_sqlite: sessionmaker[Session]
) -> None:
    dialog = open_audit(qtbot, counter_app)
    qtbot.keyClick(dialog.table, Qt.Key.Key_F6)
    qtbot.waitUntil(lambda: dialog.verdict.text().startswith("Jurnal utuh"), timeout=WAIT_MS)
    assert not dialog.breaks.isVisible()
    with demo_sqlite.begin() as s:  # someone edits an event behind the journal's back
        s.execute(update(AuditEvent).values(entity_id="admin"))
    qtbot.keyClick(dialog.table, Qt.Key.Key_F6)
    qtbot.waitUntil(lambda: dialog.verdict.text().startswith("Jurnal RUSAK"), timeout=WAIT_MS)
    assert dialog.breaks.isVisible()
    assert "diubah sesudah dicatat di jurnal" in dialog.breaks.toPlainText()

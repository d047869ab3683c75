"""The audit view for supervisors, managers and administrators: the journal's entries, newest
first, filtered by counter (chain), user, kind and dates, with the events' Indonesian names;
"Periksa jurnal" runs `journal.verify` off the GUI thread and shows OK or every break."""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QDialog,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from kasir.gui.display import big_font
from kasir.gui.ops import Ops, describe_error
from kasir.gui.table_model import Index, RowsTableModel
from kasir.services import audit_view, auth, journal
from kasir.services.audit_view import AuditRow
from kasir.services.auth import UserView
from kasir.services.journal import STORE_CHAIN
from kasir.services.journal_verify import VerifyResult
from kasir.timeutil import business_date, local

ALL = "Semua"
DEFAULT_DAYS = 7  # the dates shown at first: the last week


def chain_label(chain: str) -> str:
    return "Toko (tanpa meja)" if chain == STORE_CHAIN else f"Meja {chain}"


class AuditModel(RowsTableModel[AuditRow]):
    HEADERS = ("Waktu", "Meja", "No.", "Jenis", "Referensi", "Pengguna", "Keterangan")

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or role not in (
            Qt.ItemDataRole.DisplayRole,
            Qt.ItemDataRole.ToolTipRole,
        ):
            return None
        r = self.row_at(index.row())
        who = f"{r.username} ({r.full_name})" if r.username else ""
        chain = "Toko" if r.chain == STORE_CHAIN else r.chain
        return (f"{local(r.at):%d-%m-%Y %H:%M:%S}", chain, r.seq, r.name, r.ref, who,
                r.detail)[index.column()]  # fmt: skip


def _qdate(day: dt.date) -> QDate:
    return QDate(day.year, day.month, day.day)


class AuditDialog(QDialog):
    """F5 shows again, F6 checks the journal, Esc closes; the filters apply at once."""

    def __init__(self, ops: Ops, parent: QWidget | None = None, *, limit: int = 500) -> None:
        super().__init__(parent)
        self.ops = ops
        self.limit = limit
        self.setWindowTitle("Kasir — Jurnal audit")
        title = QLabel("Jurnal audit")
        title.setFont(big_font(16, bold=True))
        self.chain = QComboBox()
        self.user = QComboBox()
        self.kind = QComboBox()
        for combo in (self.chain, self.user, self.kind):
            combo.addItem(ALL, None)
        for key, name in audit_view.KINDS.items():
            self.kind.addItem(name, key)
        today = business_date()
        self.since = QDateEdit(_qdate(today - dt.timedelta(days=DEFAULT_DAYS - 1)))
        self.until = QDateEdit(_qdate(today))
        for edit in (self.since, self.until):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("dd-MM-yyyy")
        filters = QGridLayout()
        for col, (label, widget) in enumerate(
            (
                ("Meja", self.chain),
                ("Pengguna", self.user),
                ("Jenis", self.kind),
                ("Dari", self.since),
                ("Sampai", self.until),
            )
        ):
            filters.addWidget(QLabel(label), 0, col)
            filters.addWidget(widget, 1, col)
        filters.setColumnStretch(1, 1)
        filters.setColumnStretch(2, 1)
        self.model = AuditModel()
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(6, QHeaderView.ResizeMode.Stretch)
        self.count = QLabel()
        self.verdict = QLabel()
        self.verdict.setWordWrap(True)
        self.verdict.setFont(big_font(12, bold=True))
        self.breaks = QPlainTextEdit()
        self.breaks.setReadOnly(True)
        self.breaks.setMaximumHeight(120)
        self.breaks.hide()
        self.check_button = QPushButton("Periksa jurnal (F6)")
        self.show_button = QPushButton("Tampilkan (F5)")
        close = QPushButton("Tutup (Esc)")
        buttons = QHBoxLayout()
        buttons.addWidget(self.count, 1)
        for button in (self.show_button, self.check_button, close):
            button.setAutoDefault(False)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.setMinimumHeight(40)
            buttons.addWidget(button)
        self.show_button.clicked.connect(self.reload)
        self.check_button.clicked.connect(self.check)
        close.clicked.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.verdict)
        layout.addWidget(self.breaks)
        layout.addLayout(buttons)
        self.resize(1000, 600)
        self.ready = False  # the filters' choices are in: changes reload
        op = ops.read(lambda s: (audit_view.chains(s), auth.list_users(s, with_inactive=True)))
        op.success(self._fill).failure(self._failed).run()

    def _fill(self, found: tuple[list[str], list[UserView]]) -> None:
        chains, users = found
        for chain in chains:
            self.chain.addItem(chain_label(chain), chain)
        for u in users:
            self.user.addItem(f"{u.username} — {u.full_name}", u.id)
        for combo in (self.chain, self.user, self.kind):
            combo.currentIndexChanged.connect(self.reload)
        for edit in (self.since, self.until):
            edit.dateChanged.connect(self.reload)
        self.ready = True
        self.reload()

    def _failed(self, exc: BaseException) -> None:
        self.verdict.setStyleSheet("color: #b00020;")
        self.verdict.setText(describe_error(exc))

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_F5 and not event.modifiers():
            self.reload()
            return
        if event.key() == Qt.Key.Key_F6 and not event.modifiers():
            self.check()
            return
        super().keyPressEvent(event)

    def filters(self) -> dict[str, Any]:
        since, until = audit_view.day_bounds(
            self.since.date().toPython(),  # type: ignore[arg-type]
            self.until.date().toPython(),  # type: ignore[arg-type]
        )
        return {
            "chain": self.chain.currentData(),
            "user_id": self.user.currentData(),
            "kind": self.kind.currentData(),
            "since": since,
            "until": until,
            "limit": self.limit,
        }

    def reload(self) -> None:
        if not self.ready:
            return
        wanted = self.filters()

        def show(rows: list[AuditRow]) -> None:
            self.model.set_rows(rows)
            more = " (yang terbaru saja; persempit saringan)" if len(rows) >= self.limit else ""
            self.count.setText(f"{len(rows)} entri{more}")

        op = self.ops.read(lambda s: audit_view.list_entries(s, **wanted))
        op.success(show).failure(self._failed).run()

    def check(self) -> None:
        """Walk every chain (off the GUI thread: it reads the whole store)."""
        self.check_button.setEnabled(False)
        self.verdict.setStyleSheet("")
        self.verdict.setText("Memeriksa jurnal…")
        self.breaks.hide()
        op = self.ops.read(journal.verify).success(self._checked)
        op.failure(self._check_failed).run()

    def _check_failed(self, exc: BaseException) -> None:
        self.check_button.setEnabled(True)
        self._failed(exc)

    def _checked(self, result: VerifyResult) -> None:
        self.check_button.setEnabled(True)
        summary = (
            f"{result.chains} rantai, {result.entries} entri, {result.documents} dokumen diperiksa"
        )
        if result.ok:
            self.verdict.setStyleSheet("color: #1b5e20;")
            self.verdict.setText(f"Jurnal utuh: {summary}. Tidak ada yang diubah.")
            return
        self.verdict.setStyleSheet("color: #b00020;")
        self.verdict.setText(f"Jurnal RUSAK: {len(result.breaks)} masalah ({summary}).")
        self.breaks.setPlainText("\n".join(b.text for b in result.breaks))
        self.breaks.show()

"""Today's receipts of this counter (F10 in the void/refund dialog, or Enter with no number).

A filter field (number or amount) over the list, newest first: Up/Down (PgUp/PgDn, Home/End)
move through the rows from the filter field, the highlighted receipt is shown on the right, and
Enter opens it in the void/refund dialog, where it is voided or refunded. Esc goes back.

Reprinting comes with printing: `reprint_requested` is its hook (the button stays disabled
until a printer is set up and something listens).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QFont, QFontDatabase, QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from kasir.domain.payment import method_label
from kasir.gui.dialogs import big_font
from kasir.gui.ops import Ops, describe_error
from kasir.gui.printing import Printing
from kasir.gui.table_model import Index, RowsTableModel
from kasir.money import format_number
from kasir.output.receipt import ReceiptHeader, render_text
from kasir.services import sale_lookup
from kasir.services.sale_lookup import ReceiptRow, SaleView
from kasir.timeutil import local

HEADERS = ("Jam", "No.", "Nomor struk", "Total", "Metode", "Status")
_RIGHT = {1, 3}
# Keys typed in the filter field that move through the list instead.
_MOVE_KEYS = {
    Qt.Key.Key_Up,
    Qt.Key.Key_Down,
    Qt.Key.Key_PageUp,
    Qt.Key.Key_PageDown,
}


class ReceiptsModel(RowsTableModel[ReceiptRow]):
    HEADERS = HEADERS

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self._rows[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            methods = " + ".join(method_label(m) for m in row.methods) or "-"
            return (
                f"{local(row.created_at):%H:%M}",
                str(row.seq),
                row.receipt_number,
                format_number(row.total),
                methods,
                row.state,
            )[col]
        if role == Qt.ItemDataRole.TextAlignmentRole and col in _RIGHT:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


class ReceiptsDialog(QDialog):
    """Emits `chosen(receipt_number)` on Enter; F5 (or the button) queues a reprint of the
    highlighted receipt (`reprint_requested(receipt_number)`) when the counter has a printer."""

    chosen = Signal(str)
    reprint_requested = Signal(str)

    def __init__(
        self,
        ops: Ops,
        counter_id: int,
        day: dt.date,
        header: ReceiptHeader,
        parent: QWidget | None = None,
        *,
        counter_code: str = "",
        printing: Printing | None = None,
        user_id: int | None = None,
        width: int = 32,
    ) -> None:
        super().__init__(parent)
        self.ops = ops
        self.counter_id = counter_id
        self.day = day
        self.header = header
        self.printing = printing  # reprints go to the counter's printer (None: not possible)
        self.user_id = user_id
        self.receipt_width = width
        where = f" meja {counter_code}" if counter_code else ""
        self.setWindowTitle(f"Struk hari ini{where} — {day:%d-%m-%Y}")
        self.resize(960, 600)  # fits 1024x768 with the window frame
        self.filter = QLineEdit()
        self.filter.setFont(big_font(14))
        self.filter.setPlaceholderText("Saring: nomor (mis. 7) atau jumlah (mis. 36.337)")
        self.filter.setClearButtonEnabled(True)
        self.model = ReceiptsModel()
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.setTabKeyNavigation(False)
        header_view = self.table.horizontalHeader()
        header_view.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header_view.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.preview = QPlainTextEdit()
        self.preview.setReadOnly(True)
        self.preview.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        mono = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        mono.setStyleHint(QFont.StyleHint.Monospace)
        self.preview.setFont(mono)
        self.preview.setMinimumWidth(self.preview.fontMetrics().horizontalAdvance("M" * 34))
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.open_button = QPushButton("Buka untuk void/retur (Enter)")
        self.reprint_button = QPushButton("Cetak ulang (F5)")
        can_print = printing is not None and printing.enabled
        self.reprint_button.setEnabled(can_print)
        self.reprint_button.setToolTip(
            "Cetak salinan struk yang dipilih (ditandai SALINAN, dicatat)."
            if can_print
            else "Tidak ada printer struk (KASIR_PRINTER / printer di kasir.toml): pratinjau saja."
        )
        QShortcut(QKeySequence("F5"), self, self._reprint)
        close = QPushButton("Kembali (Esc)")
        for button in (self.open_button, self.reprint_button, close):
            button.setAutoDefault(False)
            button.setMinimumHeight(40)
        self.open_button.clicked.connect(self.choose)
        self.reprint_button.clicked.connect(self._reprint)
        close.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.reprint_button)
        buttons.addStretch(1)
        buttons.addWidget(close)
        buttons.addWidget(self.open_button)
        body = QHBoxLayout()
        body.addWidget(self.table, 3)
        body.addWidget(self.preview, 2)
        layout = QVBoxLayout(self)
        layout.addWidget(self.filter)
        layout.addLayout(body, 1)
        layout.addWidget(self.status)
        layout.addLayout(buttons)
        # One query per pause in typing, not per key (a fast typist, a scanned number).
        self._refresh_soon = QTimer(self)
        self._refresh_soon.setSingleShot(True)
        self._refresh_soon.setInterval(120)
        self._refresh_soon.timeout.connect(self.refresh)
        self.filter.installEventFilter(self)
        self.table.installEventFilter(self)
        self.filter.returnPressed.connect(self.choose)
        self.filter.textChanged.connect(lambda _text: self._refresh_soon.start())
        self.table.activated.connect(lambda _index: self.choose())
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._show_current())
        self.asked = ""  # the filter of the list shown (or being read)
        self.shown: SaleView | None = None
        self.refresh()
        self.filter.setFocus()

    # --- the list ----------------------------------------------------------------------------

    def refresh(self) -> None:
        """Read the list for the filter typed; an answer for an older filter is dropped."""
        self._refresh_soon.stop()
        text = self.asked = self.filter.text()
        counter_id, day = self.counter_id, self.day
        op = self.ops.read(lambda s: sale_lookup.list_receipts(s, counter_id, day, text))
        op.success(lambda rows: self._listed(text, rows))
        op.failure(lambda exc: self.status.setText(describe_error(exc))).run()

    def _listed(self, text: str, rows: list[ReceiptRow]) -> None:
        if text != self.asked:
            return
        current = self.current()
        self.model.set_rows(rows)
        row = 0
        if current is not None:
            row = next((i for i, r in enumerate(rows) if r.id == current.id), 0)
        if rows:
            self.table.selectRow(row)
        else:
            self.preview.clear()
            self.shown = None
        count = f"{len(rows)} struk" if text.strip() else f"{len(rows)} struk hari ini"
        self.status.setText(
            f"{count}. ↑/↓ pilih, Enter buka (void/retur), Esc kembali."
            if rows
            else "Tidak ada struk yang cocok."
        )

    def current(self) -> ReceiptRow | None:
        index = self.table.currentIndex()
        if not index.isValid() or index.row() >= self.model.rowCount():
            return None
        return self.model.row_at(index.row())

    def _show_current(self) -> None:
        row = self.current()
        if row is None:
            return
        sale_id = row.id
        op = self.ops.read(lambda s: sale_lookup.sale_view(s, sale_id))
        op.success(self._show).failure(lambda exc: self.status.setText(describe_error(exc)))
        op.run()

    def _show(self, sale: SaleView) -> None:
        row = self.current()
        if row is None or row.id != sale.id:
            return  # moved on meanwhile
        self.shown = sale
        self.preview.setPlainText(render_text(sale, self.header, self.receipt_width))

    # --- keys ----------------------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            if watched is self.filter and event.key() in _MOVE_KEYS:
                self._move(event.key())
                return True
            if watched is self.table and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self.choose()
                return True
        return super().eventFilter(watched, event)

    def _move(self, key: int) -> None:
        count = self.model.rowCount()
        if not count:
            return
        index = self.table.currentIndex()
        row = index.row() if index.isValid() else -1
        page = max(1, self.table.viewport().height() // max(1, self.table.rowHeight(0)) - 1)
        step = {
            Qt.Key.Key_Up: -1,
            Qt.Key.Key_Down: 1,
            Qt.Key.Key_PageUp: -page,
            Qt.Key.Key_PageDown: page,
        }[Qt.Key(key)]
        self.table.selectRow(min(count - 1, max(0, row + step)))

    def choose(self) -> None:
        """Enter: the highlighted receipt goes to the void/refund dialog. A list still being
        read for what was just typed is read first (Enter right after typing `7`)."""
        if self._refresh_soon.isActive() or self.asked != self.filter.text():
            self.refresh()
            # Operations run in order on one worker: this answers after the list.
            self.ops.read(lambda _s: None).success(lambda _none: self.choose()).run()
            return
        row = self.current()
        if row is None:
            self.status.setText("Tidak ada struk yang dipilih.")
            return
        self.accept()
        self.chosen.emit(row.receipt_number)

    def _reprint(self) -> None:
        """F5: a copy of the highlighted receipt, queued for the printer and recorded."""
        row = self.current()
        printing = self.printing
        if row is None:
            self.status.setText("Tidak ada struk yang dipilih.")
            return
        if printing is None or not printing.enabled:
            self.status.setText("Tidak ada printer struk: cetak ulang tidak bisa (pratinjau saja).")
            return
        sale_id, user_id = row.id, self.user_id
        self.reprint_requested.emit(row.receipt_number)
        op = self.ops.write(
            lambda s: printing.queue(s, sale_lookup.sale_view(s, sale_id), user_id, reprint=True)
        )
        op.success(self._reprinted).failure(lambda e: self.status.setText(describe_error(e)))
        op.run()

    def _reprinted(self, queued: object) -> None:
        if self.printing is not None:
            self.printing.wake()
        title = getattr(queued, "title", "Salinan")
        self.status.setText(f"{title} dikirim ke printer.")

"""Tutup shift (Ctrl+F12 on the sale screen): the cashier closes her own shift with a blind count.

Step 1, the count: a grid of the denominations (notes left, coins right), the number of pieces
typed in each; Tab or Enter moves on, the running total is shown, Enter in the last field (or
"Lanjut") goes on. What the drawer should hold is NOT shown before the count is entered.
Step 2, the check: counted, expected and the difference; a reason is asked for when it is not
zero; Enter confirms, Esc goes back to the count. Esc while counting gives up.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFontDatabase, QKeyEvent
from PySide6.QtWidgets import (
    QDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from kasir.domain.cash_count import DENOMINATIONS, CashCount, parse_pieces
from kasir.errors import KasirError
from kasir.gui.dialogs import big_font, fit_height
from kasir.money import format_number, format_rupiah
from kasir.services.shifts import CountCheck


class ShiftCloseDialog(QDialog):
    """`count_entered(CashCount)` when the count is entered (the caller asks the store and calls
    `show_check`); `confirmed(CashCount, reason)` when the check is confirmed."""

    count_entered = Signal(object)
    confirmed = Signal(object, str)

    def __init__(self, parent: QWidget | None, shift_id: int, cashier: str) -> None:
        super().__init__(parent)
        self.setWindowTitle("Tutup shift")
        self.checked: CountCheck | None = None
        self.count: CashCount | None = None
        intro = QLabel(
            f"Tutup shift #{shift_id} ({cashier}). Hitung uang di laci: ketik jumlah lembar / "
            "keping tiap pecahan (kosong = 0). Tab atau Enter: pecahan berikutnya; Enter di "
            "kolom terakhir: lanjut. Esc: batal."
        )
        intro.setWordWrap(True)
        intro.setFont(big_font(12))
        self.fields: list[QLineEdit] = []
        self.amounts: list[QLabel] = []
        grid = QGridLayout()
        grid.setHorizontalSpacing(10)
        grid.setVerticalSpacing(4)
        for title, column in (("Uang kertas", 0), ("Uang logam", 4)):
            head = QLabel(title)
            head.setFont(big_font(12, bold=True))
            grid.addWidget(head, 0, column, 1, 3)
        notes = [i for i, d in enumerate(DENOMINATIONS) if not d.coin]
        coins = [i for i, d in enumerate(DENOMINATIONS) if d.coin]
        for i, d in enumerate(DENOMINATIONS):
            label = QLabel(format_rupiah(d.value))
            label.setFont(big_font(12))
            field = QLineEdit()
            field.setFont(big_font(14))
            field.setMaxLength(7)
            field.setAlignment(Qt.AlignmentFlag.AlignRight)
            field.setFixedWidth(90)
            field.setPlaceholderText("0")
            field.setAccessibleName(d.label)
            amount = QLabel("0")
            amount.setFont(big_font(12))
            amount.setMinimumWidth(110)
            amount.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            row = (notes.index(i) if not d.coin else coins.index(i)) + 1
            column = 4 if d.coin else 0
            grid.addWidget(label, row, column)
            grid.addWidget(field, row, column + 1)
            grid.addWidget(amount, row, column + 2)
            field.textEdited.connect(lambda _t, n=i: self._edited(n))
            field.returnPressed.connect(lambda n=i: self._enter(n))
            self.fields.append(field)
            self.amounts.append(amount)
        grid.setColumnMinimumWidth(3, 30)
        self.total = QLabel()
        self.total.setFont(big_font(16, bold=True))
        self.check = QLabel()  # step 2: the figures, in a fixed-width font
        figures = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        figures.setPointSize(15)
        figures.setBold(True)
        self.check.setFont(figures)
        self.reason_label = QLabel("Alasan selisih (wajib):")
        self.reason_label.setFont(big_font(12))
        self.reason = QLineEdit()
        self.reason.setFont(big_font(14))
        self.reason.setMaxLength(500)
        self.reason.setPlaceholderText("mis. uang receh kurang, salah kembalian")
        self.reason.returnPressed.connect(self._confirm)
        self.hint = QLabel()
        self.hint.setWordWrap(True)
        self.hint.setFont(big_font(12))
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setFont(big_font(12))
        self.error.setStyleSheet("color: #b00020;")
        self.next_button = QPushButton("Lanjut (Enter)")
        self.cancel_button = QPushButton("Batal (Esc)")
        for button in (self.cancel_button, self.next_button):
            button.setAutoDefault(False)
            button.setMinimumHeight(40)
        self.next_button.clicked.connect(self._next)
        self.cancel_button.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.next_button)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(grid)
        layout.addWidget(self.total)
        layout.addWidget(self.check)
        layout.addWidget(self.reason_label)
        layout.addWidget(self.reason)
        layout.addWidget(self.hint)
        layout.addWidget(self.error)
        layout.addLayout(buttons)
        for a, b in zip(self.fields, self.fields[1:], strict=False):
            self.setTabOrder(a, b)
        self.resize(760, 600)
        self._uncheck()
        self._edited(0)

    # --- step 1: the count ----------------------------------------------------------------------

    def texts(self) -> list[str]:
        return [f.text() for f in self.fields]

    def _edited(self, index: int) -> None:
        """The running total (a field that is not a number yet shows "?")."""
        total, bad = 0, False
        for i, (field, d) in enumerate(zip(self.fields, DENOMINATIONS, strict=True)):
            try:
                n = parse_pieces(field.text(), d)
            except KasirError:
                self.amounts[i].setText("?")
                bad = True
                continue
            self.amounts[i].setText(format_number(n * d.value))
            total += n * d.value
        self.total.setText(f"Total dihitung: {format_rupiah(total)}" + (" (?)" if bad else ""))
        self.error.clear()

    def _enter(self, index: int) -> None:
        if index + 1 < len(self.fields):
            self.fields[index + 1].setFocus()
            self.fields[index + 1].selectAll()
        else:
            self._next()

    def _next(self) -> None:
        if self.checked is not None:
            self._confirm()
            return
        try:
            count = CashCount.typed(self.texts())
        except KasirError as exc:
            self.show_error(exc.message)
            return
        self.count = count
        self.error.clear()
        self.count_entered.emit(count)

    def show_error(self, text: str) -> None:
        self.error.setText(text)
        fit_height(self)
        if self.checked is not None and self.reason.isVisible():
            self.reason.setFocus()
            return
        for field, d in zip(self.fields, DENOMINATIONS, strict=True):
            try:
                parse_pieces(field.text(), d)
            except KasirError:
                field.setFocus()
                field.selectAll()
                return

    # --- step 2: the check ----------------------------------------------------------------------

    def show_check(self, check: CountCheck) -> None:
        if self.count is None or check.counted != self.count.total:
            return  # an answer to an earlier count
        self.checked = check
        for field in self.fields:
            field.setReadOnly(True)
        self.check.setText(check.describe())
        self.check.setStyleSheet("" if check.difference == 0 else "color: #b00020;")
        self.check.show()
        needs_reason = check.difference != 0
        self.reason_label.setVisible(needs_reason)
        self.reason.setVisible(needs_reason)
        self.hint.setText(
            ("Tulis alasan selisihnya, lalu Enter: shift ditutup, laporan Z ke printer."
             if needs_reason else "Enter: tutup shift, laporan Z ke printer.")
            + " Esc: kembali ke hitungan."
        )  # fmt: skip
        self.hint.show()
        self.next_button.setText("Tutup shift (Enter)")
        fit_height(self)
        (self.reason if needs_reason else self.next_button).setFocus()

    def _confirm(self) -> None:
        if self.checked is None or self.count is None:
            return
        reason = self.reason.text().strip() if self.reason.isVisible() else ""
        if self.checked.difference != 0 and not reason:
            self.show_error("Ada selisih: tulis alasannya dulu.")
            return
        self.error.clear()
        self.confirmed.emit(self.count, reason)

    def _uncheck(self) -> None:
        self.checked = None
        for field in self.fields:
            field.setReadOnly(False)
        for widget in (self.check, self.reason_label, self.reason, self.hint):
            widget.hide()
        self.reason.clear()
        self.next_button.setText("Lanjut (Enter)")

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if self.checked is not None and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self._confirm()  # Enter on the button or anywhere in the check step
            return
        super().keyPressEvent(event)

    def reject(self) -> None:
        """Esc on the check goes back to the count; Esc while counting gives up."""
        if self.checked is not None:
            self._uncheck()
            self.fields[0].setFocus()
            self.fields[0].selectAll()
            return
        super().reject()

    def scan_kept(self, code: str, restore_text: str) -> None:
        widget = self.focusWidget()
        if isinstance(widget, QLineEdit):
            widget.setText(restore_text)
        self.error.setText(
            f"Pindaian {code} bukan hitungan; disimpan untuk keranjang setelah dialog ditutup."
        )

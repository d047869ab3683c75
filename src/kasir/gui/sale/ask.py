"""A question asked inside a dialog, answered by keyboard: Enter or Y yes, Esc or N back.

Used by the payment dialog before it takes an amount that looks wrong (far more cash than due,
less than due) and before it removes a payment (a non-cash one with a typed reason). Inside the
dialog, not a second window: the keys stay where the cashier is typing, and nothing is hidden
behind another window on a small screen. The owner forwards the keys (`handle_key`) while a
question is open and calls `answer`.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from kasir.gui.dialogs import big_font

YES_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Y)
NO_KEYS = (Qt.Key.Key_Escape, Qt.Key.Key_N)
MIN_REASON = 3
YES_TEXT, NO_TEXT = "Ya (Enter)", "Kembali (Esc)"  # the answers' labels before any question


class AskBar(QFrame):
    """One open question at a time: `ask(text, on_yes, reason=...)`, then `answer(yes)`."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setStyleSheet("AskBar { background: #fff4d6; border: 2px solid #c98a00; }")
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.text.setFont(big_font(14, bold=True))
        self.reason = QLineEdit()
        self.reason.setFont(big_font(14))
        self.reason.setPlaceholderText("Alasan (wajib), lalu Enter")
        self.reason.returnPressed.connect(lambda: self.answer(True))
        self.problem = QLabel()
        self.problem.setStyleSheet("color: #b00020;")
        self.yes = QPushButton(YES_TEXT)
        self.no = QPushButton(NO_TEXT)
        for button in (self.yes, self.no):
            button.setMinimumHeight(44)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.yes.clicked.connect(lambda: self.answer(True))
        self.no.clicked.connect(lambda: self.answer(False))
        row = QHBoxLayout()  # the reason (when asked for) and the answers on one row
        row.addWidget(self.reason, 1)
        row.addStretch(0)
        row.addWidget(self.no)
        row.addWidget(self.yes)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.addWidget(self.text)
        layout.addWidget(self.problem)
        layout.addLayout(row)
        self._on_yes: Callable[[str | None], None] | None = None
        self._on_no: Callable[[], None] | None = None
        self.hide()

    @property
    def open(self) -> bool:
        return self._on_yes is not None

    @property
    def wants_reason(self) -> bool:
        return self.open and self.reason.isVisible()

    def ask(
        self,
        text: str,
        on_yes: Callable[[str | None], None],
        on_no: Callable[[], None],
        *,
        reason: bool = False,
        yes_label: str = "Ya (Enter/Y)",
    ) -> None:
        """Show `text`; `on_yes(reason)` on yes (the typed reason, when one is asked for),
        `on_no()` on back."""
        self._on_yes, self._on_no = on_yes, on_no
        self.text.setText(text)
        self.yes.setText(yes_label if not reason else "Hapus (Enter)")
        self.no.setText("Kembali (Esc)" if reason else "Kembali (Esc/N)")
        self.problem.clear()
        self.problem.hide()
        self.reason.clear()
        self.reason.setVisible(reason)
        self.show()
        if reason:
            self.reason.setFocus()
        QApplication.beep()

    def reset(self) -> None:
        """Closed and as built: no question, reason or problem left, and the question's
        callbacks dropped (not answered). For a dialog used again (the payment dialog)."""
        self._on_yes = self._on_no = None
        self.text.setText("")
        self.problem.setText("")
        self.reason.setText("")  # setText, not clear(): no undo history left
        self.yes.setText(YES_TEXT)
        self.no.setText(NO_TEXT)
        for widget in (self.problem, self.reason):
            widget.setVisible(True)  # as built (inside the hidden bar); ask() sets them
        self.hide()

    def answer(self, yes: bool) -> None:
        if not self.open:
            return
        typed: str | None = None
        if yes and self.reason.isVisible():
            typed = " ".join(self.reason.text().split())
            if len(typed) < MIN_REASON:
                self.problem.setText("Ketik alasannya dulu (minimal 3 huruf).")
                self.problem.show()
                self.reason.setFocus()
                return
        on_yes, on_no = self._on_yes, self._on_no
        self._on_yes = self._on_no = None
        self.hide()
        if yes and on_yes is not None:
            on_yes(typed)
        elif not yes and on_no is not None:
            on_no()

    def handle_key(self, event: QKeyEvent) -> bool:
        """A key typed while the question is open (in a field of the owner): True when it
        answered it. Typing a reason takes every key but Enter and Esc."""
        key = event.key()
        if self.wants_reason:
            if key == Qt.Key.Key_Escape:
                self.answer(False)
                return True
            return False
        if key in YES_KEYS and not event.modifiers() & Qt.KeyboardModifier.AltModifier:
            self.answer(True)
            return True
        if key in NO_KEYS:
            self.answer(False)
            return True
        return False

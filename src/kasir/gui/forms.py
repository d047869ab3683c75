"""A keyboard-first form dialog for the manager's screens (users, first administrator).

Labelled fields in a column, an error line, OK and Batal. Enter moves to the next field and,
in the last one, submits: `check()` (a subclass's local checks, e.g. the PIN typed twice) then
`submitted`. The caller runs the service through `Ops` and closes the dialog (`succeeded`) or
says why not (`show_error`: the service's message; the PIN fields are emptied). The acting
manager's own username and PIN (`add_actor`) come last, the username filled in.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from kasir.errors import KasirError, ValidationError
from kasir.gui.display import big_font
from kasir.services.auth import PIN_MAX, Approval

_ENTER = (Qt.Key.Key_Return, Qt.Key.Key_Enter)


class FormDialog(QDialog):
    submitted = Signal()

    def __init__(self, parent: QWidget | None, title: str, intro: str = "") -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.fields: list[QWidget] = []
        self.secret: list[QLineEdit] = []  # emptied after a refusal
        self.actor_user: QLineEdit | None = None
        self.actor_pin: QLineEdit | None = None
        self.working = False  # submitted, the service's answer not in yet
        heading = QLabel(title)
        heading.setFont(big_font(16, bold=True))
        self.intro = QLabel(intro)
        self.intro.setWordWrap(True)
        self.intro.setFont(big_font(12))
        self.intro.setVisible(bool(intro))
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #b00020;")
        self.error.setFont(big_font(12))
        self.ok = QPushButton("OK (Enter)")
        self.cancel = QPushButton("Batal (Esc)")
        for button in (self.cancel, self.ok):
            button.setAutoDefault(False)
            button.setMinimumHeight(40)
        self.ok.clicked.connect(self.submit)
        self.cancel.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.cancel)
        buttons.addWidget(self.ok)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(self.intro)
        layout.addLayout(self.form)
        layout.addWidget(self.error)
        layout.addStretch(1)
        layout.addLayout(buttons)
        self.setMinimumWidth(520)

    # --- building -------------------------------------------------------------------------

    def add_line(
        self, label: str, text: str = "", *, pin: bool = False, placeholder: str = ""
    ) -> QLineEdit:
        edit = QLineEdit(text)
        edit.setFont(big_font(14))
        edit.setPlaceholderText(placeholder)
        if pin:
            edit.setEchoMode(QLineEdit.EchoMode.Password)
            edit.setMaxLength(PIN_MAX)
            self.secret.append(edit)
        self._add(label, edit)
        return edit

    def add_choice(self, label: str, choices: list[tuple[str, str]]) -> QComboBox:
        combo = QComboBox()
        combo.setFont(big_font(14))
        for value, text in choices:
            combo.addItem(text, value)
        self._add(label, combo)
        return combo

    def add_actor(self, username: str, what: str = "Disetujui oleh") -> None:
        """The acting manager's or administrator's own username (filled in) and PIN."""
        line = QFrame()
        line.setFrameShape(QFrame.Shape.HLine)
        self.form.addRow(line)
        note = QLabel(f"{what}: nama pengguna dan PIN Anda (manajer atau administrator).")
        note.setWordWrap(True)
        self.form.addRow(note)
        self.actor_user = self.add_line("Nama pengguna Anda", username)
        self.actor_pin = self.add_line("PIN Anda", pin=True)

    def _add(self, label: str, widget: QWidget) -> None:
        caption = QLabel(label)
        caption.setFont(big_font(12))
        self.form.addRow(caption, widget)
        self.fields.append(widget)

    def showEvent(self, event: object) -> None:
        super().showEvent(event)  # type: ignore[arg-type]
        first = next((f for f in self.fields if isinstance(f, QLineEdit) and not f.text()), None)
        (first or (self.fields[0] if self.fields else self.ok)).setFocus()

    # --- keys -----------------------------------------------------------------------------

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in _ENTER:
            self.enter()
            return
        super().keyPressEvent(event)

    def enter(self) -> None:
        """Enter: the next field, or (in the last one) submit."""
        focus = self.focusWidget()
        if isinstance(focus, QPushButton):
            focus.click()
            return
        if focus in self.fields:
            i = self.fields.index(focus)
            if i + 1 < len(self.fields):
                self.fields[i + 1].setFocus()
                return
        self.submit()

    # --- submitting -----------------------------------------------------------------------

    def check(self) -> None:
        """Local checks before the service is asked (raise ValidationError)."""

    def actor(self) -> Approval:
        assert self.actor_user is not None and self.actor_pin is not None
        username = self.actor_user.text().strip()
        if not username:
            self.actor_user.setFocus()
            raise ValidationError("Ketik nama pengguna Anda (manajer atau administrator).")
        if not self.actor_pin.text():
            self.actor_pin.setFocus()
            raise ValidationError("Ketik PIN Anda.")
        return Approval(pin=self.actor_pin.text(), username=username)

    def submit(self) -> None:
        if self.working:
            return
        try:
            self.check()
            if self.actor_user is not None:
                self.actor()
        except KasirError as exc:
            self.error.setText(exc.message)
            return
        self.error.clear()
        self.working = True
        self.submitted.emit()

    def show_error(self, message: str, *, actor_only: bool = False) -> None:
        """The service refused: say why; the PINs are typed again (`actor_only`: the acting
        user's PIN was refused, only that one)."""
        self.working = False
        self.error.setText(message)
        if actor_only and self.actor_pin is not None:
            self.actor_pin.clear()
            self.actor_pin.setFocus()
            return
        for edit in self.secret:
            edit.clear()
        (self.secret[0] if self.secret else self.fields[0]).setFocus()

    def succeeded(self) -> None:
        self.working = False
        self.error.clear()
        self.accept()


def check_new_pin(pin: QLineEdit, again: QLineEdit) -> None:
    """The new PIN typed twice alike (its shape is the service's to check)."""
    if not pin.text():
        pin.setFocus()
        raise ValidationError("Ketik PIN baru (paling sedikit 6 angka).")
    if pin.text() != again.text():
        pin.clear()
        again.clear()
        pin.setFocus()
        raise ValidationError("PIN baru dan ulangannya tidak sama; ketik keduanya lagi.")

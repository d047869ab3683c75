"""Tutup hari (PNBP): the day-close wizard for managers, from Pengelolaan (F4).

One page per step of `kasir.flows.dayclose` (the steps and their messages live there, tested
without Qt); every step runs on the `Ops` worker and the page shows the state it returns. While
the PDF is built the progress bar follows the renderer (its callback, on the worker, is relayed
by a signal); the preview shows the first page as an image (`preview.first_page`).

Keys: Enter does the page's action, F5 checks the day again, Esc steps back (or closes the
wizard where there is no way back), F10 closes it.
"""

from __future__ import annotations

import contextlib
import dataclasses
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QImage, QKeyEvent, QPixmap
from PySide6.QtWidgets import (
    QDateEdit,
    QDialog,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from kasir.flows.dayclose import DayCloseState, DayCloseWizard, Progress, Step
from kasir.gui.dayclose.deposit import DepositPage, pydate, qdate
from kasir.gui.dayclose.preview import first_page
from kasir.gui.dialogs import fit_height
from kasir.gui.display import big_font
from kasir.gui.ops import Ops, describe_error
from kasir.services.auth import PIN_MAX, UserView

PREVIEW_HEIGHT = 470  # pixels of the first page shown (fits 1024x768 with the rest)
_ENTER = (Qt.Key.Key_Return, Qt.Key.Key_Enter)
PAGES = (Step.DATE, Step.CHECK, Step.PREVIEW, Step.CONFIRM, Step.EXPORT, Step.DEPOSIT)


class _Progress(QObject):
    """The renderer's progress(done, total), emitted on the worker, queued to the GUI."""

    step = Signal(int, int)


class DayCloseDialog(QDialog):
    def __init__(
        self,
        ops: Ops,
        user: UserView,
        parent: QWidget | None = None,
        *,
        wizard: DayCloseWizard | None = None,
    ) -> None:
        super().__init__(parent)
        self.ops = ops
        self.user = user
        self._temp = tempfile.TemporaryDirectory(prefix="kasir-dayclose-")
        self.wizard = wizard or DayCloseWizard(work_dir=Path(self._temp.name))
        self.state = self.wizard.start()
        self.working = False  # a step is running on the worker
        self.image: QImage | None = None  # the preview's first page
        self.relay = _Progress(self)
        self.relay.step.connect(self._progress)
        self.setWindowTitle("Kasir — Tutup hari (PNBP)")

        self.title = QLabel()
        self.title.setFont(big_font(16, bold=True))
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #b00020;")
        self.error.setFont(big_font(12, bold=True))
        self.notice = QLabel()
        self.notice.setWordWrap(True)
        self.notice.setStyleSheet("color: #1b5e20;")
        self.notice.setFont(big_font(12))
        self.progress = QProgressBar()
        self.progress.hide()
        self.stack = QStackedWidget()
        self.pages: dict[Step, QWidget] = {}
        for step, build in (
            (Step.DATE, self._date_page),
            (Step.CHECK, self._check_page),
            (Step.PREVIEW, self._preview_page),
            (Step.CONFIRM, self._confirm_page),
            (Step.EXPORT, self._export_page),
            (Step.DEPOSIT, self._deposit_page),
        ):
            page = build()
            self.pages[step] = page
            self.stack.addWidget(page)
        self.action = QPushButton()
        self.back_button = QPushButton("Kembali (Esc)")
        close = QPushButton("Tutup (F10)")
        buttons = QHBoxLayout()
        buttons.addWidget(close)
        buttons.addStretch(1)
        for button in (close, self.back_button, self.action):
            button.setAutoDefault(False)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.setMinimumHeight(44)
            button.setFont(big_font(12))
        buttons.addWidget(self.back_button)
        buttons.addWidget(self.action)
        self.action.clicked.connect(self.act)
        self.back_button.clicked.connect(self.back)
        close.clicked.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.stack, 1)
        layout.addWidget(self.progress)
        layout.addWidget(self.error)
        layout.addWidget(self.notice)
        layout.addLayout(buttons)
        self.resize(1000, 720)
        self.show_state(self.state)
        fit_height(self)

    # --- the pages ------------------------------------------------------------------------

    def _date_page(self) -> QWidget:
        page = QWidget()
        self.date = QDateEdit(qdate(self.state.day))
        self.date.setDisplayFormat("dd-MM-yyyy")
        self.date.setCalendarPopup(True)
        self.date.setFont(big_font(14))
        intro = QLabel(
            "Tanggal usaha yang ditutup (bawaan: hari ini). Setelah ditutup tidak ada lagi "
            "penjualan, void atau perubahan untuk tanggal itu, dan laporannya mendapat nomor."
        )
        intro.setWordWrap(True)
        form = QFormLayout(page)
        form.addRow(intro)
        form.addRow("Tanggal", self.date)
        return page

    def _check_page(self) -> QWidget:
        page = QWidget()
        self.headline = QLabel()
        self.headline.setFont(big_font(13, bold=True))
        self.headline.setWordWrap(True)
        self.blocking = QLabel()
        self.blocking.setWordWrap(True)
        self.blocking.setStyleSheet("color: #b00020;")
        self.blocking.setFont(big_font(12))
        self.blocking.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.summary = QGridLayout()
        self.summary.setColumnStretch(2, 1)
        layout = QVBoxLayout(page)
        layout.addWidget(self.headline)
        layout.addWidget(self.blocking)
        layout.addLayout(self.summary)
        layout.addStretch(1)
        return page

    def _preview_page(self) -> QWidget:
        page = QWidget()
        self.image_label = QLabel("Pratinjau sedang dibuat…")
        self.image_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.image_label.setMinimumHeight(PREVIEW_HEIGHT)
        self.image_label.setStyleSheet("background: #9e9e9e;")
        self.preview_info = QLabel()
        self.preview_info.setWordWrap(True)
        self.preview_info.setFont(big_font(12))
        self.preview_info.setAlignment(Qt.AlignmentFlag.AlignTop)
        layout = QHBoxLayout(page)
        layout.addWidget(self.image_label, 3)
        layout.addWidget(self.preview_info, 2)
        return page

    def _confirm_page(self) -> QWidget:
        page = QWidget()
        intro = QLabel(
            "Menutup hari mengunci tanggal ini dan membekukan angka laporannya. Masukkan "
            "nama pengguna dan PIN manajer."
        )
        intro.setWordWrap(True)
        self.username = QLineEdit(self.user.username)
        self.pin = QLineEdit()
        self.pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin.setMaxLength(PIN_MAX)
        form = QFormLayout(page)
        form.addRow(intro)
        form.addRow("Nama pengguna manajer", self.username)
        form.addRow("PIN", self.pin)
        return page

    def _export_page(self) -> QWidget:
        page = QWidget()
        self.folder = QLineEdit(str(self.state.folder))
        self.export_info = QLabel()
        self.export_info.setWordWrap(True)
        form = QFormLayout(page)
        form.addRow(self.export_info)
        form.addRow("Folder laporan", self.folder)
        return page

    def _deposit_page(self) -> QWidget:
        self.deposit = DepositPage(self.user.username)
        return self.deposit

    # --- showing a state ------------------------------------------------------------------

    def show_state(self, state: DayCloseState) -> None:
        self.state = state
        self.working = False
        step = state.step
        if step is Step.DONE:
            self.accept()
            return
        self.title.setText(f"Tutup hari (PNBP) — {state.title}")
        self.error.setText(state.error)
        self.error.setVisible(bool(state.error))
        self.notice.setText(state.notice)
        self.notice.setVisible(bool(state.notice))
        self.stack.setCurrentWidget(self.pages[step])
        if step not in (Step.PREVIEW, Step.DEPOSIT):  # where a PDF was just made: its pages
            self.progress.hide()
        label = {
            Step.DATE: "Periksa hari (Enter)",
            Step.CHECK: "Lanjut: pratinjau (Enter)",
            Step.PREVIEW: "Lanjut (Enter)" if state.closed else "Lanjut: tutup hari (Enter)",
            Step.CONFIRM: "Tutup hari (Enter)",
            Step.EXPORT: "Simpan PDF (Enter)",
            Step.DEPOSIT: "Simpan setoran (Enter)",
        }[step]
        self.action.setText(label)
        self.action.setEnabled(True)
        self.back_button.setText(
            "Batal (Esc)"
            if step is Step.DATE
            else "Selesai (Esc)"
            if step in (Step.EXPORT, Step.DEPOSIT)
            else "Kembali (Esc)"
        )
        if step is Step.CHECK:
            self._show_check(state)
        elif step is Step.PREVIEW:
            self._show_preview(state)
        elif step is Step.CONFIRM:
            self.pin.clear()
        elif step is Step.EXPORT:
            self.export_info.setText(
                f"{state.headline()} Laporan final disimpan sebagai PDF di folder ini."
            )
        elif step is Step.DEPOSIT and state.figures is not None:
            self.deposit.fill(state.figures, self.wizard.today())
        self._focus(step)

    def _show_check(self, state: DayCloseState) -> None:
        self.headline.setText(state.headline())
        lines = state.blocking_lines()
        self.blocking.setText(
            "Shift yang masih terbuka (tutup dulu di mejanya, lalu F5 periksa lagi):\n"
            + "\n".join(lines)
            if lines
            else ""
        )
        self.blocking.setVisible(bool(lines))
        self.action.setEnabled(state.can_go_on)
        while self.summary.count():
            item = self.summary.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        for row, (label, amount) in enumerate(state.summary()):
            name = QLabel(label)
            value = QLabel(amount)
            value.setAlignment(Qt.AlignmentFlag.AlignRight)
            bold = label in ("Penerimaan bersih", "PNBP terutang")
            for widget in (name, value):
                widget.setFont(big_font(12, bold=bold))
            self.summary.addWidget(name, row, 0)
            self.summary.addWidget(value, row, 1)

    def _show_preview(self, state: DayCloseState) -> None:
        if self.image is None:
            self.image_label.setPixmap(QPixmap())
            self.image_label.setText("Pratinjau halaman pertama tidak tersedia.")
        else:
            height = min(self.image.height(), max(PREVIEW_HEIGHT, self.image_label.height() - 12))
            pixmap = QPixmap.fromImage(self.image)
            self.image_label.setPixmap(
                pixmap.scaledToHeight(height, Qt.TransformationMode.SmoothTransformation)
            )
        kind = "final" if state.closed else "DRAF (belum ditutup)"
        self.preview_info.setText(
            f"Laporan {kind}, {state.pages} halaman.\n\n{state.headline()}\n\n"
            f"Berkas pratinjau:\n{state.preview}"
        )

    def _focus(self, step: Step) -> None:
        target: QWidget = {
            Step.DATE: self.date,
            Step.CONFIRM: self.pin if self.username.text() else self.username,
            Step.EXPORT: self.folder,
            Step.DEPOSIT: self.deposit.billing,
        }.get(step, self.stack)
        target.setFocus()

    # --- the actions ----------------------------------------------------------------------

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if key in _ENTER:
            if not self._next_field():
                self.act()
            return
        if key == Qt.Key.Key_Escape:
            self.back()
            return
        if key == Qt.Key.Key_F5 and self.state.step is Step.CHECK:
            self._run_read(lambda s: self.wizard.recheck(s, self.state))
            return
        if key == Qt.Key.Key_F10:
            self.reject()
            return
        super().keyPressEvent(event)

    def _next_field(self) -> bool:
        """Enter in a field that is not the page's last moves to the next one."""
        fields: list[QWidget] = []
        if self.state.step is Step.CONFIRM:
            fields = [self.username, self.pin]
        elif self.state.step is Step.DEPOSIT:
            fields = self.deposit.fields
        focus: QWidget | None = self.focusWidget()
        if focus is not None and focus.parentWidget() in fields:  # a QDateEdit's line edit
            focus = focus.parentWidget()
        if focus is not None and focus in fields[:-1]:
            fields[fields.index(focus) + 1].setFocus()
            return True
        return False

    def act(self) -> None:
        if self.working or not self.action.isEnabled():
            return
        state, wizard = self.state, self.wizard
        step = state.step
        if step is Step.DATE:
            day = pydate(self.date)
            self._run_read(lambda s: wizard.choose(s, state, day))
        elif step is Step.CHECK:
            self._render(lambda progress: wizard.preview(state, progress), preview=True)
        elif step is Step.PREVIEW:
            self.show_state(wizard.to_confirm(state))
        elif step is Step.CONFIRM:
            username, pin = self.username.text(), self.pin.text()
            self._start()
            op = self.ops.write(lambda s: wizard.close(s, state, username, pin))
            op.success(self.show_state).failure(self._failed).run()
        elif step is Step.EXPORT:
            folder = Path(self.folder.text().strip() or str(state.folder))
            self._render(lambda progress: wizard.export(state, folder, progress))
        elif step is Step.DEPOSIT:
            self._deposit()

    def _deposit(self) -> None:
        state, wizard = self.state, self.wizard
        page = self.deposit
        billing, ntpn, amount = page.billing.text(), page.ntpn.text(), page.amount.text()
        paid_on = pydate(page.date)
        username, pin = page.user.text(), page.pin.text()
        folder = state.folder

        def recorded(after: DayCloseState) -> None:
            if after.step is not Step.EXPORT:  # refused: stays on the deposit page
                self.show_state(after)
                return
            self._render(
                lambda progress: wizard.export(after, folder, progress), notice=after.notice
            )

        self._start()

        def record(session: Session) -> DayCloseState:
            return wizard.deposit(session, state, username, pin, kode_billing=billing,
                                  ntpn=ntpn, deposit_date=paid_on, amount=amount)  # fmt: skip

        op = self.ops.write(record)
        op.success(recorded).failure(self._failed).run()

    def back(self) -> None:
        if self.working:
            return
        step = self.state.step
        if step in (Step.EXPORT, Step.DEPOSIT):  # the day is closed: done (export again later)
            self.accept()
            return
        after = self.wizard.back(self.state)
        if after.error:  # the first step: nothing done, the wizard closes
            self.reject()
            return
        self.show_state(after)

    def _start(self) -> None:
        self.working = True
        self.action.setEnabled(False)
        self.error.hide()

    def _run_read(self, fn: Callable[[Any], DayCloseState]) -> None:
        self._start()
        self.ops.read(fn).success(self.show_state).failure(self._failed).run()

    def _render(
        self,
        fn: Callable[[Progress], DayCloseState],
        *,
        preview: bool = False,
        notice: str = "",
    ) -> None:
        """A step that builds a PDF, on the worker; the progress bar follows it."""
        self._start()
        self.progress.setRange(0, 0)  # busy until the renderer says how much there is
        self.progress.setFormat("Membuat PDF… %p%")
        self.progress.show()
        emit = self.relay.step.emit

        def relay(done: int, total: int) -> None:
            with contextlib.suppress(RuntimeError):  # the dialog is gone (the app quit)
                emit(done, total)

        def work(_session: object) -> tuple[DayCloseState, QImage | None]:
            after = fn(relay)
            image = None
            if preview and after.preview is not None and not after.error:
                image = first_page(after.preview)
            return after, image

        def done(result: tuple[DayCloseState, QImage | None]) -> None:
            after, image = result
            if after.error:
                self.progress.hide()
            else:
                self.progress.setRange(0, 1)
                self.progress.setValue(1)
                self.progress.setFormat(f"PDF selesai: {after.pages} halaman")
            if preview:
                self.image = image
            if notice and not after.error:
                after = dataclasses.replace(after, notice=f"{notice} {after.notice}")
            self.show_state(after)

        self.ops.read(work).success(done).failure(self._failed).run()

    def _progress(self, done: int, total: int) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)

    def _failed(self, exc: BaseException) -> None:
        """An environment problem or a bug (refusals come back in the state): said here, the
        banner or the crash dialog is the Ops' own."""
        self.progress.hide()
        self.working = False
        self.action.setEnabled(True)
        self.error.setText(describe_error(exc))
        self.error.show()

    def done(self, result: int) -> None:
        if self.working:  # a step runs on the worker: its answer comes back here first
            return
        super().done(result)
        self._temp.cleanup()

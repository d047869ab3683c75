"""The day-close wizard's deposit page: the SIMPONI deposit data of a closed day and the
manager's username and PIN. Enter moves down the fields (the wizard submits in the last)."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate
from PySide6.QtWidgets import QDateEdit, QFormLayout, QLabel, QLineEdit, QWidget

from kasir.domain.settlement import DayFigures
from kasir.money import format_rupiah
from kasir.services.auth import PIN_MAX


def qdate(day: dt.date) -> QDate:
    return QDate(day.year, day.month, day.day)


def pydate(edit: QDateEdit) -> dt.date:
    value = edit.date().toPython()
    assert isinstance(value, dt.date)
    return value


class DepositPage(QWidget):
    def __init__(self, username: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        intro = QLabel(
            "Data setoran SIMPONI boleh diisi nanti (buka lagi Tutup hari untuk tanggal ini). "
            "Setelah disimpan, laporan PDF dibuat lagi dengan data setorannya."
        )
        intro.setWordWrap(True)
        self.billing = QLineEdit()
        self.billing.setMaxLength(15)
        self.ntpn = QLineEdit()
        self.ntpn.setMaxLength(16)
        self.date = QDateEdit()
        self.date.setDisplayFormat("dd-MM-yyyy")
        self.amount = QLineEdit()
        self.user = QLineEdit(username)
        self.pin = QLineEdit()
        self.pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin.setMaxLength(PIN_MAX)
        self.fields: list[QWidget] = [
            self.billing, self.ntpn, self.date, self.amount, self.user, self.pin,
        ]  # fmt: skip
        form = QFormLayout(self)
        form.addRow(intro)
        for label, field in zip(
            ("Kode billing (15 angka)", "NTPN (16 karakter)", "Tanggal setor",
             "Jumlah disetor", "Nama pengguna", "PIN"),
            self.fields,
            strict=True,
        ):  # fmt: skip
            form.addRow(label, field)

    def fill(self, figures: DayFigures, today: dt.date) -> None:
        """The first time the page is shown: the PNBP due and today, or the deposit recorded
        earlier (shown, may be corrected)."""
        self.pin.clear()
        if self.amount.text():
            return
        deposit = figures.deposit
        if deposit is None:
            self.amount.setText(format_rupiah(figures.totals.pnbp))
            self.date.setDate(qdate(today))
            return
        self.billing.setText(deposit.kode_billing)
        self.ntpn.setText(deposit.ntpn)
        self.date.setDate(qdate(deposit.deposit_date))
        self.amount.setText(format_rupiah(deposit.amount))

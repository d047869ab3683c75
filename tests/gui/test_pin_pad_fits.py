"""The supervisor's PIN pad is never squeezed by the wrapped labels above it (seen at 1024x768
under a real window manager: its last row, 0 and OK, out of sight)."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from kasir.gui.dialogs import PinPad, SupervisorDialog

REASON = (
    "Diskon 50% untuk Makaroni Keju 250 g = Rp 18.000 dari Rp 36.000 memerlukan persetujuan "
    "supervisor (nama pengguna dan PIN)."
)


def unsqueezed(dialog: SupervisorDialog) -> bool:
    pad = dialog.findChild(PinPad)
    assert pad is not None
    return pad.height() >= pad.minimumSizeHint().height()


def test_the_pin_pad_keeps_its_height_with_long_texts(qtbot: QtBot) -> None:
    dialog = SupervisorDialog(
        None, REASON, retry=True, action="Diskon 50% untuk Makaroni Keju 250 g = Rp 18.000"
    )
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert unsqueezed(dialog)
    dialog.show_error(
        "PIN spv1 salah. Sisa 4 kali lagi sebelum spv1 dikunci. Diskon 50% untuk Makaroni "
        "Keju 250 g = Rp 18.000 dari Rp 36.000 tidak disetujui. Ketik PIN lagi (Esc: batal)."
    )
    qtbot.wait(10)
    assert unsqueezed(dialog)

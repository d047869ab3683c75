"""How the windows use the screen: one font scale for every screen, and the window mode.

Both come from the store's settings (`font_scale_pct`, `window_mode`), read when Kasir starts.
The application font is `BASE_POINTS` at 100%; every larger font of the screens (`big_font`)
is scaled by the same factor, so the dialogs are never smaller than the sale screen.
"""

from __future__ import annotations

from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication, QWidget

BASE_POINTS = 11.0  # the application font at 100%
WINDOW_MODES = ("maximized", "fullscreen", "normal")
NORMAL_SIZE = (1024, 700)  # the "normal" window: fits the smallest supported screen

_scale = 1.0


def font_scale() -> float:
    return _scale


def apply_font_scale(percent: int) -> None:
    """The application font at `percent` % (every widget without a font of its own); the
    fonts made by `big_font` afterwards scale with it."""
    global _scale
    _scale = max(50, min(300, int(percent))) / 100
    app = QApplication.instance()
    if isinstance(app, QApplication):
        font = app.font()
        font.setPointSizeF(BASE_POINTS * _scale)
        app.setFont(font)


def big_font(points: float = 16, bold: bool = False) -> QFont:
    """A font of `points` at 100%, scaled like the application font."""
    font = QFont()
    font.setPointSizeF(points * _scale)
    font.setBold(bold)
    return font


def show_window(window: QWidget, mode: str) -> None:
    """Show the main window as the setting says: maximised (default), full screen (a kiosk),
    or a normal window of the smallest supported size."""
    if mode == "fullscreen":
        window.showFullScreen()
    elif mode == "normal":
        window.resize(*NORMAL_SIZE)
        window.showNormal()
    else:
        window.showMaximized()

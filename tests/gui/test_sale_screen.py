"""The sale screen driven as a cashier does: a scanner (digits + Enter), function keys, dialogs.

Barcodes are from the demo catalog (resources/demo/products.csv).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot
from sqlalchemy import text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from kasir.gui.app import CounterApp
from kasir.gui.dialogs import DiscountDialog, QuantityDialog, SupervisorDialog
from kasir.gui.sale.parked import ParkedDialog
from kasir.gui.sale.payment import PaymentDialog
from kasir.gui.sale.screen import SaleScreen
from kasir.gui.sale.search import SearchDialog
from kasir.services import checkout as checkout_service
from kasir.services import sale_lookup

WAIT_MS = 3000
MAKARONI = "2000000100012"  # Makaroni Keju 250 g, Rp 18.000
PEDAS = "2000000100029"  # Makaroni Keju Pedas 250 g, Rp 18.000
BALADO = "2000000100036"  # Makaroni Balado 150 g, Rp 12.000
KERIPIK = "2000000100043"  # Keripik Bawang 250 g, Rp 20.000
NASTAR = "2000000100081"  # Nastar Keju 500 g, Rp 85.000
UNKNOWN = "2000000999999"  # a valid EAN-13 that is not in the catalog
BAD_CHECK_DIGIT = "2000000100013"  # MAKARONI with the last digit wrong

Scan = Callable[[str], None]
Press = Callable[..., object]
TypeInto = Callable[..., None]


def cart_rows(screen: SaleScreen) -> list[tuple[str, ...]]:
    model = screen.model
    return [
        tuple(model.index(r, c).data() for c in range(model.columnCount()))
        for r in range(model.rowCount())
    ]


def wait_scan_focus(qtbot: QtBot, screen: SaleScreen) -> None:
    qtbot.waitUntil(lambda: QApplication.focusWidget() is screen.scan, timeout=WAIT_MS)


def confirm_cancel(qtbot: QtBot, screen: SaleScreen) -> None:
    """Esc asked "Batalkan transaksi?": Enter says yes."""
    box = screen.dialog
    assert isinstance(box, QMessageBox) and box.windowTitle() == "Batalkan transaksi?"
    qtbot.keyClick(box, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: screen.dialog is None, timeout=WAIT_MS)
    assert screen.ops.wait_idle(WAIT_MS)


def count(factory: sessionmaker[Session], sql: str) -> int:
    with factory() as s:
        return int(s.scalar(text(sql)) or 0)


# --- the whole sale by keyboard -------------------------------------------------------------------


def test_keyboard_only_sale_from_a_fresh_store(
    qtbot: QtBot, counter_app: CounterApp, demo_sqlite: sessionmaker[Session]
) -> None:
    """README walk-through: kasir1, PIN, float, three products, F9, Enter. No mouse."""
    login = counter_app.login
    qtbot.keyClicks(login.user.lineEdit(), "kasir1")
    qtbot.keyClick(login.user.lineEdit(), Qt.Key.Key_Return)
    qtbot.keyClicks(login.pin, "1111")
    qtbot.keyClick(login.pin, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: counter_app.shift_dialog is not None, timeout=WAIT_MS)
    shift = counter_app.shift_dialog
    qtbot.keyClicks(shift.edit, "200.000")  # the "0" there is selected: typing replaces it
    qtbot.keyClick(shift.edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: counter_app.sale_screen is not None, timeout=WAIT_MS)
    assert counter_app.shift is not None and counter_app.shift.opening_float == 200_000
    screen = counter_app.sale_screen
    wait_scan_focus(qtbot, screen)

    for code in (MAKARONI, BALADO, NASTAR):
        qtbot.keyClicks(screen.scan, code)
        qtbot.keyClick(screen.scan, Qt.Key.Key_Return)
    assert [r[:2] for r in cart_rows(screen)] == [
        ("Makaroni Keju 250 g", "1"),
        ("Makaroni Balado 150 g", "1"),
        ("Nastar Keju 500 g", "1"),
    ]
    assert screen.total_label.text() == "Rp 115.000"
    assert screen.scan.text() == ""

    qtbot.keyClick(screen.scan, Qt.Key.Key_F9)
    dialog = screen.dialog
    assert isinstance(dialog, PaymentDialog)
    assert dialog.amount.text() == "115.000", "prefilled with what is due, in cash"
    qtbot.waitUntil(dialog.amount.hasFocus, timeout=WAIT_MS)
    qtbot.keyClick(dialog.amount, Qt.Key.Key_Return)

    assert screen.dialog is None and not dialog.isVisible()
    sale = screen.last_sale
    assert sale is not None
    with demo_sqlite() as s:
        stored = sale_lookup.get_sale(s, sale.receipt_number)
    assert stored.status == "completed" and stored.kind == "sale"
    assert stored.total == 115_000
    assert [(ln.name, ln.qty) for ln in stored.lines] == [
        ("Makaroni Keju 250 g", 1),
        ("Makaroni Balado 150 g", 1),
        ("Nastar Keju 500 g", 1),
    ]
    assert [(p.method, p.amount, p.change) for p in stored.payments] == [("tunai", 115_000, 0)]
    assert count(demo_sqlite, "SELECT count(*) FROM sale") == 1
    assert sale.receipt_number in screen.receipt.toPlainText()
    assert sale.receipt_number in screen.message.text()
    assert screen.model.rowCount() == 0
    assert screen.total_label.text() == "Rp 0"
    wait_scan_focus(qtbot, screen)
    assert "Hari ini: 1 penjualan, Rp 115.000" in [
        label.text() for label in counter_app.window.status_labels
    ]


def test_same_item_twice_is_one_line_with_qty_2(screen: SaleScreen, scan: Scan) -> None:
    scan(MAKARONI)
    scan(PEDAS)
    scan(MAKARONI)
    assert cart_rows(screen) == [
        ("Makaroni Keju 250 g", "2", "18.000", "", "36.000"),
        ("Makaroni Keju Pedas 250 g", "1", "18.000", "", "18.000"),
    ]
    assert screen.view is not None and screen.view.last_index == 0
    # The last scanned line is highlighted by the model (not the selection, whose colour would
    # hide it); F4/F6/Del act on it unless the cashier touched another row.
    assert screen.table.selectionModel().selectedRows() == []
    assert screen.selected_index() == 0
    highlighted = screen.model.index(0, 0).data(Qt.ItemDataRole.BackgroundRole)
    assert highlighted is not None
    assert screen.model.index(1, 0).data(Qt.ItemDataRole.BackgroundRole) is None
    assert screen.message.text() == "2 x Makaroni Keju 250 g  Rp 36.000"
    assert screen.detail_label.text() == "3 barang · 2 baris"


def test_quantity_prefix_and_sku(screen: SaleScreen, scan: Scan) -> None:
    scan(f"3*{KERIPIK}")
    scan("kul-0001")  # an SKU typed by hand
    assert [r[:2] for r in cart_rows(screen)] == [
        ("Keripik Bawang 250 g", "3"),
        ("Makaroni Keju 250 g", "1"),
    ]


# --- scanning problems ----------------------------------------------------------------------------


def test_unknown_barcode_keeps_the_cart(screen: SaleScreen, scan: Scan) -> None:
    scan(MAKARONI)
    before = cart_rows(screen)
    scan(UNKNOWN)
    assert screen.message.text() == f"Barang dengan kode {UNKNOWN} tidak terdaftar."
    assert "b00020" in screen.message.styleSheet(), "shown as an error"
    assert cart_rows(screen) == before
    assert screen.scan.text() == "" and screen.dialog is None
    scan(PEDAS)
    assert len(cart_rows(screen)) == 2


def test_wrong_check_digit_asks_to_scan_again(screen: SaleScreen, scan: Scan) -> None:
    scan(MAKARONI)
    scan(BAD_CHECK_DIGIT)
    assert screen.message.text() == (
        f"Barcode {BAD_CHECK_DIGIT} tidak valid (digit pemeriksa salah). Pindai ulang."
    )
    assert cart_rows(screen)[0][:2] == ("Makaroni Keju 250 g", "1")
    assert len(cart_rows(screen)) == 1


def test_letters_open_the_search_and_enter_picks_the_first(
    qtbot: QtBot, screen: SaleScreen, scan: Scan
) -> None:
    scan("nastar")
    dialog = screen.dialog
    assert isinstance(dialog, SearchDialog)
    assert dialog.edit.text() == "nastar"
    assert dialog.model.rowCount() >= 1
    first = dialog.model.product_at(0)
    assert "nastar" in first.name.lower()
    qtbot.keyClick(dialog.edit, Qt.Key.Key_Return)
    assert screen.dialog is None
    assert cart_rows(screen)[0][:2] == (first.name, "1")
    assert screen.message.text() == f"1 x {first.name} ditambahkan"
    wait_scan_focus(qtbot, screen)


def test_search_down_arrow_and_f2(qtbot: QtBot, screen: SaleScreen, press: Press) -> None:
    dialog = press(Qt.Key.Key_F2)
    assert isinstance(dialog, SearchDialog)
    qtbot.keyClicks(dialog.edit, "makaroni")
    qtbot.waitUntil(lambda: dialog.model.rowCount() >= 2, timeout=WAIT_MS)
    second = dialog.model.product_at(1)
    qtbot.waitUntil(dialog.edit.hasFocus, timeout=WAIT_MS)
    qtbot.keyClick(dialog.edit, Qt.Key.Key_Down)
    qtbot.keyClick(dialog.edit, Qt.Key.Key_Return)
    assert cart_rows(screen)[0][0] == second.name


def test_search_esc_adds_nothing(qtbot: QtBot, screen: SaleScreen, scan: Scan) -> None:
    scan("tidak ada barang seperti ini")
    dialog = screen.dialog
    assert isinstance(dialog, SearchDialog)
    assert dialog.info.text() == "Tidak ditemukan."
    qtbot.keyClick(dialog.edit, Qt.Key.Key_Return)  # nothing to pick: stays open
    assert dialog.isVisible()
    qtbot.keyClick(dialog.edit, Qt.Key.Key_Escape)
    assert screen.dialog is None and screen.model.rowCount() == 0
    wait_scan_focus(qtbot, screen)


def test_search_dialog_model_passes_the_model_tester(
    qtmodeltester,
    screen: SaleScreen,
    scan: Scan,  # type: ignore[no-untyped-def]
) -> None:
    scan("kopi")
    dialog = screen.dialog
    assert isinstance(dialog, SearchDialog)
    qtmodeltester.check(dialog.model)
    dialog.edit.setText("keripik")  # the search runs on the worker
    assert screen.ops.wait_idle()
    qtmodeltester.check(dialog.model)
    dialog.edit.setText("tidak ada")
    assert screen.ops.wait_idle()
    assert dialog.model.rowCount() == 0
    qtmodeltester.check(dialog.model)
    dialog.reject()


# --- changing lines -------------------------------------------------------------------------------


def test_f4_changes_the_quantity_of_the_highlighted_line(
    qtbot: QtBot, screen: SaleScreen, scan: Scan, press: Press, type_into: TypeInto
) -> None:
    scan(MAKARONI)
    scan(KERIPIK)
    dialog = press(Qt.Key.Key_F4)
    assert isinstance(dialog, QuantityDialog)
    assert "Keripik Bawang 250 g" in dialog.prompt.text()
    assert dialog.edit.text() == "1"
    type_into(dialog.edit, "4")
    assert cart_rows(screen)[1] == ("Keripik Bawang 250 g", "4", "20.000", "", "80.000")
    assert screen.total_label.text() == "Rp 98.000"
    assert screen.dialog is None
    wait_scan_focus(qtbot, screen)


def test_f4_refuses_a_bad_quantity_in_the_dialog(
    screen: SaleScreen, scan: Scan, press: Press, type_into: TypeInto
) -> None:
    scan(MAKARONI)
    dialog = press(Qt.Key.Key_F4)
    assert isinstance(dialog, QuantityDialog)
    tried: list[str] = []
    real_parse = dialog.parse
    dialog.parse = lambda text: (tried.append(text), real_parse(text))[1]  # type: ignore[method-assign]
    type_into(dialog.edit, "dua")
    assert dialog.isVisible() and dialog.error.text() == "Jumlah harus angka bulat, misalnya 3."
    assert tried == ["dua"], "Enter is handled once (no default button running it again)"
    type_into(dialog.edit, "0")  # the service refuses 0: said on screen, the line is kept
    assert "1 atau lebih" in screen.message.text()
    assert cart_rows(screen)[0][1] == "1"


def test_delete_removes_the_line(qtbot: QtBot, screen: SaleScreen, scan: Scan) -> None:
    scan(MAKARONI)
    scan(BALADO)
    qtbot.keyClick(screen.scan, Qt.Key.Key_Delete)
    assert [r[0] for r in cart_rows(screen)] == ["Makaroni Keju 250 g"]
    assert screen.message.text() == "Makaroni Balado 150 g dihapus dari keranjang"
    # Del while typing deletes characters, not lines.
    qtbot.keyClicks(screen.scan, "200")
    screen.scan.setCursorPosition(0)
    qtbot.keyClick(screen.scan, Qt.Key.Key_Delete)
    assert screen.scan.text() == "00"
    assert screen.model.rowCount() == 1


def test_keys_on_an_empty_cart_only_say_so(screen: SaleScreen, press: Press) -> None:
    for key in (Qt.Key.Key_F4, Qt.Key.Key_F6, Qt.Key.Key_F7, Qt.Key.Key_Delete, Qt.Key.Key_F9):
        assert press(key) is None
        assert screen.message.text() == "Keranjang kosong; pindai barang dulu."


def test_small_line_discount_needs_no_supervisor(
    screen: SaleScreen, scan: Scan, press: Press, type_into: TypeInto
) -> None:
    scan(MAKARONI)
    scan(KERIPIK)
    dialog = press(Qt.Key.Key_F6)
    assert isinstance(dialog, DiscountDialog)
    type_into(dialog.edit, "5%")
    assert screen.dialog is None, "no supervisor asked under the 10% limit"
    assert cart_rows(screen)[1] == ("Keripik Bawang 250 g", "1", "20.000", "-1.000", "19.000")
    assert screen.total_label.text() == "Rp 37.000"
    assert "hemat Rp 1.000" in screen.detail_label.text()


def test_big_line_discount_needs_the_supervisor_pin(
    qtbot: QtBot, screen: SaleScreen, scan: Scan, press: Press, type_into: TypeInto
) -> None:
    scan(NASTAR)
    dialog = press(Qt.Key.Key_F6)
    type_into(dialog.edit, "50%")
    supervisor = screen.dialog
    assert isinstance(supervisor, SupervisorDialog)
    assert supervisor.isVisible()
    assert "persetujuan supervisor" in supervisor.prompt.text()
    assert cart_rows(screen)[0][3] == "", "nothing applied before approval"

    supervisor.user.setText("kasir1")
    type_into(supervisor.edit, "1111")  # the cashier's own PIN is not a supervisor's
    # Refused in the PIN dialog, which stays open to try again: the 50% need not be retyped.
    assert "Siti Rahmawati (Kasir) tidak berwenang menyetujui" in supervisor.error.text()
    assert supervisor.isVisible() and screen.dialog is supervisor
    assert supervisor.edit.text() == ""
    assert cart_rows(screen)[0] == ("Nastar Keju 500 g", "1", "85.000", "", "85.000")

    supervisor.user.setText("spv1")
    type_into(supervisor.edit, "2222")
    assert cart_rows(screen)[0] == ("Nastar Keju 500 g", "1", "85.000", "-42.500", "42.500")
    assert screen.total_label.text() == "Rp 42.500"
    assert screen.dialog is None
    wait_scan_focus(qtbot, screen)


def test_supervisor_dialog_cancelled_applies_nothing(
    qtbot: QtBot, screen: SaleScreen, scan: Scan, press: Press, type_into: TypeInto
) -> None:
    scan(NASTAR)
    dialog = press(Qt.Key.Key_F6)
    type_into(dialog.edit, "50%")
    supervisor = screen.dialog
    assert isinstance(supervisor, SupervisorDialog)
    assert supervisor.user.hasFocus(), "the supervisor's name first"
    qtbot.keyClick(supervisor.edit, Qt.Key.Key_Return)  # no name: asked for it
    assert supervisor.isVisible()
    assert supervisor.error.text() == "Nama pengguna supervisor wajib diisi."
    assert supervisor.user.hasFocus()
    qtbot.keyClicks(supervisor.user, "spv1")
    qtbot.keyClick(supervisor.user, Qt.Key.Key_Return)  # Enter in the name: on to the PIN
    assert supervisor.edit.hasFocus()
    qtbot.keyClick(supervisor.edit, Qt.Key.Key_Return)  # empty PIN: asked again
    assert supervisor.error.text() == "PIN supervisor wajib diisi."
    qtbot.keyClick(supervisor.edit, Qt.Key.Key_Escape)
    assert not supervisor.isVisible() and screen.dialog is None
    assert cart_rows(screen)[0][3] == ""


def test_order_discount_with_shift_f6(
    screen: SaleScreen, scan: Scan, press: Press, type_into: TypeInto
) -> None:
    scan(MAKARONI)
    scan(KERIPIK)
    dialog = press(Qt.Key.Key_F6, Qt.KeyboardModifier.ShiftModifier)
    assert isinstance(dialog, DiscountDialog)
    assert dialog.windowTitle() == "Diskon transaksi"
    type_into(dialog.edit, "3.800")
    assert screen.total_label.text() == "Rp 34.200"
    assert screen.dialog is None


def test_price_override_always_asks_a_supervisor(
    screen: SaleScreen, scan: Scan, press: Press, type_into: TypeInto
) -> None:
    scan(MAKARONI)
    dialog = press(Qt.Key.Key_F7)
    assert dialog is not None and dialog.windowTitle() == "Ubah harga"
    type_into(dialog.edit, "19.000")  # even a higher price
    supervisor = screen.dialog
    assert isinstance(supervisor, SupervisorDialog)
    supervisor.user.setText("spv1")
    type_into(supervisor.edit, "2222")
    assert cart_rows(screen)[0] == ("Makaroni Keju 250 g", "1", "19.000 *", "", "19.000")
    tip = screen.model.index(0, 0).data(Qt.ItemDataRole.ToolTipRole)
    assert "Harga katalog 18.000" in tip


def test_esc_clears_the_typing_then_the_cart(qtbot: QtBot, screen: SaleScreen, scan: Scan) -> None:
    scan(MAKARONI)
    qtbot.keyClicks(screen.scan, "2000")
    qtbot.keyClick(screen.scan, Qt.Key.Key_Escape)
    assert screen.scan.text() == "" and screen.model.rowCount() == 1
    qtbot.keyClick(screen.scan, Qt.Key.Key_Escape)
    confirm_cancel(qtbot, screen)
    assert screen.model.rowCount() == 0
    assert screen.message.text() == "Transaksi dibatalkan dan dicatat; keranjang dikosongkan."


def test_touch_buttons_do_what_the_keys_do(qtbot: QtBot, screen: SaleScreen, scan: Scan) -> None:
    from PySide6.QtWidgets import QPushButton

    buttons = {b.text().split("\n")[0]: b for b in screen.findChildren(QPushButton)}
    assert {"F2", "F4", "F6", "Shift+F6", "F7", "Del", "F8", "F9", "F10", "F12", "Esc"} <= set(
        buttons
    )
    scan(MAKARONI)
    scan(BALADO)
    qtbot.mouseClick(buttons["Del"], Qt.MouseButton.LeftButton)
    assert screen.model.rowCount() == 1
    qtbot.mouseClick(buttons["F9"], Qt.MouseButton.LeftButton)
    assert isinstance(screen.dialog, PaymentDialog)
    screen.dialog.reject()
    assert screen.dialog is None and screen.model.rowCount() == 1


# --- park and recall ------------------------------------------------------------------------------


def test_park_and_recall(
    qtbot: QtBot, screen: SaleScreen, scan: Scan, press: Press, type_into: TypeInto
) -> None:
    scan(MAKARONI)
    scan(MAKARONI)
    scan(KERIPIK)
    dialog = press(Qt.Key.Key_F6)
    type_into(dialog.edit, "2.000")
    lines = cart_rows(screen)
    assert press(Qt.Key.Key_F8) is None
    assert screen.model.rowCount() == 0
    assert screen.message.text() == "Transaksi disimpan (3 barang). F8 untuk mengambil."

    scan(BALADO)  # serve the next customer meanwhile, and pay
    paying = press(Qt.Key.Key_F9)
    qtbot.keyClick(paying.amount, Qt.Key.Key_Return)
    assert screen.model.rowCount() == 0

    parked = press(Qt.Key.Key_F8)
    assert isinstance(parked, ParkedDialog)
    assert parked.list.count() == 1
    assert "Makaroni Keju 250 g dst." in parked.list.item(0).text()
    assert "3 barang, Rp 54.000" in parked.list.item(0).text()
    qtbot.keyClick(parked.list, Qt.Key.Key_Return)
    assert screen.dialog is None
    assert cart_rows(screen) == lines
    assert screen.message.text() == "Transaksi yang disimpan diambil kembali."
    wait_scan_focus(qtbot, screen)

    # Recalled means gone from the list.
    press(Qt.Key.Key_Escape)
    confirm_cancel(qtbot, screen)
    assert press(Qt.Key.Key_F8) is None
    assert screen.message.text() == "Tidak ada transaksi yang disimpan."


def test_parked_cart_survives_a_restart(
    qtbot: QtBot, counter_app: CounterApp, screen: SaleScreen, scan: Scan, press: Press
) -> None:
    scan(NASTAR)
    scan(PEDAS)
    lines = cart_rows(screen)
    press(Qt.Key.Key_F8)
    counter_app.window.close()

    again = CounterApp(counter_app.store)
    qtbot.addWidget(again.login)
    again.start()
    try:
        qtbot.keyClicks(again.login.user.lineEdit(), "kasir2")
        qtbot.keyClick(again.login.user.lineEdit(), Qt.Key.Key_Return)
        qtbot.keyClicks(again.login.pin, "1212")
        qtbot.keyClick(again.login.pin, Qt.Key.Key_Return)
        # kasir1's shift is still open: kasir2 counts and closes it, then opens their own.
        qtbot.waitUntil(lambda: again.close_dialog is not None, timeout=WAIT_MS)
        qtbot.keyClicks(again.close_dialog.edit, "200.000")
        qtbot.keyClick(again.close_dialog.edit, Qt.Key.Key_Return)
        # The count shown against the expected, Enter confirms, a supervisor approves.
        qtbot.waitUntil(again.close_dialog.check.isVisible, timeout=WAIT_MS)
        qtbot.keyClick(again.close_dialog.edit, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: again.approval_dialog is not None, timeout=WAIT_MS)
        again.approval_dialog.user.setText("spv1")  # type: ignore[union-attr]
        qtbot.keyClicks(again.approval_dialog.edit, "2222")  # type: ignore[union-attr]
        qtbot.keyClick(again.approval_dialog.edit, Qt.Key.Key_Return)  # type: ignore[union-attr]
        qtbot.waitUntil(lambda: again.shift_dialog is not None, timeout=WAIT_MS)
        qtbot.keyClicks(again.shift_dialog.edit, "100.000")
        qtbot.keyClick(again.shift_dialog.edit, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: again.sale_screen is not None, timeout=WAIT_MS)
        fresh = again.sale_screen
        assert fresh.model.rowCount() == 0
        assert fresh.message.text() == "Siap. Ada 1 transaksi disimpan; F8 untuk mengambil."
        qtbot.keyClick(fresh.scan, Qt.Key.Key_F8)
        parked = fresh.dialog
        assert isinstance(parked, ParkedDialog)
        qtbot.keyClick(parked.list, Qt.Key.Key_Return)
        assert cart_rows(fresh) == lines
    finally:
        if again.window is not None:
            again.window.close()
            again.window.deleteLater()


# --- the cart model ------------------------------------------------------------------------------


def test_cart_model_passes_the_model_tester(
    qtmodeltester,
    qtbot: QtBot,
    screen: SaleScreen,
    scan: Scan,
    press: Press,
    type_into: TypeInto,  # type: ignore[no-untyped-def]
) -> None:
    qtmodeltester.check(screen.model)  # empty
    for code in (MAKARONI, PEDAS, BALADO, MAKARONI, KERIPIK):
        scan(code)
    qtmodeltester.check(screen.model)
    type_into(press(Qt.Key.Key_F6).edit, "5%")
    type_into(press(Qt.Key.Key_F6, Qt.KeyboardModifier.ShiftModifier).edit, "1.000")
    qtmodeltester.check(screen.model)
    assert screen.model.index(3, 3).data() != ""
    press(Qt.Key.Key_Up)
    press(Qt.Key.Key_Up)  # from the last line (3) to line 1
    assert screen.model.current_row == 1
    press(Qt.Key.Key_Delete)
    assert screen.model.rowCount() == 3
    qtmodeltester.check(screen.model)
    model = screen.model
    assert model.rowCount(model.index(0, 0)) == 0, "a flat table: cells have no children"
    assert model.headerData(0, Qt.Orientation.Horizontal) == "Nama barang"
    assert not model.index(0, 0).parent().isValid()
    assert model.data(QModelIndex()) is None
    press(Qt.Key.Key_Escape)
    confirm_cancel(qtbot, screen)
    assert model.rowCount() == 0
    qtmodeltester.check(screen.model)


# --- errors never close the window ----------------------------------------------------------------


def test_database_failure_at_checkout_keeps_the_cart(
    qtbot: QtBot,
    monkeypatch: pytest.MonkeyPatch,
    counter_app: CounterApp,
    screen: SaleScreen,
    scan: Scan,
    press: Press,
    demo_sqlite: sessionmaker[Session],
) -> None:
    scan(MAKARONI)
    scan(BALADO)
    lines = cart_rows(screen)

    def locked(*_args: object, **_kwargs: object) -> object:
        raise OperationalError("INSERT INTO sale", {}, Exception("database is locked"))

    real_checkout = checkout_service.checkout
    monkeypatch.setattr(checkout_service, "checkout", locked)
    dialog = press(Qt.Key.Key_F9)
    with qtbot.waitSignal(screen.ops.problem, timeout=WAIT_MS) as blocker:
        qtbot.keyClick(dialog.amount, Qt.Key.Key_Return)
    assert "terkunci" in blocker.args[0]  # the banner names the cause
    assert "Database sedang tidak dapat dipakai" in screen.message.text()
    assert "Rp 30.000 yang sudah diterima tetap dicatat" in screen.message.text()
    assert "tetap dicatat" in dialog.error.text() and dialog.isVisible()
    assert counter_app.window.isVisible()
    assert cart_rows(screen) == lines
    assert count(demo_sqlite, "SELECT count(*) FROM sale") == 0
    assert count(demo_sqlite, "SELECT count(*) FROM cart_draft") == 1  # cart and payment kept

    monkeypatch.setattr(checkout_service, "checkout", real_checkout)
    qtbot.keyClick(dialog.amount, Qt.Key.Key_Return)  # Enter again: the sale is stored
    assert count(demo_sqlite, "SELECT count(*) FROM sale") == 1
    assert count(demo_sqlite, "SELECT count(*) FROM cart_draft") == 0
    assert screen.model.rowCount() == 0 and screen.dialog is None


def test_database_gone_while_scanning(
    qtbot: QtBot, counter_app: CounterApp, screen: SaleScreen, scan: Scan, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    """The database file cannot be opened any more: say so, keep the cart, carry on after."""
    from kasir.store.engine import make_engine

    scan(MAKARONI)
    lines = cart_rows(screen)
    factory = screen.ops.factory
    good = factory.kw["bind"]
    broken = make_engine(f"sqlite:///{tmp_path / 'no-such-dir' / 'kasir.db'}")
    factory.configure(bind=broken)
    try:
        scan(BALADO)
        assert "Database sedang tidak dapat dipakai" in screen.message.text()
        assert cart_rows(screen) == lines
        assert counter_app.window.isVisible()
        assert screen.scan.text() == ""
    finally:
        factory.configure(bind=good)
        broken.dispose()
    scan(BALADO)
    assert len(cart_rows(screen)) == 2

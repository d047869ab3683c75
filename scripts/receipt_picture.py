"""Draw receipts as the paper shows them, into docs/ (for the README).

    .venv/bin/python scripts/receipt_picture.py [OUT_DIR]

A temporary demo store sells a cart with a weighed product, a line discount, a 15% order
discount (approved) and cash rounding to Rp 500, paid in cash; its receipt is drawn from the
layout's rows (kasir.output.receipt.layout: bold, double and tall rows, the QR code, the cut) at
58 mm (32 columns, docs/receipt-58mm.png) and, as its first reprint, at 80 mm (48 columns,
docs/receipt-80mm-salinan.png). The rows are exactly those the ESC/POS renderer prints.
"""

from __future__ import annotations

import os
import sys
import tempfile
from decimal import Decimal
from pathlib import Path

import qrcode
from PIL import Image, ImageDraw, ImageFont

from kasir.domain.cart import Cart, Discount
from kasir.domain.payment import PaymentInput
from kasir.output.receipt import Align, ReceiptDoc, Row, RowKind, layout
from kasir.services import checkout, shifts
from kasir.services.auth import Approval, login
from kasir.services.cart_edit import (
    add_by_barcode,
    add_by_code,
    set_line_discount,
    set_order_discount,
)
from kasir.services.catalog import ensure_counter
from kasir.services.demo import load_demo_data
from kasir.services.printing import receipt_setup
from kasir.services.sale_lookup import SaleView
from kasir.settings import set_setting
from kasir.store.engine import make_engine, make_session_factory
from kasir.store.migrate import upgrade

DEFAULT_OUT = Path(__file__).resolve().parents[1] / "docs"
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf"
BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono-Bold.ttf"
SIZE = 20  # px of one character cell's height at normal size
MARGIN = 24


def sell(db: Path) -> tuple[SaleView, ReceiptDoc, ReceiptDoc]:
    engine = make_engine(f"sqlite:///{db}")
    upgrade(engine)
    factory = make_session_factory(engine)
    with factory.begin() as s:
        load_demo_data(s)
        set_setting(s, "cash_rounding", "500")
    with factory.begin() as s:
        user = login(s, "kasir1", "1111")
        counter_id = ensure_counter(s, "K01")
        shift = shifts.open_shift(s, counter_id, user.id, 200_000)
        till = shifts.Till(counter_id, "K01", user.id, user.full_name, shift.id)
        cart = Cart()
        add_by_barcode(s, cart, "2000000100012", 2)  # Makaroni Keju
        add_by_code(s, cart, "2600108013001")  # a scale label: 1,3 kg of catfish
        add_by_barcode(s, cart, "8997213400012")  # Jape Coffee
        set_line_discount(s, cart, 2, Discount("percent", Decimal(10)))
        view = set_order_discount(s, cart, Discount("percent", Decimal(15)), Approval("2222"))
        sale = checkout.checkout(s, till, cart, [PaymentInput("tunai", 150_000)])
        assert view.total > 0
        setup = receipt_setup(s)
    from kasir.output.print_queue import header_of

    header = header_of(setup)
    engine.dispose()
    return sale, ReceiptDoc(sale, header, 32), ReceiptDoc(sale, header, 48, copy_no=1)


def draw(doc: ReceiptDoc, path: Path) -> None:
    regular = ImageFont.truetype(FONT, SIZE)
    bold = ImageFont.truetype(BOLD, SIZE)
    cell_w = int(regular.getlength("0"))
    paper_w = doc.width * cell_w
    pieces: list[Image.Image] = []
    for row in layout(doc):
        pieces.append(draw_row(row, doc.width, cell_w, regular, bold))
    height = sum(p.height for p in pieces) + 2 * MARGIN
    paper = Image.new("RGB", (paper_w + 2 * MARGIN, height), "#fffdf6")
    y = MARGIN
    for piece in pieces:
        paper.paste(piece, (MARGIN, y))
        y += piece.height
    ImageDraw.Draw(paper).rectangle(
        [0, 0, paper.width - 1, paper.height - 1], outline="#d8d2c0", width=2
    )
    paper.save(path)
    print(f"receipt picture: {path} ({doc.width} columns, {paper.width}x{paper.height})")


def draw_row(
    row: Row, width: int, cell_w: int, regular: ImageFont.FreeTypeFont, bold: ImageFont.FreeTypeFont
) -> Image.Image:
    line_h = int(SIZE * 1.25)
    paper_w = width * cell_w
    if row.kind == RowKind.FEED:
        return Image.new("RGB", (paper_w, line_h), "#fffdf6")
    if row.kind == RowKind.CUT:
        img = Image.new("RGB", (paper_w, line_h), "#fffdf6")
        pen = ImageDraw.Draw(img)
        for x in range(0, paper_w, 12):
            pen.line([(x, line_h // 2), (x + 6, line_h // 2)], fill="#999999", width=2)
        pen.text((4, 0), "✂", font=regular, fill="#777777")
        return img
    if row.kind == RowKind.QR:
        code = qrcode.make(row.text, box_size=5, border=2).get_image().convert("RGB")
        img = Image.new("RGB", (paper_w, code.height), "#fffdf6")
        img.paste(code, ((paper_w - code.width) // 2, 0))
        return img
    text = "-" * width if row.kind == RowKind.RULE else row.text
    font = bold if row.bold else regular
    scale_x = 2 if row.double else 1
    scale_y = 2 if (row.double or row.tall) else 1
    chars = width // scale_x
    if row.align == Align.CENTER:
        text = text.center(chars)
    elif row.align == Align.RIGHT:
        text = text.rjust(chars)
    small = Image.new("RGB", (chars * cell_w, line_h), "#fffdf6")
    ImageDraw.Draw(small).text((0, 2), text, font=font, fill="#111111")
    if scale_x == 1 and scale_y == 1:
        return small
    return small.resize((paper_w, line_h * scale_y), Image.Resampling.LANCZOS)


def main(argv: list[str]) -> int:
    out = Path(argv[0]) if argv else DEFAULT_OUT
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="kasir-receipt-") as tmp:
        os.environ["KASIR_DATA_DIR"] = tmp
        _sale, narrow, wide = sell(Path(tmp) / "kasir.db")
        draw(narrow, out / "receipt-58mm.png")
        draw(wide, out / "receipt-80mm-salinan.png")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

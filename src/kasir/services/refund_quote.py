"""What a refund would pay back, before it is asked for: the refund dialog shows it.

Per line of a sale: how much is still refundable, the price actually paid for one unit (after
the line's discount and its share of the order discount: 10.200, not the list price 12.000),
and the money back for any number of units, by the same rule `refund_sale` books
(`kasir.services.returns.refund_money`), so what the dialog says is what the refund pays.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from kasir.domain.rounding import NO_ROUNDING, CashRounding
from kasir.money import prorate
from kasir.services.checkout import cash_rounding
from kasir.services.returns import LineMoney, _money, _refunded, refund_money
from kasir.services.sale_lookup import SaleView, find_sale
from kasir.store.models import SaleLine

_NOTHING = LineMoney(0, 0, 0, 0, 0, 0)


@dataclass(frozen=True)
class QuoteLine:
    line_no: int
    name: str
    sold: int
    unit_price: int  # the price on the receipt line, before discounts
    money: LineMoney  # the whole line as sold
    already: LineMoney  # what earlier refunds of this line paid back

    @property
    def left(self) -> int:
        """Units still refundable (none when the document cannot be refunded)."""
        return max(0, self.money.qty - self.already.qty)

    @property
    def paid_unit(self) -> int:
        """What one unit cost after every discount (the line's total over its units; on a
        refund document, what one unit paid back)."""
        if self.money.qty == 0:
            return 0
        return prorate(abs(self.money.line_total), 1, abs(self.money.qty))

    def back(self, qty: int) -> int:
        """The money back for `qty` more units (0 for none, or more than is left)."""
        if qty <= 0 or qty > self.left:
            return 0
        return refund_money(self.money, self.already, qty).line_total


@dataclass(frozen=True)
class RefundQuote:
    sale: SaleView
    lines: tuple[QuoteLine, ...]
    rounding: CashRounding = NO_ROUNDING  # the store's cash rounding, for cash paid back

    def refundable(self) -> dict[int, int]:
        """line number -> units still refundable."""
        return {line.line_no: line.left for line in self.lines}

    def amount_back(self, chosen: Mapping[int, int]) -> int:
        """The money back for the units chosen per line number."""
        return sum(line.back(chosen.get(line.line_no, 0)) for line in self.lines)

    def cash_back(self, chosen: Mapping[int, int]) -> int:
        """The cash handed back for the units chosen: `amount_back` rounded like cash taken
        (`kasir.services.returns.refund` rounds it the same way)."""
        return self.rounding.round(self.amount_back(chosen))


def refund_quote(
    session: Session,
    text: str,
    *,
    counter_id: int | None = None,
    day: dt.date | None = None,
) -> RefundQuote:
    """The quote of the document typed (a full receipt number, or a bare sequence number of
    `counter_id` on `day`: `sale_lookup.find_sale`). A refund document or a voided sale
    quotes nothing refundable."""
    sale = find_sale(session, text, counter_id=counter_id, day=day)
    sold = {
        ln.line_no: ln
        for ln in session.scalars(select(SaleLine).where(SaleLine.sale_id == sale.id))
    }
    refundable = sale.kind == "sale" and sale.status == "completed"
    done = _refunded(session, sale.id) if refundable else {}
    lines = []
    for view in sale.lines:
        row = sold[view.line_no]
        money = _money(row)
        already = done.get(row.id, _NOTHING) if refundable else money
        lines.append(QuoteLine(view.line_no, view.name, view.qty, view.unit_price, money, already))
    return RefundQuote(sale, tuple(lines), cash_rounding(session))

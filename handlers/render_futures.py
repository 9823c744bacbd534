"""What the bot says of futures: a futures order's and a futures plan's preview lines, and the futures part of
the portfolio (pure functions, unit tested)."""

from decimal import Decimal

from trading.domain.futures import PositionSide
from trading.domain.futures_orders import FuturesTerms, stop_to_liquidation
from trading.domain.money import canonical
from trading.domain.money import price_text as price
from trading.domain.orders import OrderDraft, Preview
from trading.usecases.futures_portfolio import FuturesPortfolio


def _money(value: Decimal) -> str:
    return f"{value:,.2f}"


def at_risk_line(preview: Preview, quote: str) -> str:
    """What the stop would lose, and the risk the size was taken from where it was."""
    at_risk = f"{_money(preview.at_risk)} {quote}"
    if preview.risk_percent is None:
        return f"At risk: {at_risk}"
    return f"Sized from {canonical(preview.risk_percent)}% risk: {at_risk} at risk"


def _signed(value: Decimal) -> str:
    return f"+{_money(value)}" if value >= 0 else f"−{_money(-value)}"


def _base_quote(symbol: str) -> tuple[str, str]:
    pair = symbol.split(":", 1)[0]
    base, _, quote = pair.partition("/")
    return base, quote


def futures_head(draft: OrderDraft, terms: FuturesTerms) -> str:
    """The preview's first line: what the order does to which position."""
    base, quote = _base_quote(draft.symbol)
    p = draft.preview
    kind = (
        draft.order_type.value if draft.price is None else f"{draft.order_type.value} at {price(draft.price)}"
    )
    size = f"{canonical(p.quantity)} {base} ({_money(p.cost)} {quote})"
    if terms.reduce_only:
        verb = "Close" if terms.closes else "Reduce"
        how = "buy back" if terms.position_side is PositionSide.SHORT else "sell"
        return f"📝 {verb} your {base} {terms.position_side}: {how} {size}, {kind}"
    return f"📝 {terms.position_side.capitalize()} {size} at {canonical(terms.leverage)}x, {kind} (futures)"


def leverage_line(terms: FuturesTerms, asked_by: str = "you asked") -> str:
    line = f"Leverage: {canonical(terms.leverage)}x {terms.margin_mode}"
    if terms.leverage_asked is not None:
        line += f" ({asked_by} {canonical(terms.leverage_asked)}x: capped at the most allowed)"
    return line


def liquidation_line(terms: FuturesTerms, stop: Decimal | None) -> str:
    if terms.liquidation_price is None:
        return "Liquidation: none"
    line = f"Liquidation: {price(terms.liquidation_price)}"
    if stop is not None:
        line += f" ({stop_to_liquidation(stop, terms.liquidation_price):.2f}% beyond the stop)"
    return line


def funding_line(terms: FuturesTerms) -> str:
    """The rate now, and who pays whom at it: longs pay shorts when it is positive."""
    rate = terms.funding_rate
    if rate is None:
        return "Funding: unknown"
    pays = (rate > 0) == (terms.position_side is PositionSide.LONG)
    who = "you pay" if pays else "you receive"
    return f"Funding: {rate * 100:.4f}% every 8 hours ({who} it at this rate)"


def futures_preview_lines(draft: OrderDraft, terms: FuturesTerms) -> list[str]:
    """A futures order's preview, but for what every preview ends with (a warning, its expiry)."""
    _, quote = _base_quote(draft.symbol)
    p = draft.preview
    lines = [futures_head(draft, terms), f"Price: {price(p.price)} {quote}"]
    if terms.reduce_only:
        lines.append(f"Fee: ~{_money(p.fee)} {quote}")
        if not terms.closes:
            lines.append(liquidation_line(terms, None).replace("Liquidation:", "Liquidation after:"))
    else:
        lines += [
            leverage_line(terms),
            f"Margin: {_money(terms.margin)} {quote}",
            f"Fee: ~{_money(p.fee)} {quote}",
        ]
        if draft.stop_loss is not None and p.stop_distance_pct is not None:
            lines.append(f"Stop: {price(draft.stop_loss)} ({_money(p.stop_distance_pct)}% away)")
        else:
            lines.append("Stop: none")
        lines.append(liquidation_line(terms, draft.stop_loss))
        if draft.take_profits:
            lines.append("Targets: " + ", ".join(price(t) for t in draft.take_profits))
        lines.append(funding_line(terms))
        lines.append(at_risk_line(p, quote))
    return lines


def futures_plan_lines(terms: FuturesTerms, stop: Decimal | None, notional: Decimal, quote: str) -> list[str]:
    """A futures plan's lines after its entries and targets."""
    return [
        leverage_line(terms, "the signal asks"),
        liquidation_line(terms, stop),
        f"Margin {_money(terms.margin)} {quote} for {_money(notional)} {quote} of position",
        funding_line(terms),
    ]


def futures_portfolio_text(view: FuturesPortfolio) -> str:
    q = view.currency
    lines = [
        f"📈 Futures ({view.label}): equity {_money(view.equity)} {q}, available {_money(view.available)}"
    ]
    for p in view.positions:
        base, _ = _base_quote(p.symbol)
        liquidation = "none" if p.liquidation_price is None else price(p.liquidation_price)
        lines.append(
            f"• {base} {p.side} {canonical(p.size)} at {canonical(p.leverage)}x: entry {price(p.entry_price)} → "
            f"mark {price(p.mark_price)}, liq. {liquidation}, P&L {_signed(p.unrealised_pnl)} "
            f"(margin {_money(p.margin)})"
        )
    lines.append(
        f"P&L realised {_money(view.realised_pnl)}, unrealised {_money(view.unrealised_pnl)}, "
        f"fees {_money(view.fees_paid)}, funding {_money(view.funding_paid)} {q}"
    )
    return "\n".join(lines)

"""What the bot says: plain text renderers of the core's results (pure functions, unit tested)."""

from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal

from handlers.entry_rules_render import plan_rules_lines
from handlers.render_futures import (
    at_risk_line,
    futures_plan_lines,
    futures_portfolio_text,
    futures_preview_lines,
)
from handlers.source_modes import source_mode_text
from trading.domain.alerts import Alert
from trading.domain.enums import OrderRole, OrderStatus, Side
from trading.domain.market import Ticker
from trading.domain.money import price_text as price
from trading.domain.orders import Order, OrderDraft
from trading.domain.signal_records import SignalSource, SourceMarket, SourceStats
from trading.domain.signals import trailing_entry_text, trailing_not_applied
from trading.usecases.futures_portfolio import FuturesPortfolio
from trading.usecases.portfolio import Portfolio
from trading.usecases.reporting import BracketFill
from trading.usecases.signal_plans import PlanDraft, PlanResult
from trading.usecases.signals import ClosedSignal

HELP = """I trade on your word, after a tap on Confirm. Try:

• buy $50 of ETH  ·  buy 0.01 BTC  ·  sell half my eth
• buy 0.1 eth at 3000 sl 2800 tp 3300  ·  buy $100 of sol with a 5% stop
• long btc 10x risk 1% sl 60000: the size that loses 1% of your equity at the stop
• set my eth stop to 3000 (for coins you hold; moves the stop you have)  ·  close my eth
• stops that move: trail my eth stop 3%  ·  break even after target 1 on eth  ·  moving target on eth  ·  trail eth tp 3%  ·  stop trailing my eth
• price of btc
• portfolio  ·  orders  ·  pnl
• alert me if SOL drops below 120  ·  /alerts
• buy 50 usdt of btc every monday  ·  dca 100 usdt into eth weekly for 10 weeks  ·  sell 1 eth over 2 hours
• my automations  ·  pause plan 3  ·  stop the twap  ·  rebalance to 50% btc 30% eth 20% usdt
• rebalance to 50% btc 50% eth every monday  ·  rebalance to 50% btc 50% eth when drift over 5%
• close all positions  ·  cancel all orders  ·  pause auto follow  ·  resume auto follow
• /email and /webhook: be told there too  ·  /notify: which events where
• forward a signal from a channel: I show the plan, you Follow or Ignore
• make me an admin of your channel: I read its posts (and their edits) for you
• /sources: statistics per signal source (/source N market futures: where one trades)  ·  /accounts: exchange accounts
• /risk: your risk limits (e.g. /risk max_order 500)  ·  /dashboard: the web dashboard

Nothing is traded without your tap on Confirm or Follow, but for the signal sources you chose to always follow."""
TRAILING_ENTRIES = (
    "Trailing entries (this source's rules): nothing is placed on Follow; each buys its amount at market once "
    "the price, at or below its level, turns back up by its percentage from the low."
)
STALE_BUTTON = "This button no longer does anything (its message is old, or the bot restarted); ask again."
TEXT_ONLY = (
    "I read text only: write what you want, e.g. 'buy $50 of ETH' or 'price of BTC', or forward a signal "
    "from its channel."
)


def money(value: Decimal, places: int = 2) -> str:
    return f"{value:,.{places}f}"


def amount(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text


def signed(value: Decimal) -> str:
    """Money with its sign always shown (a true minus sign for a loss)."""
    return f"+{money(value)}" if value >= 0 else f"−{money(-value)}"


def _base_of(symbol: str) -> str:
    return symbol.split("/", 1)[0]


def _quote_of(symbol: str) -> str:
    return symbol.split("/", 1)[1] if "/" in symbol else ""


def draft_preview(draft: OrderDraft, ttl_seconds: int) -> str:
    if draft.futures is not None:
        lines = futures_preview_lines(draft, draft.futures)
    else:
        lines = _spot_preview_lines(draft)
    if draft.preview.fills_at_once_near is not None:
        lines.append(_fills_at_once(draft, draft.preview.fills_at_once_near))
    lines.append(f"This preview expires in {ttl_seconds // 60 or 1} min.")
    return "\n".join(lines)


def _spot_preview_lines(draft: OrderDraft) -> list[str]:
    p, quote = draft.preview, _quote_of(draft.symbol)
    base = _base_of(draft.symbol)
    kind = (
        draft.order_type.value if draft.price is None else f"{draft.order_type.value} at {price(draft.price)}"
    )
    lines = [
        f"📝 {draft.side.value.capitalize()} {amount(p.quantity)} {base} ({money(p.cost)} {quote}), {kind}",
        f"Price: {price(p.price)} {quote}",
        f"Fee: ~{money(p.fee)} {quote}",
    ]
    if draft.stop_loss is not None and p.stop_distance_pct is not None:
        lines.append(f"Stop: {price(draft.stop_loss)} ({money(p.stop_distance_pct)}% away)")
    else:
        lines.append("Stop: none")
    if draft.take_profits:
        lines.append("Targets: " + ", ".join(price(t) for t in draft.take_profits))
    lines.append(at_risk_line(p, quote))
    return lines


def _fills_at_once(draft: OrderDraft, near: Decimal) -> str:
    assert draft.price is not None
    buying = draft.side is Side.BUY
    where, wait = ("above", "rises") if buying else ("below", "falls")
    return (
        f"⚠️ {price(draft.price)} is {where} the price now ({price(near)}): a limit order there would fill at "
        f"once, near {price(near)}. To {draft.side.value} only once the price {wait} to {price(draft.price)}, "
        "place it as a breakout; or trade at market now."
    )


def stop_move_preview(draft: OrderDraft, stop: Order, ttl_seconds: int) -> str:
    """A move of the stop that guards coins held: from where to where, what it sells, how far below the price."""
    p, quote = draft.preview, _quote_of(draft.symbol)
    base = _base_of(draft.symbol)
    assert draft.price is not None and stop.price is not None and p.stop_distance is not None
    lines = [
        f"📝 Move your {base} stop: {price(stop.price)} → {price(draft.price)} {quote}",
        f"Sells {amount(p.quantity)} {base} once the bid falls to {price(draft.price)}"
        f" (now {price(draft.price + p.stop_distance)}, {money(p.stop_distance_pct or p.stop_distance)}% above).",
        f"Fee when it sells: ~{money(p.fee)} {quote}",
        f"This preview expires in {ttl_seconds // 60 or 1} min.",
    ]
    return "\n".join(lines)


def stop_moved(order: Order) -> str:
    base = _base_of(order.symbol)
    assert order.price is not None
    return (
        f"✅ Your {base} stop is now at {price(order.price)} {_quote_of(order.symbol)}: it sells "
        f"{amount(order.remaining)} {base} once the bid falls there (order #{order.id})."
    )


def _order_head(order: Order) -> str:
    base = _base_of(order.symbol)
    return f"Order #{order.id}: {order.side.value} {amount(order.quantity)} {base}"


def order_result(order: Order, legs: Sequence[Order] = ()) -> str:
    """An order as placed, with the stop and targets placed (or held) for it, where there are any."""
    quote = _quote_of(order.symbol)
    head = _order_head(order)
    status = order.status.value.replace("_", " ")
    if order.filled and order.average_price is not None:
        text = (
            f"✅ {head}, {status}: {amount(order.filled)} at {price(order.average_price)} {quote}"
            f" (fee {money(order.fee)})."
        )
    else:
        text = f"✅ {head}, {status}."
    return "\n".join([text, *(_leg_line(leg) for leg in legs if leg.price is not None)])


_LEG_MARKS = {OrderRole.STOP_LOSS: "🛑 Stop", OrderRole.TAKE_PROFIT: "🎯 Target"}


def _leg_line(leg: Order) -> str:
    assert leg.price is not None
    mark = _LEG_MARKS.get(leg.role, leg.role.value)
    state = "held by the bot" if leg.status is OrderStatus.ARMED else leg.status.value.replace("_", " ")
    return (
        f"{mark}: {leg.side.value} {amount(leg.quantity)} {_base_of(leg.symbol)} at {price(leg.price)} "
        f"(#{leg.id}, {state})"
    )


def reconciled_text(order: Order) -> str:
    """An order whose exchange did not answer, as it turned out once checked with the exchange."""
    if order.status is OrderStatus.REJECTED:
        return (
            f"✖️ {_order_head(order)} never reached the exchange, so nothing was placed. "
            "Ask again for a fresh price."
        )
    return f"{order_result(order)} Checked with the exchange, which had not answered at first."


def quote_text(ticker: Ticker) -> str:
    sign = "+" if ticker.change_24h_pct >= 0 else ""
    quote = _quote_of(ticker.symbol)
    return (
        f"{ticker.symbol}: {price(ticker.last)} {quote} ({sign}{money(ticker.change_24h_pct)}% 24h)\n"
        f"bid {price(ticker.bid)} · ask {price(ticker.ask)}"
    )


def portfolio_text(
    view: Portfolio, futures: FuturesPortfolio | None = None, modes: Mapping[str, str] | None = None
) -> str:
    """The spot account, and the futures one where the user has it; `modes`: the stop mode in force on a
    spot market, said in a few words ("the stop trailing 3%")."""
    q = view.quote
    lines = [
        f"💼 Equity {money(view.equity)} {q}",
        f"Cash {money(view.cash)} {q}",
    ]
    for p in view.positions:
        mode = f", {modes[p.symbol]}" if modes and p.symbol in modes else ""
        lines.append(
            f"• {p.symbol}: {amount(p.quantity)} at {price(p.average_cost)} → {price(p.price)}, "
            f"{money(p.value)} {q} ({'+' if p.unrealised_pnl >= 0 else ''}{money(p.unrealised_pnl)}){mode}"
        )
    lines.append(
        f"P&L realised {money(view.realised_pnl)}, unrealised {money(view.unrealised_pnl)}, "
        f"fees {money(view.fees_paid)} {q}"
    )
    if futures is not None:
        lines += ["", futures_portfolio_text(futures)]
    return "\n".join(lines)


def orders_text(orders: Sequence[Order]) -> str:
    if not orders:
        return "You have no open orders."
    lines = ["Open orders:"]
    for o in orders:
        at = f" at {price(o.price)}" if o.price is not None else ""
        lines.append(
            f"#{o.id} {o.side.value} {amount(o.quantity)} {o.symbol} {o.order_type.value}{at}, "
            f"{o.status.value.replace('_', ' ')} ({o.role.value.replace('_', ' ')})"
        )
    return "\n".join(lines)


def pnl_text(by_day: Mapping[date, Decimal], view: Portfolio) -> str:
    """Realised P&L by day and week, beside the unrealised P&L of the positions open now."""
    quote = view.quote
    lines = [f"Unrealised P&L now: {signed(view.unrealised_pnl)} {quote}"]
    lines.extend(
        f"• {p.symbol}: {signed(p.unrealised_pnl)} {quote} ({signed(p.unrealised_pct)}%)"
        for p in view.positions
        if p.quantity > 0
    )
    if not by_day:
        return "\n".join([*lines, "No realised P&L in the last 30 days."])
    lines.append(f"Realised P&L, last 30 days: {signed(sum(by_day.values(), Decimal(0)))} {quote}. By day:")
    weeks: dict[str, Decimal] = {}
    for day in sorted(by_day):
        year, week, _ = day.isocalendar()
        weeks[f"{year}-W{week:02d}"] = weeks.get(f"{year}-W{week:02d}", Decimal(0)) + by_day[day]
    lines.extend(f"{day.isoformat()}: {signed(by_day[day])} {quote}" for day in sorted(by_day)[-7:])
    lines.append("By week:")
    lines.extend(f"{week}: {signed(total)} {quote}" for week, total in sorted(weeks.items()))
    return "\n".join(lines)


def plan_preview(title: str, plan_draft: PlanDraft, auto: bool = False) -> str:
    plan, terms = plan_draft.plan, plan_draft.futures
    quote = _quote_of(plan.symbol).split(":")[0]
    what = (
        f"{plan.side.value} {plan.symbol}"
        if terms is None
        else f"{terms.position_side} {plan.symbol} (futures)"
    )
    lines = [f"📡 Signal from {title}: {what}"]
    for i, e in enumerate(plan.entries, 1):
        how = (
            e.order_type.value
            if e.trailing_percent is None
            else trailing_entry_text(e.trailing_percent, e.price)
        )
        lines.append(
            f"Entry {i}: {amount(e.quantity)} at {price(e.price)} ({how}), {money(e.quantity * e.price)} {quote}"
        )
    lines += plan_rules_lines(plan.rules, len(plan.entries))
    if any(e.trailing_percent is not None for e in plan.entries):
        lines.append(TRAILING_ENTRIES)
    if (not_applied := trailing_not_applied(plan, terms is not None)) is not None:
        lines.append(not_applied)
    for i, (target, share) in enumerate(plan.targets, 1):
        lines.append(f"Target {i}: {price(target)} ({money(share * 100, 0)}%)")
    lines.append(f"Stop: {price(plan.stop_loss)}" if plan.stop_loss is not None else "Stop: none")
    if terms is None:
        lines.append(
            f"Cost {money(plan.cost)} {quote}, fees ~{money(plan.fees)}, at risk {money(plan.at_risk)} {quote}"
        )
        if plan.leverage_asked is not None:  # a source set to spot
            lines.append(
                f"The signal's {plan.leverage_asked.normalize():f}x is not taken: this trades spot, at 1x."
            )
    else:
        lines += futures_plan_lines(terms, plan.stop_loss, plan.cost, quote)
        lines.append(f"Fees ~{money(plan.fees)} {quote}, at risk {money(plan.at_risk)} {quote}")
    if plan_draft.risk_percent is not None:
        lines.append(
            f"Sized from {plan_draft.risk_percent.normalize():f}% risk, as you chose for this source."
        )
    lines.extend(f"⚠️ {doubt[0].upper()}{doubt[1:]}" for doubt in plan.doubts)
    if auto:
        lines.append("Followed automatically (you chose to always follow this source).")
        if any(draft.move_stop_to_entry for draft in plan_draft.drafts):
            lines.append("The stop moves to the entry after target 1, as you chose for this source.")
    return "\n".join(lines)


def plan_result(result: PlanResult) -> str:
    lines = [order_result(o) for o in result.orders]
    lines.extend(f"✖️ Entry {price(d.preview.price)} not placed: {reason}" for d, reason in result.failures)
    lines.extend(f"⏳ Entry {price(d.preview.price)}: {told}" for d, told in result.unconfirmed)
    lines.extend(
        f"🎯 Entry {price(d.preview.price)}: trailing entry armed; it buys {amount(d.quantity)} at market when "
        "the price turns back up."
        for d in result.armed
    )
    return "\n".join(lines) or "Nothing was placed."


def bracket_fill_text(fill: BracketFill) -> str:
    """A target or a stop reached and filled, as the trader is told it."""
    base = _base_of(fill.symbol)
    verb = "sold" if fill.side is Side.SELL else "bought back"
    done = f"{verb} {amount(fill.quantity)} {base} ({signed(fill.pnl)} {fill.quote})"
    if fill.role is OrderRole.STOP_LOSS:
        return f"🛑 {fill.symbol} stop hit at {price(fill.price)}: {done}."
    which = f"target {fill.target} of {fill.targets}" if fill.target else "target"
    text = f"🎯 {fill.symbol} {which} hit at {price(fill.price)}: {done}."
    if fill.stop_moved_to is not None:
        return f"{text} Stop moved to entry {price(fill.stop_moved_to)}."
    return f"{text} Position closed." if fill.closed else text


def signal_closed_text(closed: ClosedSignal) -> str:
    return (
        f"🏁 Signal {closed.symbol} {closed.signal.spec.side.value} from {closed.source_title} closed: "
        f"{closed.outcome.value}, {signed(closed.pnl)} {closed.quote}."
    )


def alert_set(alert: Alert, now: Decimal) -> str:
    return (
        f"🔔 Alert set: {alert.symbol} {alert.condition.value} {price(alert.threshold)} (now {price(now)})."
    )


def alert_fired(alert: Alert, now: Decimal) -> str:
    return f"🔔 {alert.symbol} is {alert.condition.value} {price(alert.threshold)}: now {price(now)}."


def alerts_text(alerts: Sequence[Alert]) -> str:
    if not alerts:
        return "You have no alerts. Try: alert me if SOL drops below 120"
    return "Your alerts:\n" + "\n".join(
        f"• {a.symbol} {a.condition.value} {price(a.threshold)}" for a in alerts
    )


def sources_text(stats: Sequence[SourceStats]) -> str:
    if not stats:
        return "No signal sources yet: forward a signal from a channel."
    lines = ["Signal sources:"]
    for s in stats:
        rate = f"{money(s.win_rate, 0)}%" if s.win_rate is not None else "n/a"
        auto = ", followed automatically" if s.source.auto_follow else ""
        if s.source.auto_follow and s.source.move_stop_to_entry:
            auto += " (stop to entry after target 1)"
        source = s.source
        if source.stop_mode is not None:
            mode = source_mode_text(source.stop_mode, source.stop_mode_percent, source.stop_mode_after_target)
            auto += f"; its positions get {mode}"
        closed = f" ({s.wins} won, {s.losses} lost)" if s.wins or s.losses else ""
        lines.append(
            f"• #{s.source.id} {s.source.title}: {s.signals} signals, {s.followed} followed, win rate {rate}"
            f"{closed}, P&L {signed(s.pnl)}{auto}\n   {source_settings_text(s.source)}"
        )
    lines.append("See or change a source's settings (market, risk, entry rules): /source N, N its number.")
    return "\n".join(lines)


def source_settings_text(source: SignalSource) -> str:
    market, risk = source.settings.market, source.settings.risk_percent
    where = {
        SourceMarket.AUTO: "market auto (shorts and leverage on futures)",
        SourceMarket.SPOT: "market spot (shorts refused)",
        SourceMarket.FUTURES: "market futures",
    }[market]
    sized = "sized from the amount" if risk is None else f"sized from {risk.normalize():f}% risk"
    return f"{where}, {sized}"


def markets_text(venue: str, assets: Sequence[str]) -> str:
    """The coins a user's account trades, for "what coins can I trade?"."""
    if not assets:
        return f"Your {venue} account lists no market right now."
    return (
        f"Your {venue} account trades {len(assets)} coins: {', '.join(assets)}.\n"
        "Ask for any of them, e.g. 'price of " + assets[0] + "' or 'buy $50 of " + assets[0] + "'."
    )

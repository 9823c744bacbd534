"""What the kill switch and the pauses of automatic following say in the chat (pure functions)."""

from collections.abc import Sequence

from handlers.render import amount, money, order_result
from trading.domain.enums import OrderRole
from trading.domain.money import price_text
from trading.domain.orders import Order
from trading.domain.protections import FollowPause, PauseKind
from trading.usecases.follow_pauses import FollowingState, pause_text, when_text
from trading.usecases.kill_switch import (
    CancelAllDone,
    CancelAllPreview,
    CloseAllPreview,
    Closing,
    ClosingDone,
)

NOTHING_TO_CLOSE = "You hold no positions: there is nothing to close."
NOTHING_TO_CANCEL = "You have no open orders: there is nothing to cancel."
NOT_PAUSED = "Automatic following was not paused: nothing to resume."


def order_line(order: Order) -> str:
    """An open order in a line: "#5 buy limit 0.1 ETH/USDT at 2,500.00", "#3 stop loss 0.5 ETH/USDT at 2,800.00"."""
    what = f"{order.side.value} {order.order_type.value}"
    if order.role in (OrderRole.STOP_LOSS, OrderRole.TAKE_PROFIT):
        what = order.role.value.replace("_", " ")
    at = "" if order.price is None else f" at {price_text(order.price)}"
    return f"#{order.id} {what} {amount(order.quantity - order.filled)} {order.symbol}{at}"


def _closing_line(closing: Closing) -> str:
    base = closing.symbol.split("/", 1)[0]
    what = (
        f"sell {amount(closing.quantity)} {base} ({closing.symbol})"
        if closing.position is None
        else f"close the {base} {closing.position.value} of {amount(closing.quantity)} ({closing.symbol}, a "
        f"{closing.side.value} reduce-only)"
    )
    worth = "no price now" if closing.value is None else f"≈ {money(closing.value)} {closing.quote}"
    line = f"• {what}, {worth}"
    if closing.cancels:
        line += "; first cancelled: " + ", ".join(order_line(o) for o in closing.cancels)
    return line


def close_all_preview(preview: CloseAllPreview, ttl_seconds: int) -> str:
    if not preview.closings:
        return NOTHING_TO_CLOSE
    lines = ["🛑 Close all your positions, at market:"]
    lines.extend(_closing_line(closing) for closing in preview.closings)
    if preview.totals:
        totals = " + ".join(f"{money(value)} {quote}" for quote, value in preview.totals.items())
        lines.append(f"≈ {totals} in all, before fees.")
    lines.append(
        "Each sale or close goes through your risk limits; one refused is told and the rest go on. "
        f"Confirm within {ttl_seconds} seconds."
    )
    return "\n".join(lines)


def close_all_result(done: Sequence[ClosingDone]) -> str:
    if not done:
        return "Nothing was left to close."
    lines = ["🛑 Close all:"]
    for each in done:
        if each.cancelled:
            lines.append(
                f"Cancelled on {each.closing.symbol}: " + ", ".join(f"#{o.id}" for o in each.cancelled)
            )
        lines.extend(f"⚠️ {why}" for why in each.refused)
        if each.order is not None:
            lines.append(order_result(each.order))
        else:
            lines.append(f"✖️ {each.closing.symbol} not closed: {each.error}")
    return "\n".join(lines)


def cancel_all_preview(preview: CancelAllPreview, ttl_seconds: int) -> str:
    in_flight = (
        [
            f"Not cancellable yet (their venue has not answered): {', '.join(f'#{o.id}' for o in preview.in_flight)}"
        ]
        if preview.in_flight
        else []
    )
    if not preview.orders and not preview.trailing:
        return "\n".join([NOTHING_TO_CANCEL, *in_flight])
    count = len(preview.orders)
    lines = [f"🧹 Cancel all {count} open order{'s' if count > 1 else ''}:" if count else "🧹 Cancel all:"]
    lines.extend(f"• {order_line(order)}" for order in preview.orders)
    lines.extend(
        f"• Trailing entry {r.symbol} armed at {price_text(r.mode.entry)}: ended, nothing bought"
        for r in preview.trailing
    )
    stops = preview.protecting
    if stops:
        named = ", ".join(f"#{o.id} {o.symbol}" for o in stops)
        lines.append(
            f"⚠️ {len(stops)} of them {'are stops' if len(stops) > 1 else 'is a stop'} protecting a position "
            f"({named}): once cancelled, that position has no stop."
        )
    lines += in_flight
    lines.append(f"Nothing is sold. Confirm within {ttl_seconds} seconds.")
    return "\n".join(lines)


def cancel_all_result(done: CancelAllDone) -> str:
    lines = [
        f"🧹 Cancelled {len(done.cancelled)} order{'s' if len(done.cancelled) != 1 else ''}"
        + (": " + ", ".join(f"#{o.id}" for o in done.cancelled) if done.cancelled else ".")
    ]
    if done.ended:
        count = len(done.ended)
        lines.append(f"Ended {count} trailing entr{'ies' if count != 1 else 'y'}: nothing bought.")
    lines.extend(f"✖️ #{order.id} not cancelled: {why}" for order, why in done.refused)
    return "\n".join(lines)


def paused_text(state: FollowingState) -> str:
    lines = [
        "⏸ Automatic following is paused: signals of the sources you follow automatically are shown to you "
        "to follow or not, never followed on their own, until you say 'resume auto follow'."
    ]
    others = [p for p in state.pauses if p.kind is not PauseKind.MANUAL]
    lines.extend(f"Also: {pause_text(p, state.titles.get(p.source_id or 0))}." for p in others)
    return "\n".join(lines)


def resumed_text(lifted: Sequence[FollowPause]) -> str:
    if not lifted:
        return NOT_PAUSED
    why = "; ".join(
        pause.reason + ("" if pause.until is None else f" (until {when_text(pause.until)})")
        for pause in lifted
    )
    return f"▶️ Automatic following resumes. Lifted: {why}."

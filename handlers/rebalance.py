"""Rebalancing in chat: "rebalance to 50% btc 30% eth 20% usdt" previews the trades (fees, what the minimums
leave out) with Confirm; Confirm plans again at that moment's prices and places them."""

import secrets
from decimal import Decimal

from aiogram import Router
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

from handlers.render import amount, money, order_result
from handlers.replies import edit, reply
from trading.domain.accounts import User
from trading.domain.rebalance import RebalancePlan
from trading.usecases.core import Core
from trading.usecases.rebalancing import TradeOutcome, preview_rebalance, rebalance

NOTHING_TO_DO = (
    "Your account is already there (or every trade would be below the venue's minimum): nothing to do."
)


class RebalanceAction(CallbackData, prefix="r"):
    action: str  # confirm | cancel
    ref: str  # the shares kept in the chat's state


def rebalance_text(plan: RebalancePlan, targets: dict[str, Decimal]) -> str:
    now = ", ".join(f"{asset} {share:.1f}%" for asset, share in sorted(plan.current.items()))
    aim = ", ".join(f"{asset} {share.normalize():f}%" for asset, share in targets.items())
    lines = [f"📝 Rebalance {money(plan.equity)} from {now or 'nothing'} to {aim}:", *trade_lines(plan)]
    lines.append(f"Fees in all: ~{money(plan.fees)}. Sales go first; Confirm places them at the prices then.")
    return "\n".join(lines)


def trade_lines(plan: RebalancePlan) -> list[str]:
    """Each trade of a rebalance, with its value and fee, then what the minimums leave out."""
    lines = []
    for trade in plan.trades:
        base = trade.symbol.split("/", 1)[0]
        lines.append(
            f"• {trade.side.value} {amount(trade.quantity)} {base} (~{money(trade.value)}, fee ~{money(trade.fee)})"
        )
    return lines + [f"• {asset} left out: {why}" for asset, why in plan.left_out]


def outcome_line(outcome: TradeOutcome) -> str:
    if outcome.order is not None:
        return order_result(outcome.order)
    return f"⚠️ {outcome.trade.side.value} {outcome.trade.symbol}: not placed: {outcome.error}"


async def preview(
    message: Message, targets: dict[str, Decimal], core: Core, user: User, state: FSMContext
) -> None:
    plan = await preview_rebalance(core, user.id, targets)
    if not plan.trades:
        await reply(message, NOTHING_TO_DO)
        return
    ref = secrets.token_urlsafe(6)
    kept = dict((await state.get_data()).get("rebalances", {}))
    await state.update_data(
        rebalances=dict(list(kept.items())[-4:]) | {ref: {a: str(s) for a, s in targets.items()}}
    )
    buttons = [
        InlineKeyboardButton(
            text="✅ Confirm", callback_data=RebalanceAction(action="confirm", ref=ref).pack()
        ),
        InlineKeyboardButton(text="✖️ Cancel", callback_data=RebalanceAction(action="cancel", ref=ref).pack()),
    ]
    await reply(
        message, rebalance_text(plan, targets), reply_markup=InlineKeyboardMarkup(inline_keyboard=[buttons])
    )


async def on_action(
    query: CallbackQuery, callback_data: RebalanceAction, core: Core, user: User, state: FSMContext
) -> None:
    kept = dict((await state.get_data()).get("rebalances", {}))
    shares = kept.pop(callback_data.ref, None)
    await state.update_data(rebalances=kept)
    if shares is None or callback_data.action != "confirm":
        await edit(
            query,
            "All right, nothing was traded."
            if shares is not None
            else "This rebalance is no longer waiting.",
        )
        await query.answer()
        return
    outcomes = await rebalance(core, user.id, {asset: Decimal(share) for asset, share in shares.items()})
    await edit(
        query, "\n".join(["Rebalanced:", *(outcome_line(o) for o in outcomes)]) if outcomes else NOTHING_TO_DO
    )
    await query.answer("Rebalanced.")


def make_router() -> Router:
    router = Router(name="rebalance")
    router.callback_query.register(on_action, RebalanceAction.filter())
    return router

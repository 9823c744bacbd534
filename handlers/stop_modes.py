"""Stops that move, in the chat: "trail my eth stop 3%", "moving target on my eth stop", "move my eth stop to
break even after target 2" preview the mode (where it puts the stop now, how it moves), with Confirm and Keep;
a tap puts it in force once."""

from dataclasses import replace
from decimal import Decimal

from aiogram import F, Router
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

from handlers.keyboards import StopModeAction
from handlers.replies import edit, reply
from nlp.result import ParseResult
from trading.domain.accounts import User
from trading.domain.enums import OrderType
from trading.domain.errors import TradingError
from trading.domain.intents import OrderIntent
from trading.domain.money import price_text
from trading.domain.stop_modes import NAMES, PositionStopMode, StopModeKind
from trading.usecases.core import Core
from trading.usecases.stop_mode_setting import (
    StopModePreview,
    StopModeRequest,
    confirm_stop_mode,
    decline_stop_mode,
    preview_stop_mode,
)
from trading.usecases.trailing_entries import TrailingEntryPreview, lapses_at, preview_trailing_entry

HOW_FAR = "How far below the price should your stop trail? Say e.g. 'trail my ETH stop 3%'."
HOW_FAR_BACK_FROM_BEST = (
    "How far should the price fall back from its best before the rest is sold? Say e.g. 'trail my ETH take "
    "profit 3%'."
)
WHICH_COIN = "Which coin's stop? Say e.g. 'trail my ETH stop 3%'."
HOW_FAR_BACK = "How far should the price turn back up before buying? Say e.g. 'trailing buy 0.1 ETH 2%'."
KEPT = "All right: nothing changes."
NOT_ABOVE = (
    "A trailing entry waits for the price to fall to a level and turn back up: give the level with 'at' or "
    "'below', e.g. 'trailing buy 0.1 ETH at 2900 2%'. For a buy once the price rises above a level, say "
    "'buy 0.1 ETH above 3100'."
)


def mode_text(record: PositionStopMode) -> str:
    """What a mode does, in a few words ("trails 3% below the high")."""
    mode, base = record.mode, record.symbol.split("/")[0]
    if mode.kind is StopModeKind.TRAILING:
        where = "below the highest price" if mode.long else "above the lowest price"
        return f"your {base} stop trails {mode.percent}% {where} since it was set"
    if mode.kind is StopModeKind.BREAK_EVEN:
        return f"your {base} stop moves to your entry once target {mode.after_target} is reached"
    if mode.kind is StopModeKind.MOVING_TARGET:
        return f"your {base} stop moves behind each target reached (to your entry after the first)"
    if mode.kind is StopModeKind.TRAILING_ENTRY:
        return f"{base} is bought once it turns back up {mode.percent}% from a low below {price_text(mode.entry)}"
    return (
        f"your {base} position closes on a {mode.percent}% fall back from its best once a target is reached"
    )


def preview_text(preview: StopModePreview, ttl_seconds: int) -> str:
    stop = preview.stop
    assert stop.price is not None
    now = (
        f"It moves now: {price_text(stop.price)} → {price_text(preview.stop_now)}."
        if preview.stop_now is not None
        else f"It stays at {price_text(stop.price)} until the market moves it."
    )
    return "\n".join(
        [
            f"📝 From now on, {mode_text(preview.record)}.",
            f"The market is at {price_text(preview.price)}; your stop is at {price_text(stop.price)}. {now}",
            "A stop only ever moves toward the price, never back.",
            f"This preview expires in {ttl_seconds // 60 or 1} min.",
        ]
    )


def confirm_keyboard(mode_id: str) -> InlineKeyboardMarkup:
    def button(text: str, action: str) -> InlineKeyboardButton:
        return InlineKeyboardButton(
            text=text, callback_data=StopModeAction(action=action, mode_id=mode_id).pack()
        )

    return InlineKeyboardMarkup(
        inline_keyboard=[[button("✅ Confirm", "set"), button("✖️ Keep my stop", "keep")]]
    )


async def preview_mode(message: Message, parsed: ParseResult, core: Core, user: User) -> None:
    """A stop mode for a position held ("trail my eth stop 3%", "moving target on my eth stop", "move my eth
    stop to break even after target 2"): previewed, with Confirm and Keep."""
    request = mode_request(parsed)
    if parsed.symbol is None or request is None:
        take_profit = parsed.stop_mode == "trailing_take_profit"
        await reply(
            message,
            WHICH_COIN if parsed.symbol is None else HOW_FAR_BACK_FROM_BEST if take_profit else HOW_FAR,
        )
        return
    preview = await preview_stop_mode(core, user.id, parsed.symbol, parsed.quote, request)
    ttl = int(core.config.draft_ttl.total_seconds())
    await reply(message, preview_text(preview, ttl), reply_markup=confirm_keyboard(preview.record.id))


def mode_request(parsed: ParseResult) -> StopModeRequest | None:
    """The mode the message asks for; None where a trailing one gives no percentage."""
    percent = Decimal(parsed.stop_loss_percent) if parsed.stop_loss_percent is not None else None
    if parsed.stop_mode == "moving_target":
        return StopModeRequest(StopModeKind.MOVING_TARGET)
    if parsed.stop_mode == "break_even":
        return StopModeRequest(StopModeKind.BREAK_EVEN, after_target=parsed.after_target or 1)
    kind = StopModeKind.TRAILING_TAKE_PROFIT if parsed.stop_mode else StopModeKind.TRAILING
    return StopModeRequest(kind, percent) if percent is not None else None


async def preview_entry(
    message: Message, parsed: ParseResult, intent: OrderIntent, core: Core, user: User
) -> None:
    """A buy to trail in ("trailing buy 0.1 eth 2%", "... at 2900 2%": once the ask has been at or below 2900):
    previewed with its level and what it buys, with Confirm and Keep."""
    if parsed.trailing_entry is None:
        await reply(message, HOW_FAR_BACK)
        return
    if intent.order_type is OrderType.STOP:
        await reply(message, NOT_ABOVE)
        return
    at_market = replace(intent, order_type=OrderType.MARKET, price=None)
    preview = await preview_trailing_entry(core, user.id, at_market, parsed.trailing_entry, intent.price)
    text = entry_preview_text(preview, intent.price is not None, int(core.config.draft_ttl.total_seconds()))
    await reply(message, text, reply_markup=confirm_keyboard(preview.record.id))


def entry_preview_text(preview: TrailingEntryPreview, level_given: bool, ttl_seconds: int) -> str:
    """The preview of a trailing entry: what it waits for (its level, where one was given), what it buys."""
    level, market = price_text(preview.record.mode.entry), price_text(preview.price)
    if not level_given:
        waits = f"It follows the low from the market now ({market})."
    elif preview.armed_at_once:
        waits = f"{level} is at or above the market ({market}): it is armed at once, and follows the low from now."
    else:
        waits = f"It waits for the price to reach {level} first (the market is at {market} now)."
    base = preview.record.symbol.split("/")[0]
    return "\n".join(
        [
            f"📝 Trailing entry: {mode_text(preview.record)}.",
            waits,
            f"It buys {preview.draft.quantity.normalize():f} {base} at market then, once, and tells you; it "
            "waits up to a week.",
            f"This preview expires in {ttl_seconds // 60 or 1} min.",
        ]
    )


def modes_in_force_text(records: list[PositionStopMode]) -> str:
    """The stops that move, each on its market, and how one is ended (the orders list shows only the stop)."""
    lines = ["Stops that move:", *(f"• {record.symbol}: {mode_text(record)}" for record in records)]
    base = records[0].symbol.split("/")[0]
    lines.append(
        f"To end one, say e.g. 'turn off the {NAMES[records[0].mode.kind]} on {base}': the stop stays."
    )
    return "\n".join(lines)


def waiting_entries_text(records: list[PositionStopMode]) -> str:
    """The trailing entries waiting to buy, each until its draft expires (it ends unbought then)."""
    lines = ["Trailing entries waiting:"]
    for record in records:
        until = lapses_at(record)
        while_ = "while its signal's plan waits" if until is None else f"until {until:%Y-%m-%d %H:%M UTC}"
        lines.append(f"• {record.symbol}: {mode_text(record)}; {while_}")
    return "\n".join(lines)


async def on_action(query: CallbackQuery, callback_data: StopModeAction, core: Core, user: User) -> None:
    if callback_data.action != "set":  # a trailing entry's buy is cancelled with its preview
        await decline_stop_mode(core, user.id, callback_data.mode_id)
        await edit(query, KEPT)
        await query.answer()
        return
    try:
        record = await confirm_stop_mode(core, user.id, callback_data.mode_id)
    except TradingError as error:  # expired, or confirmed already (a second tap)
        await query.answer(error.message, show_alert=True)
        return
    await edit(query, f"✅ Done: {mode_text(record)}.")
    await query.answer("Done.")


def make_router() -> Router:
    router = Router(name="stop-modes")
    router.callback_query.register(on_action, StopModeAction.filter(F.action.in_({"set", "keep"})))
    return router

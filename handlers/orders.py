"""Orders: the preview with Confirm, Change amount and Cancel; the open orders with a cancel button each."""

from decimal import Decimal, InvalidOperation

from aiogram import F, Router
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message

from handlers.automations import preview_plan
from handlers.config import BotConfig
from handlers.filters import HAS_TEXT
from handlers.keyboards import (
    DraftAction,
    OrderAction,
    StopModeAction,
    draft_keyboard,
    fills_at_once_keyboard,
    orders_keyboard,
    stop_move_keyboard,
)
from handlers.render import draft_preview, order_result, orders_text, stop_move_preview, stop_moved
from handlers.replies import edit, reply
from handlers.stop_mode_off import turn_off
from handlers.stop_modes import modes_in_force_text, preview_entry, preview_mode, waiting_entries_text
from nlp.result import ParseResult
from trading.domain.accounts import User
from trading.domain.enums import AmountUnit, OrderType, Side
from trading.domain.errors import (
    DraftAlreadyUsed,
    DraftExpired,
    ExchangeUnavailable,
    InvalidInput,
    NotFound,
    TradingError,
)
from trading.domain.futures import PositionSide
from trading.domain.intents import OrderIntent
from trading.domain.orders import Order, OrderDraft
from trading.domain.stop_modes import StopModeKind
from trading.usecases.core import Core
from trading.usecases.drafting import draft_order
from trading.usecases.execution import cancel_draft, cancel_order, confirm_draft
from trading.usecases.quotes import open_orders, order_legs
from trading.usecases.redrafting import redraft
from trading.usecases.stop_mode_setting import end_stop_mode, stop_modes_of, stop_price_for
from trading.usecases.stop_moves import draft_stop_move

HOW_MUCH = "How much {symbol} should I {side}? Say e.g. '{side} 0.1 {symbol}' or '{side} $50 of {symbol}'."
WHICH_STOP = "Say the coin and the stop price, e.g. 'set my ETH stop to 3000'."
WHICH_POSITION = "Which position should I close? Say e.g. 'close my ETH'; 'portfolio' lists what you hold."

NO_SUCH_ORDER = (
    "Order #{id} is not open: it filled, was cancelled, or is not one of yours. /orders lists yours."
)

ENTRY_OFF_ALREADY = (
    "That trailing entry is off already: it was turned off, bought or expired. /orders lists yours."
)


class ChangeAmount(StatesGroup):
    waiting = State()


def intent_of(parsed: ParseResult) -> OrderIntent | None:
    """The order a parse asks for, or None when it lacks what an order needs (asked back, never guessed)."""
    # Closing a position is the same request as a market sale of all of it (the parse contract); a futures
    # position named ("close my eth short") is closed on its side.
    closing = parsed.intent == "close_position"
    position = PositionSide(parsed.position) if parsed.position else None
    side = parsed.side or (
        (position.closing_side.value if position is not None else "sell") if closing else None
    )
    if parsed.symbol is None or side is None:
        return None
    amount, unit = parsed.amount, parsed.amount_unit
    if closing and amount is None:
        amount, unit = Decimal(100), "percent"
    if amount is None:
        return None
    return OrderIntent(
        symbol=parsed.symbol,
        side=Side(side),
        amount=amount,
        amount_unit=AmountUnit(unit or "base"),
        order_type=OrderType(parsed.order_type or ("limit" if parsed.price else "market")),
        price=parsed.price,
        quote=parsed.quote,
        stop_loss=parsed.stop_loss,
        take_profits=parsed.targets,
        leverage=parsed.leverage,
        stop_loss_percent=parsed.stop_loss_percent,
        take_profit_percents=parsed.target_percents,
        position=position,
    )


async def preview(message: Message, parsed: ParseResult, core: Core, user: User, config: BotConfig) -> None:
    if parsed.intent == "close_position" and parsed.symbol is None:
        await reply(message, WHICH_POSITION)
        return
    intent = intent_of(parsed)
    if intent is None:
        side = parsed.side or "buy"
        await reply(message, HOW_MUCH.format(symbol=parsed.symbol or "BTC", side=side))
        return
    if parsed.repeat is not None or parsed.spread_over is not None:
        await preview_plan(message, parsed, intent, core, user)
        return
    if parsed.trailing:  # "trailing buy 0.1 eth 2%": a trailing entry, never a plain buy
        await preview_entry(message, parsed, intent, core, user)
        return
    await send_preview(message, core, user, config, intent)


async def preview_stop(
    message: Message, parsed: ParseResult, core: Core, user: User, config: BotConfig
) -> None:
    """A stop for coins already held ("set my eth stop to 3000", "... at 5%", "... to break even"): the stop
    that guards them moved there, or, where none does, a stop order to sell all of them; previewed and
    confirmed like any order. A stop to trail ("trail my eth stop 3%"), a moving target or a break-even after a
    target is a stop mode (handlers.stop_modes)."""
    if parsed.stop_mode_off:
        await turn_off(message, parsed, core, user)
        return
    if parsed.trailing or parsed.stop_mode is not None:
        await preview_mode(message, parsed, core, user)
        return
    at = parsed.stop_loss
    asked_without_price = parsed.stop_loss_percent or parsed.update == "move_stop_to_entry"
    if parsed.symbol is not None and at is None and asked_without_price:
        at = await stop_price_for(core, user.id, parsed.symbol, parsed.quote, parsed.stop_loss_percent)
    if parsed.symbol is None or at is None:
        await reply(message, WHICH_STOP)
        return
    moving = await draft_stop_move(core, user.id, parsed.symbol, parsed.quote, at)
    if moving is not None:
        draft, stop = moving
        await reply(
            message,
            stop_move_preview(draft, stop, config.draft_ttl_seconds),
            reply_markup=stop_move_keyboard(draft.id),
        )
        return
    intent = OrderIntent(parsed.symbol, Side.SELL, Decimal(100), AmountUnit.PERCENT, OrderType.STOP, at)
    await send_preview(message, core, user, config, intent)


async def send_preview(
    message: Message, core: Core, user: User, config: BotConfig, intent: OrderIntent
) -> None:
    await reply_preview(message, await draft_order(core, user.id, intent), config)


async def reply_preview(message: Message, draft: OrderDraft, config: BotConfig) -> None:
    """A limit order on the wrong side of the market is offered as a breakout or a market order instead."""
    keyboard = (
        fills_at_once_keyboard(draft)
        if draft.preview.fills_at_once_near is not None
        else draft_keyboard(draft.id)
    )
    await reply(message, draft_preview(draft, config.draft_ttl_seconds), reply_markup=keyboard)


async def show_orders(message: Message, core: Core, user: User, order_id: int | None = None) -> None:
    """The open orders with a Cancel button each, and the trailing entries waiting to buy; `order_id`: only
    that order ("cancel order 2")."""
    if order_id is None:
        text, keyboard = await orders_view(core, user.id)
        await reply(message, text, reply_markup=keyboard)
        return
    orders = [o for o in await open_orders(core, user.id) if o.id == order_id]
    if not orders:
        await reply(message, NO_SUCH_ORDER.format(id=order_id))
        return
    await reply(message, orders_text(orders), reply_markup=orders_keyboard(orders))


async def orders_view(core: Core, user_id: int) -> tuple[str, InlineKeyboardMarkup | None]:
    """The open orders, the stops that move among them, then the trailing entries waiting to buy, with a Cancel
    button each."""
    orders = await open_orders(core, user_id)
    modes = await stop_modes_of(core, user_id)
    waiting = [r for r in modes if r.mode.kind is StopModeKind.TRAILING_ENTRY]
    moving = [r for r in modes if r.mode.kind is not StopModeKind.TRAILING_ENTRY]
    parts = [orders_text(orders)]
    parts += [modes_in_force_text(moving)] if moving else []
    parts += [waiting_entries_text(waiting)] if waiting else []
    return "\n\n".join(parts), orders_keyboard(orders, waiting)


async def confirm(query: CallbackQuery, callback_data: DraftAction, core: Core, user: User) -> None:
    order = await _confirmed(query, core, user, callback_data.draft_id, "Not placed")
    if order is not None:
        await edit(query, order_result(order, await order_legs(core, user.id, order.id)))
        await query.answer("Order placed.")


async def confirm_move(query: CallbackQuery, callback_data: DraftAction, core: Core, user: User) -> None:
    order = await _confirmed(query, core, user, callback_data.draft_id, "Not moved")
    if order is not None:
        await edit(query, stop_moved(order))
        await query.answer("Stop moved.")


async def _confirmed(
    query: CallbackQuery, core: Core, user: User, draft_id: str, failed: str
) -> Order | None:
    """The draft carried out; None where it could not be, the message edited and the tap answered to say why."""
    try:
        return await confirm_draft(core, user.id, draft_id)
    except (DraftExpired, DraftAlreadyUsed) as error:
        await query.answer(error.message, show_alert=True)
        if isinstance(error, DraftExpired):
            await edit(query, f"⌛ {error.message}")
    except ExchangeUnavailable as error:  # maybe placed: it is looked up, and the trader told
        await edit(query, f"⏳ {error.message}")
        await query.answer(error.message, show_alert=True)
    except TradingError as error:
        await edit(query, f"✖️ {failed}: {error.message}")
        await query.answer(error.message, show_alert=True)
    return None


async def cancel(query: CallbackQuery, callback_data: DraftAction, core: Core, user: User) -> None:
    await cancel_draft(core, user.id, callback_data.draft_id)
    await edit(query, "Cancelled: nothing was placed.")
    await query.answer("Cancelled.")


async def ask_amount(query: CallbackQuery, callback_data: DraftAction, state: FSMContext) -> None:
    await state.set_state(ChangeAmount.waiting)
    await state.update_data(draft_id=callback_data.draft_id)
    await query.answer()
    if isinstance(query.message, Message):
        # This preview is being replaced: its buttons go, so that only the new preview can be confirmed.
        await edit(query, f"{query.message.text}\n\n✏️ Replaced: a new preview follows with the new amount.")
        await reply(query.message, "Send the new amount, e.g. 0.05 (in the coin) or $100 (in the quote).")


def _amount(text: str) -> tuple[Decimal, AmountUnit]:
    cleaned = text.strip().lower().replace(",", "")
    unit = AmountUnit.BASE
    if cleaned.startswith("$") or cleaned.endswith(("usdt", "usd", "$")):
        unit = AmountUnit.QUOTE
    elif cleaned.endswith("%"):
        unit = AmountUnit.PERCENT
    number = cleaned.strip("$%").removesuffix("usdt").removesuffix("usd").strip()
    try:
        value = Decimal(number)
    except InvalidOperation:
        raise InvalidInput("That is not an amount; send a number such as 0.05 or $100.") from None
    if not value.is_finite() or value <= 0:
        raise InvalidInput("The amount must be a number above zero.")
    return value, unit


async def new_amount(message: Message, state: FSMContext, core: Core, user: User, config: BotConfig) -> None:
    amount = _amount(message.text or "")
    draft_id = (await state.get_data()).get("draft_id", "")
    await state.clear()
    draft = await redraft(core, user.id, draft_id, amount=amount)
    await reply_preview(message, draft, config)


async def place_otherwise(
    query: CallbackQuery, callback_data: DraftAction, core: Core, user: User, config: BotConfig
) -> None:
    """A limit order that would fill at once, drafted again as the trader chose: a breakout (stop) entry at
    its price, or a market order now."""
    order_type = OrderType.STOP if callback_data.action == "breakout" else OrderType.MARKET
    draft = await redraft(core, user.id, callback_data.draft_id, order_type=order_type)
    await query.answer()
    if isinstance(query.message, Message):
        await edit(query, f"{query.message.text}\n\n✏️ Replaced: a new preview follows.")
        await reply_preview(query.message, draft, config)


async def cancel_open(query: CallbackQuery, callback_data: OrderAction, core: Core, user: User) -> None:
    order = await cancel_order(core, user.id, callback_data.order_id)
    await edit(query, *await orders_view(core, user.id))
    await query.answer(f"Order #{order.id} {order.status.value}.")


async def turn_entry_off(query: CallbackQuery, callback_data: StopModeAction, core: Core, user: User) -> None:
    """A trailing entry's Cancel in the orders list: the entry ended and its buy cancelled (as the API's
    DELETE does), the list shown again. A forged one naming another kind of mode is refused (handlers.errors)."""
    try:
        record = await end_stop_mode(core, user.id, callback_data.mode_id, StopModeKind.TRAILING_ENTRY)
    except NotFound:  # a second tap, or an entry that bought or lapsed since the list was shown
        await query.answer(ENTRY_OFF_ALREADY, show_alert=True)
        return
    await edit(query, *await orders_view(core, user.id))
    await query.answer(f"Your trailing entry on {record.symbol} is off: nothing will be bought.")


def make_buttons_router() -> Router:
    """The order buttons, ahead of the feature routers: a preview's buttons are the ones tapped most, and no
    other router takes their callback data, so they skip the others' filters."""
    router = Router(name="order-buttons")
    router.callback_query.register(confirm, DraftAction.filter(F.action == "confirm"))
    router.callback_query.register(confirm_move, DraftAction.filter(F.action == "move"))
    router.callback_query.register(cancel, DraftAction.filter(F.action == "cancel"))
    router.callback_query.register(ask_amount, DraftAction.filter(F.action == "amount"))
    router.callback_query.register(place_otherwise, DraftAction.filter(F.action.in_({"breakout", "market"})))
    router.callback_query.register(cancel_open, OrderAction.filter(F.action == "cancel"))
    router.callback_query.register(turn_entry_off, StopModeAction.filter(F.action == "off"))
    return router


def make_router() -> Router:
    """The new amount of a preview, after the commands (/cancel) that end its conversation."""
    router = Router(name="orders")
    router.message.register(new_amount, StateFilter(ChangeAmount.waiting), HAS_TEXT)
    return router

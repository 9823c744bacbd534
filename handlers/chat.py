"""Any text: read by the NLP pipeline and handed to its feature. An unsure reading is asked back with buttons
for the likely readings, and money is never moved on a guess."""

import re
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from aiogram import Router
from aiogram.enums import MessageOriginType
from aiogram.filters import Filter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message

from handlers import alerts, automations, kill_switch, orders, portfolio, rebalance
from handlers.config import BotConfig
from handlers.filters import HAS_TEXT
from handlers.follow_ups import read_follow_up
from handlers.keyboards import INTENT_LABELS, AskBack, ask_back_keyboard
from handlers.not_read import not_read_answer
from handlers.posts import planned_post
from handlers.render import HELP, markets_text
from handlers.replies import edit, reply
from handlers.stop_mode_off import end_entry
from nlp.automation_commands import read_automation_command
from nlp.intents import small_talk
from nlp.kill_switch import read_kill_switch
from nlp.pipeline import Pipeline
from nlp.rebalance import read_rebalance, read_rebalance_when
from nlp.reports import read_report_schedule
from nlp.result import SEND_AGAIN_FLAGS, Intent, ParseResult
from trading.domain.accounts import User
from trading.domain.alert_index import AlertIndex
from trading.ports.jobs import JobQueue
from trading.usecases.core import Core
from trading.usecases.quotes import tradable_assets

MAX_TEXT = 1000
NOT_UNDERSTOOD = (
    "I did not understand that. Say 'help' for examples, e.g. 'buy $50 of ETH' or 'price of BTC'."
)
SMALL_TALK = {
    "greeting": (
        "Hi! Tell me what to do in plain words, e.g. 'buy $50 of ETH', 'price of BTC' or 'alert me if SOL drops "
        "below 120', or forward a signal from its channel. 'help' lists more."
    ),
    "thanks": "You're welcome. I'm here whenever you want to trade: 'help' lists what I can do.",
}
RESEND = "Send it again, written as you mean it:"
# A number and nothing else: most often a new amount whose preview's Change amount no longer waits for it (the
# bot restarted, or the preview was confirmed or cancelled meanwhile).
BARE_AMOUNT = re.compile(r"\s*\$?\s*\d+(?:[.,]\d+)?\s*%?\s*")
AMOUNT_ALONE = (
    "A number alone does not say what to do. For a new amount on a preview, tap its Change amount button "
    "first; or say the whole order, e.g. 'buy {amount} BTC'."
)


@dataclass(frozen=True, slots=True)
class Asker:
    """Who asked, and what the features answer with: the Dispatcher's dependencies of this update."""

    core: Core
    user: User
    config: BotConfig
    alert_index: AlertIndex


Act = Callable[[Message, ParseResult, Asker], Awaitable[None]]


async def _help(message: Message, parsed: ParseResult, asker: Asker) -> None:
    if parsed.asks_markets:
        venue, assets = await tradable_assets(asker.core, asker.user.id)
        await reply(message, markets_text(venue, assets))
        return
    await reply(message, HELP)


# A signal pasted rather than forwarded (many paid channels block forwarding): its source is "pasted".
PASTED = "pasted"


async def _signal(message: Message, parsed: ParseResult, asker: Asker) -> None:
    text = message.text or ""
    answer, markup = await planned_post(asker.core, asker.user.id, PASTED, PASTED, text, parsed, asker.config)
    await reply(message, answer, reply_markup=markup)


async def _not_understood(message: Message, parsed: ParseResult, asker: Asker) -> None:
    talk = small_talk(message.text or "")
    await reply(message, NOT_UNDERSTOOD if talk is None else SMALL_TALK[talk])


def _order(message: Message, parsed: ParseResult, a: Asker) -> Awaitable[None]:
    return orders.preview(message, parsed, a.core, a.user, a.config)


ACTS: dict[Intent, Act] = {
    "place_order": _order,
    "close_position": _order,
    "set_stop_loss": lambda message, parsed, a: orders.preview_stop(
        message, parsed, a.core, a.user, a.config
    ),
    "orders": lambda message, parsed, a: orders.show_orders(message, a.core, a.user),
    "cancel_order": lambda message, parsed, a: orders.show_orders(message, a.core, a.user, parsed.order_id),
    "price": lambda message, parsed, a: portfolio.show_price(message, parsed, a.core, a.user),
    "portfolio": lambda message, parsed, a: portfolio.show_portfolio(message, a.core, a.user),
    "pnl": lambda message, parsed, a: portfolio.show_pnl(message, a.core, a.user),
    "set_alert": lambda message, parsed, a: alerts.add_alert(message, parsed, a.core, a.user, a.alert_index),
    "help": _help,
    "signal": _signal,
}


async def act(message: Message, parsed: ParseResult, asker: Asker) -> None:
    """Hand a reading to its feature."""
    if parsed.trailing_entry_off:  # read as a stop, a cancel or a buy: it ends the entry instead
        await end_entry(message, parsed, asker.core, asker.user)
        return
    await ACTS.get(parsed.intent, _not_understood)(message, parsed, asker)


async def follow_up(message: Message, parsed: ParseResult, asker: Asker, channel: str, title: str) -> None:
    """A post about an earlier signal of `channel`: a report is told; an instruction (close, move the stop,
    cancel) is carried out on the signal the trader followed where they follow the source automatically, and
    otherwise previewed, to confirm as any request."""
    read = await read_follow_up(asker.core, asker.user.id, channel, title, parsed)
    if read.request is None:
        await reply(message, read.note)
    else:
        await act(message, read.request, asker)


async def on_text(
    message: Message,
    pipeline: Pipeline,
    state: FSMContext,
    core: Core,
    user: User,
    config: BotConfig,
    alert_index: AlertIndex,
    jobs: JobQueue,
) -> None:
    text = (message.text or "")[:MAX_TEXT]
    if BARE_AMOUNT.fullmatch(text):
        await reply(message, AMOUNT_ALONE.format(amount=text.strip()))
        return
    if (switch := read_kill_switch(text)) is not None:  # "close all positions" is no order for one coin
        await kill_switch.on_command(message, switch, core, user)
        return
    if (command := read_automation_command(text)) is not None:
        await automations.on_command(message, command, core, user, jobs)
        return
    if (report := read_report_schedule(text)) is not None:
        await automations.preview_report(message, *report, core, user)
        return
    if (shares := read_rebalance(text)) is not None:
        if isinstance(shares, str):
            await reply(message, shares)
        elif (when := read_rebalance_when(text)) is not None:
            await automations.preview_rebalance_plan(message, shares, when, core, user)
        else:
            await rebalance.preview(message, shares, core, user, state)
        return
    parsed = await pipeline.aparse(text)
    if parsed.should_ask_back:
        await ask_back(message, parsed, text, state)
    else:
        await act(message, parsed, Asker(core, user, config, alert_index))


async def ask_back(message: Message, parsed: ParseResult, text: str, state: FSMContext) -> None:
    readings = [parsed.intent, *(a.intent for a in parsed.alternatives)]
    readings = [r for r in dict.fromkeys(readings) if r in INTENT_LABELS][:3]
    doubts = "\n".join(f"• {flag.message}" for flag in parsed.flags)
    if parsed.unread:
        language = message.from_user.language_code if message.from_user else None
        await reply(message, not_read_answer(parsed, parsed.unread, language))
        return
    if any(flag.code in SEND_AGAIN_FLAGS for flag in parsed.flags):
        await reply(message, f"{RESEND}\n{doubts}")
        return
    if not readings:
        await reply(message, f"{NOT_UNDERSTOOD}\n{doubts}".strip())
        return
    ref = secrets.token_urlsafe(6)
    pending = dict((await state.get_data()).get("asked", {}))
    pending = dict(list(pending.items())[-9:]) | {ref: text}
    await state.update_data(asked=pending)
    lead = "I am not sure what you mean. Did you want to:"
    await reply(message, f"{lead}\n{doubts}".strip(), reply_markup=ask_back_keyboard(readings, ref))


async def on_reading(
    query: CallbackQuery,
    callback_data: AskBack,
    pipeline: Pipeline,
    state: FSMContext,
    core: Core,
    user: User,
    config: BotConfig,
    alert_index: AlertIndex,
) -> None:
    pending = dict((await state.get_data()).get("asked", {}))
    text = pending.pop(callback_data.ref, None)
    await state.update_data(asked=pending)
    intent = callback_data.intent
    if text is None or intent == "none" or not isinstance(query.message, Message):
        await edit(query, "All right, nothing was done.")
        await query.answer()
        return
    await edit(query, f"Reading it as: {INTENT_LABELS.get(intent, intent)}.")
    await query.answer()
    parsed = (await pipeline.aparse(text)).with_changes(intent=intent, confidence=1.0, flags=())
    await act(query.message, parsed, Asker(core, user, config, alert_index))


class PlainChat(Filter):
    """Text no feature router takes: not a command, not a forward from a channel (a signal), and sent with no
    conversation waiting for an answer. Most messages are such; they skip the feature routers' filters."""

    async def __call__(self, message: Message, raw_state: str | None = None) -> bool:
        text, origin = message.text, message.forward_origin
        if not text or text.startswith("/") or raw_state is not None:
            return False
        return origin is None or origin.type != MessageOriginType.CHANNEL


def make_plain_router() -> Router:
    """Placed ahead of the feature routers: one check in place of about fifteen (their commands, states and
    forwards) for every plain message, which would reach `on_text` after them all the same."""
    router = Router(name="chat-plain")
    router.message.register(on_text, PlainChat())
    return router


def make_router() -> Router:
    """After the feature routers: the text they left (an unknown command, a forward from a person)."""
    router = Router(name="chat")
    router.message.register(on_text, HAS_TEXT)
    router.callback_query.register(on_reading, AskBack.filter())
    return router

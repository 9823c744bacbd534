"""Exchange accounts: listed with a remove button each, and added in a short conversation (aiogram FSM). The
messages that carry the key and the secret are deleted as soon as they are read."""

from typing import Protocol

from aiogram import F, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message

from handlers import replies
from handlers.filters import HAS_TEXT
from handlers.keyboards import AccountAction, accounts_keyboard, testnet_keyboard
from handlers.replies import reply
from trading.domain.accounts import PAPER, Credentials, User
from trading.domain.errors import TradingError
from trading.domain.futures import MarketType
from trading.usecases.core import Core
from trading.usecases.exchange_accounts import accounts, add_account, market_types, remove_account
from trading.usecases.venue_balances import sync_venue_balances


class Sealer(Protocol):
    """Seals what the conversation holds between two messages (the API key, then its secret), which lives in
    the FSM storage (Redis when REDIS_URL is set) and must not sit there in the clear."""

    def seal(self, plain: str) -> str: ...

    def open(self, sealed: str) -> str | None:
        """None when it was sealed with another key or tampered with."""


# The words that name an account's market type beside the exchange's id ("bybit futures", "paper futures").
KINDS = frozenset(MarketType)


class AddAccount(StatesGroup):
    exchange = State()
    key = State()
    secret = State()
    testnet = State()


def _listing(items: list[str]) -> str:
    return "Your exchange accounts:\n" + "\n".join(items) if items else "You have no exchange accounts."


async def _show(message: Message, core: Core, user: User, edit: bool = False) -> None:
    found = await accounts(core, user.id)
    lines = [
        f"• {a.label}: {a.exchange}{' futures' if a.is_futures else ''}{' (testnet)' if a.testnet else ''}"
        for a in found
    ]
    if edit:
        await message.edit_text(_listing(lines), reply_markup=accounts_keyboard(found))
    else:
        await reply(message, _listing(lines), reply_markup=accounts_keyboard(found))


async def show_accounts(message: Message, core: Core, user: User) -> None:
    await _show(message, core, user)


async def remove(query: CallbackQuery, callback_data: AccountAction, core: Core, user: User) -> None:
    await remove_account(core, user.id, callback_data.account_id)
    if isinstance(query.message, Message):
        await _show(query.message, core, user, edit=True)
    await query.answer("Account removed.")


async def sync(query: CallbackQuery, callback_data: AccountAction, core: Core, user: User) -> None:
    transfers = await sync_venue_balances(core, user.id, callback_data.account_id)
    moved = ", ".join(f"{t.amount.normalize():+f} {t.asset}" for t in transfers)
    text = f"Booked the transfers made at the venue: {moved}." if moved else "The books match the venue."
    await query.answer(text[:200], show_alert=True)


async def start_adding(query: CallbackQuery, state: FSMContext) -> None:
    await state.set_state(AddAccount.exchange)
    await query.answer()
    if isinstance(query.message, Message):
        await reply(
            query.message,
            "Which exchange? 'paper', 'paper futures' (shorts and leverage), or a ccxt id such as binance, "
            "kraken, coinbase; for futures, a futures venue such as binanceusdm, or an id with 'futures' "
            "(bybit futures, okx futures). /cancel stops.",
        )


async def cancel(message: Message, state: FSMContext) -> None:
    await state.clear()
    await reply(message, "Stopped; nothing was changed.")


async def _add_paper(message: Message, core: Core, user: User, futures: bool) -> None:
    label = f"{'Paper futures' if futures else 'Paper'} {message.message_id}"
    kind = MarketType.FUTURES if futures else MarketType.SPOT
    account = await add_account(core, user.id, PAPER, label, market_type=kind)
    config = core.config
    await reply(
        message, f"Added {account.label}, funded with {config.paper_start_balance} {config.paper_quote}."
    )


async def got_exchange(message: Message, state: FSMContext, core: Core, user: User) -> None:
    words = (message.text or "").lower().split()
    exchange = " ".join(word for word in words if word not in KINDS)
    asked = next((MarketType(word) for word in words if word in KINDS), None)
    if exchange == PAPER:
        await state.clear()
        await _add_paper(message, core, user, futures=asked is MarketType.FUTURES)
        return
    offered = market_types(core, exchange)
    if not offered:
        await reply(message, f"{exchange!r} is not an exchange I know; try binance, kraken or coinbase.")
        return
    kind = asked or (next(iter(offered)) if len(offered) == 1 else None)
    if kind is None or kind not in offered:
        await reply(message, _which_kind(exchange, offered))
        return
    await state.update_data(exchange=exchange, market_type=kind.value)
    await state.set_state(AddAccount.key)
    await reply(message, "Send the API key. I delete your message as soon as I have read it.")


def _which_kind(exchange: str, offered: frozenset[MarketType]) -> str:
    """The venue's account kinds, when the answer named none of them or one it lacks."""
    name = exchange.capitalize()
    if len(offered) > 1:
        return f"{name} has spot and futures: answer '{exchange} spot' or '{exchange} futures'."
    if MarketType.SPOT in offered:
        return (
            f"{name} has no futures (swap markets) in ccxt: answer '{exchange}' for a spot account, or name a "
            "futures venue such as binanceusdm or bybit."
        )
    return f"{name} trades futures only: answer '{exchange}' for a futures account."


async def got_key(message: Message, state: FSMContext, sealer: Sealer) -> None:
    await state.update_data(key=sealer.seal((message.text or "").strip()))
    await message.delete()
    await state.set_state(AddAccount.secret)
    await reply(message, "Key read and deleted. Now send the API secret.")


async def got_secret(message: Message, state: FSMContext, sealer: Sealer) -> None:
    await state.update_data(secret=sealer.seal((message.text or "").strip()))
    await message.delete()
    await state.set_state(AddAccount.testnet)
    await reply(message, "Secret read and deleted. Testnet or live?", reply_markup=testnet_keyboard())


async def got_testnet(
    query: CallbackQuery,
    callback_data: AccountAction,
    state: FSMContext,
    core: Core,
    user: User,
    sealer: Sealer,
) -> None:
    data = await state.get_data()
    await state.clear()
    key, secret = sealer.open(data["key"]), sealer.open(data["secret"])
    if key is None or secret is None:  # sealed under another SECRET_KEY: nothing to do but ask again
        await replies.edit(
            query, "I could not read back the key and secret; tap Add an account to send them again."
        )
        await query.answer()
        return
    testnet = callback_data.action == "testnet"
    # A conversation begun before futures venues were offered holds no market type: a spot one.
    kind = MarketType(data.get("market_type", MarketType.SPOT))
    await _add_venue(query, core, user, (data["exchange"], kind, testnet), Credentials(key, secret))


async def _add_venue(
    query: CallbackQuery,
    core: Core,
    user: User,
    venue: tuple[str, MarketType, bool],
    credentials: Credentials,
) -> None:
    """The account (on `venue`: its exchange, market type and testnet flag) added and the tap answered; nothing
    stored where the keys are refused, the venue is out of reach or the account cannot be traded."""
    exchange, kind, testnet = venue
    futures = kind is MarketType.FUTURES
    label = f"{exchange.capitalize()}{' futures' if futures else ''}{' testnet' if testnet else ''}"
    try:
        account = await add_account(core, user.id, exchange, label, testnet, credentials, kind)
    except TradingError as error:
        await replies.edit(query, f"{error.message} Nothing was stored; tap Add an account to try again.")
        await query.answer(error.message[:200], show_alert=True)
        return
    books = (
        "its futures book starts from the collateral in its wallet there"
        if futures
        else "its books start from the balances it holds there"
    )
    await replies.edit(query, f"Added {account.label}; its keys are stored encrypted and {books}.")
    await query.answer("Account added.")


async def stale_testnet(query: CallbackQuery) -> None:
    """Testnet or Live tapped when the conversation is gone (the bot restarted: the key and secret were held in
    its memory only): say so, rather than leave the button spinning."""
    text = "That conversation has ended and nothing was stored; tap Add an account again."
    await replies.edit(query, text)
    await query.answer(text, show_alert=True)


def make_router() -> Router:
    router = Router(name="accounts")
    router.message.register(show_accounts, Command("accounts"))
    router.callback_query.register(remove, AccountAction.filter(F.action == "remove"))
    router.callback_query.register(sync, AccountAction.filter(F.action == "sync"))
    router.callback_query.register(start_adding, AccountAction.filter(F.action == "add"))
    router.message.register(cancel, Command("cancel"), HAS_TEXT)
    router.message.register(got_exchange, StateFilter(AddAccount.exchange), HAS_TEXT)
    router.message.register(got_key, StateFilter(AddAccount.key), HAS_TEXT)
    router.message.register(got_secret, StateFilter(AddAccount.secret), HAS_TEXT)
    router.callback_query.register(
        got_testnet, StateFilter(AddAccount.testnet), AccountAction.filter(F.action.in_({"testnet", "live"}))
    )
    router.callback_query.register(stale_testnet, AccountAction.filter(F.action.in_({"testnet", "live"})))
    return router

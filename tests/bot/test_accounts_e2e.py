"""Exchange accounts in chat, end to end through the sandbox: the add conversation (aiogram FSM) for paper and
a ccxt venue, the key and secret messages deleted as soon as they are read, the secret stored encrypted,
the listing, removal."""

import secrets
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import pytest
from aiogram.fsm.storage.base import StorageKey
from redis.asyncio import Redis
from sqlalchemy import select

from bot.telegram.process import CONVERSATION_TTL, redis_storage
from bot.telegram.runtime import TelegramBot
from storage.crypto import CredentialCipher
from storage.models import ExchangeAccountRow
from tests.bot.sandbox import Sandbox, UserChat, button, start_bot
from tests.databases import REDIS_URL, delete_redis_keys
from tests.exchanges.conftest import Venue, _binance, _kraken
from tests.harness import Harness
from tests.standins import binance, kraken

# The stand-ins' keys: adding an account tries them on the venue (here its stand-in) before storing anything.
API_KEY, API_SECRET = binance.API_KEY, binance.SECRET
TEST_SECRET_KEY = "test-secret"  # the harness's SECRET_KEY


@pytest.fixture
async def venues(harness: Harness) -> AsyncIterator[dict[str, Venue]]:
    """Binance and Kraken as their stand-ins, which the app's Exchanges reach instead of the venues."""
    made = {"binance": _binance(), "kraken": _kraken()}
    for venue in made.values():
        await venue.standin.start()
    harness.exchanges.venue_config = lambda exchange, testnet: made[exchange].config(testnet=testnet)
    yield made
    for venue in made.values():
        await venue.standin.close()


# What a new user has: a paper account and a paper futures account.
NEW_USERS = "• Paper: paper\n• Paper futures: paper futures"
NEW_USERS_ACCOUNTS = 2


async def _rows(harness: Harness) -> list[Any]:
    async with harness.engine.connect() as connection:
        result = await connection.execute(
            select(ExchangeAccountRow.__table__).order_by(ExchangeAccountRow.id)
        )
        return list(result.all())


async def _listing(chat: UserChat) -> dict[str, Any]:
    [listing] = await chat.ask("/accounts")
    return listing


async def _start_adding(chat: UserChat) -> None:
    listing = await _listing(chat)
    answer = await chat.tap(listing["message_id"], button(listing, "Add an account"))
    assert answer["ok"] is True
    [question] = await chat.reply()
    assert "Which exchange?" in question["text"]


async def test_a_paper_account_is_added_listed_and_removed(
    sandbox: Sandbox, bot: TelegramBot, harness: Harness
) -> None:
    chat = sandbox.chat(601)
    listing = await _listing(chat)
    assert listing["text"] == f"Your exchange accounts:\n{NEW_USERS}"

    await _start_adding(chat)
    [added] = await chat.ask("paper")
    assert added["text"].startswith("Added Paper ") and "funded with 10000 USDT" in added["text"]
    label = added["text"].removeprefix("Added ").split(",")[0]

    listing = await _listing(chat)
    assert f"• {label}: paper" in listing["text"]
    rows = await _rows(harness)
    assert [(r.exchange, r.label, r.api_key_enc, r.secret_enc) for r in rows] == [
        ("paper", "Paper", None, None),
        ("paper", "Paper futures", None, None),
        ("paper", label, None, None),
    ]

    answer = await chat.tap(listing["message_id"], button(listing, f"Remove {label}"))
    assert answer["answer"] == "Account removed."
    edited = await chat.message(listing["message_id"])
    assert edited["text"] == f"Your exchange accounts:\n{NEW_USERS}" and edited["edit_count"] == 1
    assert [r.label for r in await _rows(harness)] == ["Paper", "Paper futures"]

    await chat.tap(listing["message_id"], button(edited, "Remove Paper futures"))
    edited = await chat.message(listing["message_id"])
    last = await chat.tap(listing["message_id"], button(edited, "Remove Paper"))
    assert last["answer"] == "This is your only exchange account; add another before removing it."
    assert await harness.count("exchange_accounts") == 1


async def test_a_ccxt_account_deletes_the_key_and_secret_messages_and_stores_them_encrypted(
    sandbox: Sandbox, bot: TelegramBot, harness: Harness, venues: dict[str, Venue]
) -> None:
    chat = sandbox.chat(602)
    await _start_adding(chat)
    [which] = await chat.ask("Binance")
    assert which["text"] == "Binance has spot and futures: answer 'binance spot' or 'binance futures'."
    [ask_key] = await chat.ask("Binance spot")
    assert "Send the API key" in ask_key["text"]

    key_message = await chat.say(API_KEY)
    [ask_secret] = await chat.reply()
    assert "Key read and deleted" in ask_secret["text"]
    secret_message = await chat.say(API_SECRET)
    [ask_testnet] = await chat.reply()
    assert "Secret read and deleted" in ask_testnet["text"]

    # Gone from the chat as the user's side of the sandbox sees it (Telegram's deleteMessage).
    visible = {m["message_id"]: m for m in await chat.messages()}
    assert key_message not in visible and secret_message not in visible
    assert all(
        API_SECRET not in (m["text"] or "") and API_KEY not in (m["text"] or "") for m in visible.values()
    )
    # Nor held in the clear by the conversation's state (Redis, where REDIS_URL is set) while Testnet is asked.
    held = repr(await bot.dp.fsm.storage.get_data(StorageKey(bot.bot.id, 602, 602)))
    assert "key" in held and API_KEY not in held and API_SECRET not in held

    answer = await chat.tap(ask_testnet["message_id"], button(ask_testnet, "Testnet"))
    assert answer["answer"] == "Account added."
    done = await chat.message(ask_testnet["message_id"])
    assert (
        done["text"]
        == "Added Binance testnet; its keys are stored encrypted and its books start from the "
        "balances it holds there."
        and done["reply_markup"] is None
    )

    [_, _, row] = await _rows(harness)
    assert (row.exchange, row.label, row.testnet) == ("binance", "Binance testnet", True)
    async with harness.core.uow(read_only=True) as uow:
        ledger = await uow.ledgers.load(row.id)
    assert ledger.balances == {"USDT": Decimal(10_000), "BTC": Decimal("0.5")}
    for stored, plain in ((row.api_key_enc, API_KEY), (row.secret_enc, API_SECRET)):
        assert stored and plain not in stored and stored != plain
        assert CredentialCipher(TEST_SECRET_KEY).decrypt(stored) == plain

    listing = await _listing(chat)
    assert "• Binance testnet: binance (testnet)" in listing["text"]
    shown = str(listing)  # the text and every button
    assert API_SECRET not in shown and API_KEY not in shown

    in_sync = await chat.tap(listing["message_id"], button(listing, "Sync balances of Binance testnet"))
    assert in_sync["answer"] == "The books match the venue."
    venues["binance"].account.transfer("USDT", Decimal(500))
    venues["binance"].account.transfer("BTC", Decimal("-0.1"))
    synced = await chat.tap(listing["message_id"], button(listing, "Sync balances of Binance testnet"))
    assert synced["answer"] == "Booked the transfers made at the venue: -0.1 BTC, +500 USDT."
    async with harness.core.uow(read_only=True) as uow:
        ledger = await uow.ledgers.load(row.id)
    assert ledger.balances == {"USDT": Decimal(10_500), "BTC": Decimal("0.4")}
    assert "Sync balances of Paper" not in shown  # a paper account has no venue to sync with

    removed = await chat.tap(listing["message_id"], button(listing, "Remove Binance testnet"))
    assert removed["answer"] == "Account removed."
    assert [r.exchange for r in await _rows(harness)] == ["paper", "paper"]
    assert "Binance" not in (await chat.message(listing["message_id"]))["text"]


async def test_a_live_account_and_an_unknown_exchange(
    sandbox: Sandbox, bot: TelegramBot, harness: Harness, venues: dict[str, Venue]
) -> None:
    chat = sandbox.chat(603)
    await _start_adding(chat)
    [unknown] = await chat.ask("nosuchexchange")
    assert unknown["text"] == "'nosuchexchange' is not an exchange I know; try binance, kraken or coinbase."
    [ask_key] = await chat.ask("kraken")  # still in the conversation: the exchange is asked again
    assert "Send the API key" in ask_key["text"]
    await chat.ask(kraken.API_KEY)
    [ask_testnet] = await chat.ask(kraken.SECRET)
    await chat.tap(ask_testnet["message_id"], button(ask_testnet, "Live"))
    [_, _, row] = await _rows(harness)
    assert (row.exchange, row.label, row.testnet) == ("kraken", "Kraken", False)


async def test_the_kind_of_account_is_asked_where_the_venue_has_both_and_checked_where_named(
    sandbox: Sandbox, bot: TelegramBot, harness: Harness
) -> None:
    chat = sandbox.chat(608)
    await _start_adding(chat)
    answers = {
        "bybit": "Bybit has spot and futures: answer 'bybit spot' or 'bybit futures'.",
        "kraken futures": "Kraken has no futures (swap markets) in ccxt: answer 'kraken' for a spot account, or "
        "name a futures venue such as binanceusdm or bybit.",
        "binanceusdm spot": "Binanceusdm trades futures only: answer 'binanceusdm' for a futures account.",
    }
    for answer, question in answers.items():
        [asked] = await chat.ask(answer)  # still in the conversation: the exchange is asked again
        assert asked["text"] == question
    [ask_key] = await chat.ask("Bybit  Futures")
    assert "Send the API key" in ask_key["text"]
    assert await harness.count("exchange_accounts") == NEW_USERS_ACCOUNTS


async def test_keys_the_venue_refuses_are_not_stored(
    sandbox: Sandbox, bot: TelegramBot, harness: Harness, venues: dict[str, Venue]
) -> None:
    chat = sandbox.chat(606)
    await _start_adding(chat)
    await chat.ask("binance spot")
    await chat.ask("not-the-key")
    [ask_testnet] = await chat.ask(API_SECRET)
    answer = await chat.tap(ask_testnet["message_id"], button(ask_testnet, "Live"))
    refusal = "Binance refused these API keys: Invalid API-key, IP, or permissions for action."
    assert answer["answer"] == refusal
    told = await chat.message(ask_testnet["message_id"])
    assert told["text"] == f"{refusal} Nothing was stored; tap Add an account to try again."
    assert told["reply_markup"] is None
    assert await harness.count("exchange_accounts") == NEW_USERS_ACCOUNTS


async def test_cancel_stops_the_conversation_and_keeps_nothing(
    sandbox: Sandbox, bot: TelegramBot, harness: Harness
) -> None:
    chat = sandbox.chat(604)
    await _start_adding(chat)
    await chat.ask("binance spot")
    [stopped] = await chat.ask("/cancel")
    assert stopped["text"] == "Stopped; nothing was changed."
    [price] = await chat.ask("price of btc")  # back to the chat: not read as an API key
    assert "BTC/USDT" in price["text"]
    assert await harness.count("exchange_accounts") == NEW_USERS_ACCOUNTS


async def test_the_testnet_question_after_a_restart_is_answered_not_dropped(
    sandbox: Sandbox, harness: Harness, harness_factory: Any
) -> None:
    """The conversation lives in the FSM storage (in memory without Redis): a restart forgets it, and a tap
    on its last question must say so rather than leave the button spinning."""
    first = await start_bot(sandbox, harness)
    chat = sandbox.chat(605)
    await _start_adding(chat)
    await chat.ask("binance spot")
    await chat.ask(API_KEY)
    [ask_testnet] = await chat.ask(API_SECRET)
    await first.stop()
    restarted = await start_bot(sandbox, harness_factory())
    try:
        answer = await chat.tap(ask_testnet["message_id"], button(ask_testnet, "Testnet"))
        assert answer["ok"] is True and "again" in (answer["answer"] or "")
        assert (await chat.message(ask_testnet["message_id"]))["reply_markup"] is None
        assert await harness.count("exchange_accounts") == NEW_USERS_ACCOUNTS
    finally:
        await restarted.stop()


@pytest.fixture
async def redis_prefix() -> AsyncIterator[str]:
    """A key prefix of this test's own in the real Redis (TSBOT_TEST_REDIS_URL), its keys deleted after."""
    prefix = f"fsm-test-{secrets.token_hex(4)}"
    yield prefix
    await delete_redis_keys(f"{prefix}:*")


async def test_with_redis_the_conversation_outlives_a_restart_and_expires_unfinished(
    sandbox: Sandbox,
    harness: Harness,
    harness_factory: Any,
    venues: dict[str, Venue],
    redis_prefix: str,
) -> None:
    """REDIS_URL set: the conversation lives in Redis, so a restarted bot (or another webhook worker) takes the
    tap on its last question; and one left unfinished expires rather than keep a sealed key for ever."""
    secret = "the-same-SECRET_KEY-in-every-process"
    first = await start_bot(
        sandbox, harness, storage=redis_storage(REDIS_URL, redis_prefix), conversation_secret=secret
    )
    chat = sandbox.chat(607)
    await _start_adding(chat)
    await chat.ask("binance spot")
    await chat.ask(API_KEY)
    [ask_testnet] = await chat.ask(API_SECRET)
    client = Redis.from_url(REDIS_URL)
    try:
        keys = [key async for key in client.scan_iter(f"{redis_prefix}:*")]
        held = {key: (await client.ttl(key), await client.get(key) or b"") for key in keys}
    finally:
        await client.aclose()
    assert held and all(0 < ttl <= CONVERSATION_TTL.total_seconds() for ttl, _ in held.values())
    assert not any(API_KEY.encode() in value or API_SECRET.encode() in value for _, value in held.values())
    await first.stop()

    after = harness_factory()
    after.exchanges.venue_config = harness.exchanges.venue_config  # the venues' stand-ins, as before
    restarted = await start_bot(
        sandbox, after, storage=redis_storage(REDIS_URL, redis_prefix), conversation_secret=secret
    )
    try:
        answer = await chat.tap(ask_testnet["message_id"], button(ask_testnet, "Testnet"))
        assert answer["answer"] == "Account added."
        [_, _, row] = await _rows(harness)
        assert (row.exchange, row.label, row.testnet) == ("binance", "Binance testnet", True)
        assert CredentialCipher(TEST_SECRET_KEY).decrypt(row.secret_enc) == API_SECRET
    finally:
        await restarted.stop()

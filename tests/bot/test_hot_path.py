"""What keeps the per-update path cheap: answer models kept between requests, filters awaited on the loop,
plain text straight to the chat."""

import gc
import weakref
from datetime import UTC, datetime
from typing import Any

from aiogram.dispatcher.event.handler import FilterObject
from aiogram.dispatcher.router import Router
from aiogram.methods import GetMyShortDescription, Response
from aiogram.types import Chat, Message, MessageOriginChannel, MessageOriginUser, User

from bot.telegram.config import BotConfig
from bot.telegram.filters import HAS_TEXT
from bot.telegram.json_session import JsonSession
from bot.telegram.runtime import build_dispatcher
from handlers.chat import PlainChat
from nlp.pipeline import Pipeline
from trading.domain.alert_index import AlertIndex

MINE = {
    "chat-plain",
    "order-buttons",
    "start",
    "accounts",
    "risk",
    "orders",
    "signals",
    "alerts",
    "portfolio",
    "chat",
    "errors",
}


def _message(text: str | None, **fields: Any) -> Message:
    return Message(
        message_id=1,
        date=datetime(2026, 3, 2, tzinfo=UTC),
        chat=Chat(id=7, type="private"),
        from_user=User(id=7, is_bot=False, first_name="A"),
        text=text,
        **fields,
    )


async def test_an_answer_model_outlives_a_garbage_collection() -> None:
    session = JsonSession()
    model = weakref.ref(session.answer_type(GetMyShortDescription))
    gc.collect()
    assert model() is not None
    # pydantic hands back the kept class rather than building a new one
    returning: Any = GetMyShortDescription.__returning__
    assert Response[returning] is model()


async def test_the_text_filter_passes_text_and_only_text() -> None:
    assert await HAS_TEXT(_message("price of btc")) == "price of btc"
    assert not await HAS_TEXT(_message(None))


async def test_only_text_no_feature_router_takes_goes_straight_to_the_chat() -> None:
    plain = PlainChat()
    assert await plain(_message("price of btc"))
    channel = MessageOriginChannel(
        date=datetime(2026, 3, 2, tzinfo=UTC), chat=Chat(id=-5, type="channel"), message_id=3
    )
    person = MessageOriginUser(
        date=datetime(2026, 3, 2, tzinfo=UTC), sender_user=User(id=9, is_bot=False, first_name="B")
    )
    assert await plain(_message("BTC long 60000", forward_origin=person))
    taken_elsewhere = [
        await plain(_message("/portfolio")),  # a command
        await plain(_message("0.05"), raw_state="ChangeAmount:waiting"),  # a conversation's answer
        await plain(_message("BTC long 60000", forward_origin=channel)),  # a signal
        await plain(_message(None)),
    ]
    assert taken_elsewhere == [False, False, False, False]


def _routers(router: Router) -> list[Router]:
    return [router, *(r for child in router.sub_routers for r in _routers(child))]


def test_no_filter_of_ours_leaves_the_event_loop() -> None:
    """aiogram runs a filter that is not awaitable in a worker thread: none of our routers' filters is one."""
    dp = build_dispatcher(None, Pipeline(), BotConfig(), AlertIndex())  # type: ignore[arg-type]
    threaded = [
        f"{router.name}: {handler.callback.__name__} {flt.callback}"
        for router in _routers(dp)
        if router.name in MINE
        for observer in router.observers.values()
        for handler in observer.handlers
        for flt in handler.filters or []
        if isinstance(flt, FilterObject) and not flt.awaitable
    ]
    assert threaded == []
    assert {r.name for r in _routers(dp)} >= MINE

"""Live updates as server-sent events: prices of the watched markets (from the process's live feed, which
follows them from the first round) and the user's open orders."""

import asyncio
from collections.abc import AsyncGenerator
from typing import Annotated

import msgspec
from litestar import Controller, Request, get
from litestar.datastructures import State
from litestar.params import Parameter
from litestar.response import ServerSentEvent, ServerSentEventMessage

from trading.domain.enums import OPEN_STATUSES
from trading.domain.errors import TradingError
from trading.usecases.pricing import pair_of
from webapp.auth import Principal
from webapp.context import WebContext
from webapp.convert import order_out
from webapp.schemas import TickerOut

Symbols = Annotated[
    str, Parameter(pattern=r"^[A-Za-z0-9/]{1,31}(,[A-Za-z0-9/]{1,31}){0,9}$", description="BTC,ETH/USDT")
]


class StreamController(Controller):
    path = "/stream"
    tags = ("live",)

    @get(summary="Server-sent events: 'prices' and 'orders', about every two seconds")
    async def stream(
        self,
        state: State,
        request: Request[Principal, object, State],
        symbols: Symbols = "BTC,ETH",
        every: Annotated[float, Parameter(ge=0.2, le=60)] = 2.0,
        count: Annotated[int, Parameter(ge=1, le=100_000)] = 100_000,
    ) -> ServerSentEvent:
        web: WebContext = state.web
        user_id = request.user.user_id
        pairs = [pair_of(s, None, web.core.config.paper_quote) for s in symbols.split(",")]

        async def events() -> AsyncGenerator[ServerSentEventMessage, None]:
            known = await _listed(web, pairs)
            if web.prices is not None:
                web.prices.watch(known)
            for _ in range(count):
                prices: list[TickerOut] = []
                for pair in known:
                    try:
                        t = await web.ticker(pair)
                    except TradingError:
                        continue
                    prices.append(TickerOut(t.symbol, t.bid, t.ask, t.last))
                yield ServerSentEventMessage(msgspec.json.encode(prices).decode(), event="prices")
                async with web.core.uow(read_only=True) as uow:
                    orders = await uow.orders.for_user(user_id, OPEN_STATUSES, 50)
                body = msgspec.json.encode([order_out(o) for o in orders]).decode()
                yield ServerSentEventMessage(body, event="orders")
                await asyncio.sleep(every)

        return ServerSentEvent(events())


async def _listed(web: WebContext, pairs: list[str]) -> list[str]:
    """The markets the venue lists, in the order asked: only those are watched."""
    listed: list[str] = []
    for pair in pairs:
        try:
            await web.market.market(pair)
        except TradingError:
            continue
        listed.append(pair)
    return listed

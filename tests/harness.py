"""The core wired to a real database, the simulated market and the paper exchange, as the app wires it."""

from collections.abc import Callable
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.container import Container, build_container
from bot.exchanges import Exchanges
from bot.server import report
from bot.settings import Settings
from storage.models import Base
from tests.fakes import ManualClock
from trading.domain.accounts import Credentials, ExchangeAccount
from trading.domain.enums import AmountUnit, OrderStatus, OrderType, Side
from trading.domain.errors import ExchangeUnavailable
from trading.domain.futures import MarketType
from trading.domain.intents import OrderIntent
from trading.domain.orders import ExchangeOrder, Order, OrderRequest
from trading.domain.signals import SignalSpec
from trading.market.simulated import SimulatedMarket
from trading.ports import ExchangeFactory, ExchangeGateway, PaperFunding, PriceFeed
from trading.usecases.accounts import register_user
from trading.usecases.core import Core
from trading.usecases.drafting import draft_order
from trading.usecases.execution import confirm_draft
from trading.usecases.notices import Told, add_notices
from trading.usecases.reporting import TrackingEvents
from trading.usecases.signal_plans import PlanDraft, draft_signal_plan
from trading.usecases.signals import receive_signal
from trading.usecases.tracking import track_once

# Limits wide enough that tests of other things are not refused by them; and the protections of automatic
# following off, so that they pause nothing those tests follow (a test of them turns them on as a user's own).
GENEROUS = {
    "risk_max_order_value": Decimal(10_000_000),
    "risk_max_position_share": Decimal(1),
    "risk_max_open_positions": 100,
    "risk_max_margin_share": Decimal(1),
    "risk_daily_loss_limit": Decimal(10_000_000),
    "protect_max_drawdown": Decimal(0),
    "protect_stoploss_guard": 0,
    "protect_losing_streak": 0,
}


@dataclass
class Harness:
    container: Container
    clock: ManualClock

    @property
    def engine(self) -> AsyncEngine:
        return self.container.engine

    @property
    def market(self) -> SimulatedMarket:
        return self.container.market

    @property
    def prices(self) -> PriceFeed:
        """The simulated market's own price feed, as the process's alerts and tracker follow it on paper."""
        return self.container.prices.feed

    @property
    def exchanges(self) -> Exchanges:
        return self.container.exchanges

    @property
    def core(self) -> Core:
        return self.container.core

    async def user(self, name: str = "trader", telegram_id: int | None = None) -> tuple[int, ExchangeAccount]:
        user, account = await register_user(self.core, name, telegram_id)
        return user.id, account

    async def placed(self, user_id: int, intent: OrderIntent) -> Order:
        """An order asked for and confirmed, as a trader's message and tap on Confirm do."""
        return await confirm_draft(self.core, user_id, (await draft_order(self.core, user_id, intent)).id)

    async def hold_all_but(self, user_id: int, keep: Decimal) -> Order:
        """A limit buy resting far below the market that holds all the user's USDT but about `keep` (a little
        more, as amounts round down), as a venue holds a resting order's funds: all an order placed now finds."""
        async with self.core.uow(read_only=True) as uow:
            [account, *_] = await uow.accounts.for_user(user_id)
        gateway = await self.core.exchanges.gateway(account)
        free = (await gateway.balances())["USDT"].free
        low = ((await gateway.ticker("ETH/USDT")).bid / 2).quantize(Decimal("0.01"))
        intent = OrderIntent("ETH", Side.BUY, free - keep, AmountUnit.QUOTE, OrderType.LIMIT, low)
        return await self.placed(user_id, intent)

    async def count(self, table: str) -> int:
        async with self.engine.connect() as connection:
            value = await connection.scalar(select(func.count()).select_from(Base.metadata.tables[table]))
        return int(value or 0)

    async def counts(self) -> dict[str, int]:
        return {name: await self.count(name) for name in Base.metadata.tables}

    async def close(self) -> None:
        await self.container.close()


def make_harness(database_url: str, clock: ManualClock, **settings: object) -> Harness:
    """The core as `build_container` wires it for the process, on a manual clock and a fixed market seed."""
    config = Settings(
        database_url=database_url,
        secret_key="test-secret",
        market_seed=7,
        **{**GENEROUS, **settings},  # type: ignore[arg-type]
    )
    container = build_container(config, clock)
    return Harness(container, clock)


async def write_notices(core: Core, told: list[Told]) -> None:
    """Notices owed in a transaction of their own, as if something had just been told."""
    async with core.uow() as uow:
        await add_notices(uow, told, core.clock.now())
        await uow.commit()


async def track_and_report(core: Core) -> TrackingEvents:
    """A tracker's pass and its report, without delivery: what users are owed notices of."""
    await track_once(core)
    return await report(core)


async def signal_plan(
    core: Core, user_id: int, spec: SignalSpec, amount: Decimal, **options: Any
) -> tuple[int, PlanDraft]:
    """A signal recorded for the user, as a forwarded post is, and its plan for `amount` (`options`: those of
    draft_signal_plan); the signal's id and the plan."""
    received = await receive_signal(core, user_id, "-100500", "Crypto Calls", repr(spec), spec)
    plan = await draft_signal_plan(core, user_id, spec, amount, signal_id=received.signal.id, **options)
    return received.signal.id, plan


def answer_lost() -> ExchangeUnavailable:
    """What the exchange's client raises when a request got no answer in time."""
    return ExchangeUnavailable("binance did not answer in time")


class FailsAroundTheCall:
    """A gateway whose create_order fails (`failure()` is raised) before, or after, handing the order to the
    real one beneath: the order never left, or it was placed and its answer lost."""

    def __init__(
        self, inner: ExchangeGateway, failure: Callable[[], BaseException], after_sending: bool
    ) -> None:
        self._inner = inner
        self._failure = failure
        self._after_sending = after_sending

    def __getattr__(self, name: str) -> object:
        return getattr(self._inner, name)

    async def create_order(self, request: OrderRequest) -> ExchangeOrder:
        if self._after_sending:
            await self._inner.create_order(request)
        raise self._failure()


class ExchangesAround:
    """The app's exchanges, each gateway handed out through `around` (a test's watch or wrapper); for
    `replace(core, exchanges=...)`. The harness closes the exchanges it built."""

    def __init__(self, exchanges: ExchangeFactory) -> None:
        self._exchanges = exchanges

    async def gateway(self, account: ExchangeAccount) -> ExchangeGateway:
        return self.around(account.id, await self._exchanges.gateway(account))

    async def gateway_of(self, account_id: int) -> ExchangeGateway:
        return self.around(account_id, await self._exchanges.gateway_of(account_id))

    async def open_gateway(
        self,
        exchange: str,
        testnet: bool,
        credentials: Credentials,
        market_type: MarketType = MarketType.SPOT,
    ) -> ExchangeGateway:
        return await self._exchanges.open_gateway(exchange, testnet, credentials, market_type)

    def market_types(self, exchange: str) -> frozenset[MarketType]:
        return self._exchanges.market_types(exchange)

    def paper_funding(self, account: ExchangeAccount) -> PaperFunding:
        return self._exchanges.paper_funding(account)

    async def close(self) -> None:
        return None

    def around(self, account_id: int, gateway: ExchangeGateway) -> ExchangeGateway:
        return gateway


class FailingExchanges(ExchangesAround):
    """The harness's exchanges, their orders failing as FailsAroundTheCall says."""

    def __init__(self, harness: Harness, failure: Callable[[], BaseException], after_sending: bool) -> None:
        super().__init__(harness.exchanges)
        self._failure = failure
        self._after_sending = after_sending

    def around(self, account_id: int, gateway: ExchangeGateway) -> ExchangeGateway:
        return FailsAroundTheCall(gateway, self._failure, self._after_sending)  # type: ignore[return-value]


class ProcessDied(BaseException):
    """Stands for the process dying: not an Exception, so nothing in the core catches it."""


async def left_in_flight(
    harness: Harness,
    failure: Callable[[], BaseException],
    *,
    after_sending: bool = True,
    match: str | None = None,
) -> tuple[int, Order]:
    """A buy of 0.25 ETH confirmed while its exchange call failed as `failure()` (the process dying, an answer
    lost), after the venue took the order or before: written SUBMITTED, no answer booked. Its user and order."""
    user, _ = await harness.user()
    draft = await draft_order(harness.core, user, OrderIntent("ETH", Side.BUY, Decimal("0.25")))
    failing = replace(harness.core, exchanges=FailingExchanges(harness, failure, after_sending))
    with pytest.raises(type(failure()), match=match):
        await confirm_draft(failing, user, draft.id)
    async with harness.core.uow() as uow:
        [order] = await uow.orders.for_user(user)
    assert order.status is OrderStatus.SUBMITTED and order.exchange_order_id is None
    return user, order

"""The world outside the core: the clock, market data, exchanges, and telling users."""

from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Protocol, runtime_checkable

from trading.domain.accounts import AssetBalance, Credentials, ExchangeAccount
from trading.domain.futures import FundingRate, FuturesPosition, MarginMode, MarketType, PositionMode
from trading.domain.futures_events import FuturesEvent
from trading.domain.market import Candle, Market, OrderBook, Ticker
from trading.domain.orders import ExchangeOrder, OrderRequest


class Clock(Protocol):
    def now(self) -> datetime:
        """Timezone-aware UTC."""
        ...


class MarketData(Protocol):
    """Public market data of one venue."""

    async def markets(self) -> Mapping[str, Market]: ...

    async def market(self, symbol: str) -> Market:
        """Raises UnknownSymbol."""
        ...

    async def ticker(self, symbol: str) -> Ticker: ...

    async def order_book(self, symbol: str, depth: int = 10) -> OrderBook: ...

    async def candles(self, symbol: str, timeframe: str = "1h", limit: int = 100) -> Sequence[Candle]: ...


class PriceStream(Protocol):
    """One consumer's ticks of a price feed, in the order they came. A consumer that falls behind finds only the
    newest tick of each symbol: a price already superseded is of use to nobody."""

    def __aiter__(self) -> AsyncIterator[Ticker]: ...

    async def __anext__(self) -> Ticker:
        """The next tick; StopAsyncIteration once the stream or its feed is closed."""
        ...

    def close(self) -> None: ...


class PriceFeed(Protocol):
    """Live prices of one venue: pushed as they change (a websocket, the simulated market), or polled where the
    venue has no push. Every method is called on the event loop."""

    def watch(self, symbols: Iterable[str]) -> None:
        """Follow these symbols too, from now until the feed is closed. A symbol the venue does not list is
        dropped (and logged); watching one already followed does nothing."""
        ...

    def latest(self, symbol: str) -> Ticker | None:
        """The symbol's last price while the feed receives it; None before the first tick, and while its stream
        is down (reconnecting), so that nothing acts on a price gone stale."""
        ...

    def subscribe(self) -> PriceStream:
        """Every tick of every watched symbol from now on."""
        ...

    async def close(self) -> None: ...


class ExchangeGateway(Protocol):
    """One account on one venue. Errors are the project's own (trading.domain.errors), never ccxt's."""

    name: str

    async def markets(self) -> Mapping[str, Market]:
        """Every market this account can trade, by symbol."""
        ...

    async def market(self, symbol: str) -> Market:
        """Raises UnknownSymbol."""
        ...

    async def ticker(self, symbol: str) -> Ticker: ...

    async def balances(self) -> Mapping[str, AssetBalance]: ...

    async def create_order(self, request: OrderRequest) -> ExchangeOrder:
        """Place once. A retried attempt first looks the order up by its client order id."""
        ...

    async def fetch_order(self, symbol: str, client_order_id: str) -> ExchangeOrder | None:
        """The order with this client order id, or None when the exchange never received it."""
        ...

    async def cancel_order(self, symbol: str, client_order_id: str) -> ExchangeOrder: ...

    async def holds_stops(self, symbol: str) -> bool:
        """Whether the venue itself holds a stop-market order on this market, so that a stop loss protects the
        position while the bot is down; where it does not, the core holds the stop and sends it when reached."""
        ...

    async def close(self) -> None: ...


@runtime_checkable
class DerivativesGateway(ExchangeGateway, Protocol):
    """One futures account (linear perpetuals) on one venue. Orders go through `create_order` as on spot, with
    `reduce_only` set on the request where they may only shrink a position. Runtime-checkable: the gateway of a
    futures account is one, found by what it offers."""

    async def position_mode(self) -> PositionMode: ...

    async def set_leverage(self, symbol: str, leverage: Decimal) -> None:
        """Raises InvalidOrder with the venue's maximum where it refuses the leverage."""
        ...

    async def set_margin_mode(self, symbol: str, mode: MarginMode) -> None: ...

    async def positions(self, symbols: Sequence[str] | None = None) -> Sequence[FuturesPosition]:
        """Open positions only (size above zero)."""
        ...

    async def funding_rate(self, symbol: str) -> FundingRate: ...


@runtime_checkable
class FuturesEventSource(Protocol):
    """Where a futures venue reports what it settled on an account on its own (runtime-checkable: a gateway that
    reports them is one)."""

    async def account_events(self, since: datetime | None) -> Sequence[FuturesEvent]:
        """Funding settled and positions liquidated at `since` or later (all, where None), oldest first; each
        under an id of the venue's, unique within the account."""
        ...


class PaperFunding(Protocol):
    async def deposit(self, asset: str, amount: Decimal) -> None: ...


class ExchangeFactory(Protocol):
    async def gateway(self, account: ExchangeAccount) -> ExchangeGateway:
        """The (cached) gateway of an account."""
        ...

    async def gateway_of(self, account_id: int) -> ExchangeGateway:
        """The same by account id: from the cache, or the account is read first. Raises NotFound."""
        ...

    async def open_gateway(
        self,
        exchange: str,
        testnet: bool,
        credentials: Credentials,
        market_type: MarketType = MarketType.SPOT,
    ) -> ExchangeGateway:
        """A gateway on a venue for keys not stored yet (to check them and read the balances before an account
        is added), a DerivativesGateway for a futures account: not cached; the caller closes it."""
        ...

    def market_types(self, exchange: str) -> frozenset[MarketType]:
        """What accounts a venue can be (spot, futures), as its client declares, without a request; none for
        an exchange unknown."""
        ...

    def paper_funding(self, account: ExchangeAccount) -> PaperFunding:
        """Deposits into a paper account (real venues are funded outside the bot)."""
        ...

    async def close(self) -> None: ...


class Notifier(Protocol):
    """Tells a user something outside a conversation (an alert fired, a target hit)."""

    async def notify(self, user_id: int, text: str, with_chart: bool = False) -> None:
        """`with_chart`: the user's portfolio chart goes with the text."""
        ...


class EmailSender(Protocol):
    async def send(self, to: str, subject: str, body: str) -> None:
        """Raises on any failure to hand the message to the mail server."""
        ...


class WebhookPoster(Protocol):
    async def post(self, url: str, body: bytes, headers: Mapping[str, str]) -> int:
        """The answer's HTTP status; raises where there was no answer (refused, timed out)."""
        ...

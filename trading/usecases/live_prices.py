"""The process's live prices: one venue's price feed, and which accounts trade at that venue (whose legs its
ticks may fire). Any other account's prices are its venue's ticker, asked when needed."""

from dataclasses import dataclass
from typing import Protocol

from trading.domain.accounts import PAPER, ExchangeAccount
from trading.domain.market import Ticker
from trading.domain.perpetuals import is_perpetual
from trading.ports import PriceFeed
from trading.usecases.core import Core


class OnMarket(Protocol):
    """What is priced: an order, or a trailing entry waiting to buy (its account's venue and its market)."""

    @property
    def account_id(self) -> int: ...

    @property
    def symbol(self) -> str: ...


@dataclass(frozen=True, slots=True)
class Venue:
    """Where a feed's prices come from: an exchange id (or 'paper') and its testnet flag, whose prices differ
    from the live venue's."""

    exchange: str = PAPER
    testnet: bool = False

    def trades(self, account: ExchangeAccount) -> bool:
        return account.exchange == self.exchange and account.testnet == self.testnet


class LivePrices:
    def __init__(self, venue: Venue, feed: PriceFeed) -> None:
        self.venue = venue
        self.feed = feed
        self._covered: dict[int, bool] = {}  # an account's venue never changes

    async def covers(self, core: Core, account_id: int) -> bool:
        """Whether the account trades at the feed's venue (read once per account)."""
        covered = self._covered.get(account_id)
        if covered is None:
            async with core.uow(read_only=True) as uow:
                account = await uow.accounts.get(account_id)
            covered = self._covered[account_id] = account is not None and self.venue.trades(account)
        return covered

    async def ticker_for(self, core: Core, order: OnMarket) -> Ticker:
        """The order's market price: the feed's latest tick where the feed follows its venue and has one (no
        request to the venue), else the venue's ticker. The symbol is watched from now on."""
        # A perpetual's mark is its venue's (the feed follows the spot markets).
        if not is_perpetual(order.symbol) and await self.covers(core, order.account_id):
            self.feed.watch([order.symbol])
            ticker = self.feed.latest(order.symbol)
            if ticker is not None:
                return ticker
        return await venue_ticker(core, order)


async def venue_ticker(core: Core, order: OnMarket) -> Ticker:
    gateway = await core.exchanges.gateway_of(order.account_id)
    return await gateway.ticker(order.symbol)

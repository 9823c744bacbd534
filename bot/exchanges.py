"""Builds and caches the gateway of each exchange account: the paper exchange (spot, or futures), or ccxt with
its credentials (spot, or the venue's linear perpetuals for a futures account)."""

from collections.abc import Callable
from typing import TYPE_CHECKING

from trading.domain.accounts import PAPER, Credentials, ExchangeAccount
from trading.domain.errors import NotFound
from trading.domain.futures import MarketType
from trading.exchanges.paper.futures import PaperFuturesExchange
from trading.exchanges.paper.gateway import PaperExchange
from trading.exchanges.paper.store import PaperStore
from trading.ports import Clock, ExchangeGateway, MarketData, PaperFunding, UnitOfWorkFactory

if TYPE_CHECKING:
    from trading.ccxt.client import CcxtVenueConfig

# How a ccxt venue is reached, by exchange id and testnet flag.
VenueConfig = Callable[[str, bool], "CcxtVenueConfig"]


def venue_config(exchange: str, testnet: bool) -> "CcxtVenueConfig":
    # ccxt is heavy: imported only when an account uses it.
    from trading.ccxt.client import CcxtVenueConfig

    return CcxtVenueConfig(exchange, testnet=testnet)


class Exchanges:
    def __init__(
        self, market: MarketData, paper_store: PaperStore, clock: Clock, uow: UnitOfWorkFactory
    ) -> None:
        self._market = market
        self._paper_store = paper_store
        self._clock = clock
        self._uow = uow
        self._gateways: dict[int, ExchangeGateway] = {}
        # Where ccxt venues are reached: their own addresses; tests point it at local stand-ins.
        self.venue_config: VenueConfig = venue_config

    async def gateway(self, account: ExchangeAccount) -> ExchangeGateway:
        gateway = self._gateways.get(account.id)
        if gateway is None:
            gateway = self._gateways[account.id] = await self._build(account)
        return gateway

    async def gateway_of(self, account_id: int) -> ExchangeGateway:
        gateway = self._gateways.get(account_id)
        if gateway is not None:
            return gateway
        async with self._uow() as uow:
            account = await uow.accounts.get(account_id)
        if account is None:
            raise NotFound("That exchange account no longer exists.")
        return await self.gateway(account)

    async def open_gateway(
        self,
        exchange: str,
        testnet: bool,
        credentials: Credentials,
        market_type: MarketType = MarketType.SPOT,
    ) -> ExchangeGateway:
        return self._ccxt(exchange, testnet, credentials, market_type)

    def market_types(self, exchange: str) -> frozenset[MarketType]:
        if exchange == PAPER:
            return frozenset(MarketType)
        from trading.ccxt.client import declared_market_types

        return declared_market_types(exchange)

    def paper_funding(self, account: ExchangeAccount) -> PaperFunding:
        return self._paper(account)

    def _paper(self, account: ExchangeAccount) -> PaperExchange | PaperFuturesExchange:
        if account.is_futures:
            return PaperFuturesExchange(account.id, self._paper_store, self._market, self._clock)
        return PaperExchange(account.id, self._paper_store, self._market, self._clock)

    async def _build(self, account: ExchangeAccount) -> ExchangeGateway:
        if account.is_paper:
            return self._paper(account)
        async with self._uow() as uow:
            credentials = await uow.accounts.credentials(account.id)
        return self._ccxt(account.exchange, account.testnet, credentials, account.market_type)

    def _ccxt(
        self, exchange: str, testnet: bool, credentials: Credentials | None, market_type: MarketType
    ) -> ExchangeGateway:
        config = self.venue_config(exchange, testnet)
        if market_type is MarketType.FUTURES:
            from trading.ccxt.derivatives import CcxtDerivativesGateway

            return CcxtDerivativesGateway.open(config, credentials)
        from trading.ccxt.gateway import CcxtGateway

        return CcxtGateway.open(config, credentials)

    async def close(self) -> None:
        for gateway in self._gateways.values():
            await gateway.close()
        self._gateways.clear()

"""The paper exchange's spot account as an ExchangeGateway: balances of coins, each trade paid for in full."""

from collections.abc import Mapping
from decimal import Decimal

from trading.domain.accounts import AssetBalance
from trading.domain.enums import OrderType, Side
from trading.domain.errors import InsufficientFunds
from trading.domain.ledger import ZERO, reservation, settle
from trading.domain.market import BookLevel, Market, parse_symbol
from trading.exchanges.paper.store import PaperOrder, PaperSession, PaperStore
from trading.exchanges.paper.venue import PaperVenue
from trading.ports import Clock, MarketData

Balances = dict[str, Decimal]


class PaperExchange(PaperVenue[Balances, PaperSession]):
    def __init__(self, account_id: int, store: PaperStore, market: MarketData, clock: Clock) -> None:
        super().__init__(account_id, market, clock)
        self._store = store

    async def holds_stops(self, symbol: str) -> bool:
        """The paper venue could rest a stop, but the core holds its legs: a stop and its targets would each
        reserve the same coins here, as on a spot venue, and the core sends only the one the market reaches."""
        return False

    def _session(self, *, read_only: bool = False) -> PaperSession:
        return self._store.session(read_only=read_only)

    async def _load(self, session: PaperSession) -> Balances:
        return await session.balances(self._account_id)

    async def _save(self, session: PaperSession, state: Balances) -> None:
        await session.set_balances(self._account_id, state)

    def _settle(self, state: Balances, order: PaperOrder, level: BookLevel, fee: Decimal) -> Balances:
        _, quote = parse_symbol(order.symbol)
        return settle(state, order.symbol, order.side, level.amount, level.price, fee, quote)

    def _check_funds(
        self,
        order: PaperOrder,
        market: Market,
        slices: list[BookLevel],
        state: Balances,
        reserved: Mapping[str, Decimal],
    ) -> None:
        reference = self._reference(order, market, slices)
        fee_rate = market.taker_fee
        swept = sum((s.amount * s.price for s in slices), ZERO)
        if order.side is Side.BUY:
            asset = market.quote
            rest = order.quantity - sum((s.amount for s in slices), ZERO)
            resting = order.order_type is OrderType.STOP or rest > 0
            needed = swept * (1 + fee_rate) + (rest * reference * (1 + fee_rate) if resting else ZERO)
        else:
            asset, needed = market.base, order.quantity
        available = state.get(asset, ZERO) - reserved.get(asset, ZERO)
        if needed > available:
            raise InsufficientFunds(
                f"This order needs {needed:.8f} {asset} but only {available:.8f} {asset} is available.".replace(
                    ".00000000 ", " "
                )
            )

    def _reservation(self, order: PaperOrder, market: Market, state: Balances) -> tuple[str, Decimal]:
        return reservation(order.side, order.symbol, order.remaining, order.price or ZERO, market.taker_fee)

    def _balances_of(self, state: Balances, reserved: Mapping[str, Decimal]) -> dict[str, AssetBalance]:
        return {
            asset: AssetBalance(asset, total - reserved.get(asset, ZERO), total)
            for asset, total in sorted(state.items())
        }

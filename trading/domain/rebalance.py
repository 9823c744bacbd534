"""Rebalancing: from what an account holds to the shares asked ("50% btc 30% eth 20% usdt"), the trades that
get there: sales first (their proceeds pay for the buys), each rounded to the market's step, with its fee,
and those below the venue's minimums left out with the reason."""

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from trading.domain.enums import Side
from trading.domain.market import Market

ZERO = Decimal(0)
HUNDRED = Decimal(100)


@dataclass(frozen=True, slots=True)
class Trade:
    symbol: str
    side: Side
    quantity: Decimal
    value: Decimal  # in the quote currency, at the price used
    fee: Decimal


@dataclass(frozen=True, slots=True)
class RebalancePlan:
    equity: Decimal
    current: Mapping[str, Decimal]  # each asset's share now, in percent
    trades: tuple[Trade, ...]
    left_out: tuple[tuple[str, str], ...]  # (asset, why)

    @property
    def fees(self) -> Decimal:
        return sum((t.fee for t in self.trades), ZERO)


def plan_rebalance(
    holdings: Mapping[str, Decimal],
    prices: Mapping[str, Decimal],
    markets: Mapping[str, Market],
    targets: Mapping[str, Decimal],
    quote: str,
) -> RebalancePlan:
    """`holdings`: quantities by asset (the quote's included); `prices`, `markets`: by asset, in `quote`, for
    every asset held or targeted but the quote; `targets`: shares in percent adding up to 100."""
    values = {
        asset: qty * (Decimal(1) if asset == quote else prices[asset]) for asset, qty in holdings.items()
    }
    equity = sum(values.values(), ZERO)
    current = {asset: value / equity * HUNDRED for asset, value in values.items()} if equity else {}
    trades: list[Trade] = []
    left_out: list[tuple[str, str]] = []
    for asset in sorted(set(values) | set(targets)):
        if asset == quote:
            continue
        target = equity * targets.get(asset, ZERO) / HUNDRED
        difference = target - values.get(asset, ZERO)
        market, price = markets[asset], prices[asset]
        side = Side.BUY if difference > 0 else Side.SELL
        quantity = market.round_amount(abs(difference) / price)
        if side is Side.SELL:
            quantity = min(quantity, market.round_amount(holdings.get(asset, ZERO)))
        value = quantity * price
        if quantity <= 0 or quantity < market.min_amount or value < market.min_notional:
            if abs(difference) > 0 and quantity > 0:
                left_out.append((asset, f"{value:.2f} {quote} is below the venue's minimum order"))
            continue
        trades.append(Trade(market.symbol, side, quantity, value, value * market.taker_fee))
    trades.sort(key=lambda t: t.side is Side.BUY)  # sales first
    return RebalancePlan(equity, current, tuple(trades), tuple(left_out))


def drift(current: Mapping[str, Decimal], targets: Mapping[str, Decimal]) -> Decimal:
    """The farthest any asset's share now (percent) is from its target, in percentage points; an asset held but
    not named has a target of 0, one named but not held a share of 0."""
    assets = set(current) | set(targets)
    return max((abs(current.get(a, ZERO) - targets.get(a, ZERO)) for a in assets), default=ZERO)


def drifted(current: Mapping[str, Decimal], targets: Mapping[str, Decimal], threshold: Decimal) -> bool:
    """Whether some asset's share is more than `threshold` points from its target: a rebalance is due."""
    return drift(current, targets) > threshold

"""A futures order's terms beside what a spot order has: the position's side, its leverage and margin, the
liquidation price it leads to, and the rules a preview checks them against."""

from dataclasses import dataclass
from decimal import Decimal

from trading.domain.errors import RiskRejected
from trading.domain.futures import MarginMode, PositionSide
from trading.domain.money import HUNDRED, canonical, price_text

# The liquidation price must lie this far beyond the stop (a share of the stop's price), so that a mark moving
# past the stop, or a stop filled with slippage, closes the position before the venue liquidates it.
LIQUIDATION_MARGIN = Decimal("0.01")


@dataclass(frozen=True, slots=True)
class FuturesTerms:
    """What a futures order does beyond a spot one. `margin`: the initial margin it puts up (none for a
    reduce-only order); `liquidation_price`: the position's after the order (None: none, or closed);
    `leverage_asked`: where the leverage was capped, what was asked; `closes`: a reduce-only order for the whole
    position."""

    position_side: PositionSide
    leverage: Decimal
    margin_mode: MarginMode
    margin: Decimal
    reduce_only: bool = False
    liquidation_price: Decimal | None = None
    funding_rate: Decimal | None = None
    leverage_asked: Decimal | None = None
    closes: bool = False

    @property
    def capped(self) -> bool:
        return self.leverage_asked is not None


def capped_leverage(asked: Decimal, user_most: Decimal, market_most: Decimal | None) -> Decimal:
    """The leverage an order takes: what was asked, within the user's limit and the market's ceiling."""
    ceiling = user_most if market_most is None else min(user_most, market_most)
    return min(asked, ceiling)


def stop_to_liquidation(stop: Decimal, liquidation: Decimal) -> Decimal:
    """How far the liquidation price lies from the stop, in percent of the stop."""
    return abs(stop - liquidation) / stop * HUNDRED


def check_liquidation_beyond_stop(
    side: PositionSide, leverage: Decimal, stop: Decimal | None, liquidation: Decimal | None
) -> None:
    """A stop the venue would liquidate the position before reaching protects nothing: refused, with both
    prices, unless the liquidation price lies beyond the stop by LIQUIDATION_MARGIN."""
    if stop is None or liquidation is None:
        return
    if side is PositionSide.LONG:
        safe = liquidation <= stop * (1 - LIQUIDATION_MARGIN)
    else:
        safe = liquidation >= stop * (1 + LIQUIDATION_MARGIN)
    if not safe:
        where = "below" if side is PositionSide.LONG else "above"
        raise RiskRejected(
            f"At {canonical(leverage)}x this {side} would be liquidated at {price_text(liquidation)}, before its "
            f"stop at {price_text(stop)} could close it: the liquidation price must lie at least "
            f"{LIQUIDATION_MARGIN:.0%} {where} the stop. Use less leverage or a closer stop."
        )

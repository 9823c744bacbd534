"""What a trader asked for, before the core has priced it."""

from dataclasses import dataclass
from decimal import Decimal

from trading.domain.enums import AmountUnit, OrderType, Side
from trading.domain.futures import MarginMode, PositionSide


@dataclass(frozen=True, slots=True)
class OrderIntent:
    """`symbol` is a base asset ('BTC') or a pair ('BTC/USDT'); `quote` names the pair's quote where given.
    A stop or take-profits may be given as distances in percent from the order's price instead of as prices
    (`stop_loss_percent`, `take_profit_percents`): the core prices them with the order. `position`: a long or a
    short named ("short 0.1 eth", "close my eth short"): with the side that opens it, a futures order opening
    or adding to it; with the other side, one that reduces it. `margin_mode`: a futures opening's (none: the
    position's where one is open, else isolated)."""

    symbol: str
    side: Side
    amount: Decimal
    amount_unit: AmountUnit = AmountUnit.BASE
    order_type: OrderType = OrderType.MARKET
    price: Decimal | None = None
    quote: str | None = None
    stop_loss: Decimal | None = None
    take_profits: tuple[Decimal, ...] = ()
    leverage: Decimal | None = None
    stop_loss_percent: Decimal | None = None
    take_profit_percents: tuple[Decimal, ...] = ()
    position: PositionSide | None = None
    margin_mode: MarginMode | None = None

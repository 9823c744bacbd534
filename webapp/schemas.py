"""msgspec Structs at the API boundary. Money goes out as decimal strings, never as floats."""

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal

import msgspec
from litestar.params import Parameter

from trading.usecases.access import LARGEST_ID

Symbol = Annotated[
    str,
    msgspec.Meta(
        pattern=r"^[A-Za-z0-9]{1,15}(/[A-Za-z0-9]{1,15})?$",
        description="A base asset ('BTC') or a pair ('BTC/USDT').",
        examples=["BTC", "ETH/USDT"],
    ),
]
Amount = Annotated[Decimal, msgspec.Meta(description="A positive decimal, as a string or a number.")]
Price = Annotated[Decimal, msgspec.Meta(description="A positive decimal, as a string or a number.")]
Distance = Annotated[
    Decimal, msgspec.Meta(description="A distance from the order's price in percent (5 for 5%), above 0.")
]
MAX_DECIMAL = Decimal(10) ** 15


def positive(name: str, value: Decimal | None) -> None:
    """msgspec has no bounds for Decimal; a ValueError here is a 400 naming the field."""
    if value is not None and not (value.is_finite() and 0 < value <= MAX_DECIMAL):
        raise ValueError(f"`{name}` must be a number above 0 and at most 10^15")


# An account of the caller's, by id: a row id the database's integer keys can hold.
AccountId = Annotated[int, msgspec.Meta(ge=1, le=LARGEST_ID)]
# A row's id in a path: one the database's integer keys can hold (a larger one is a 400, not the database's 500).
RowId = Annotated[int, Parameter(ge=1, le=LARGEST_ID)]
DraftId = Annotated[str, msgspec.Meta(pattern=r"^[A-Za-z0-9_-]{4,16}$")]
Name = Annotated[str, msgspec.Meta(min_length=1, max_length=100)]


# Authentication
class InitDataLogin(msgspec.Struct):
    init_data: Annotated[str, msgspec.Meta(min_length=1, max_length=4096)]


class LinkLogin(msgspec.Struct):
    code: Annotated[str, msgspec.Meta(min_length=1, max_length=128)]


class RefreshRequest(msgspec.Struct):
    refresh_token: Annotated[str, msgspec.Meta(min_length=1, max_length=128)]


class Tokens(msgspec.Struct):
    access_token: str
    refresh_token: str
    expires_in: int
    token_type: str = "bearer"


class UserOut(msgspec.Struct):
    id: int
    name: str
    telegram_id: int | None
    scope: str


# Portfolio
class BalanceOut(msgspec.Struct):
    asset: str
    amount: Decimal
    value: Decimal | None


class PositionOut(msgspec.Struct):
    symbol: str
    quantity: Decimal
    average_cost: Decimal
    price: Decimal
    value: Decimal
    unrealised_pnl: Decimal
    unrealised_pct: Decimal
    realised_pnl: Decimal


class PortfolioOut(msgspec.Struct):
    account_id: int
    quote: str
    cash: Decimal
    equity: Decimal
    realised_pnl: Decimal
    unrealised_pnl: Decimal
    fees_paid: Decimal
    deposits: Decimal
    balances: list[BalanceOut]
    positions: list[PositionOut]


class EquityPoint(msgspec.Struct):
    at: datetime
    equity: Decimal


class DayPnl(msgspec.Struct):
    day: str
    realised: Decimal


Leverage = Annotated[
    Decimal,
    msgspec.Meta(
        description="A whole multiple, 1 or more; capped at your most and the market's (the preview says so)."
    ),
]
MarginModeName = Literal["isolated", "cross"]
PositionSideName = Literal["long", "short"]


def whole_leverage(value: Decimal | None) -> None:
    if value is not None and not (value.is_finite() and 1 <= value <= MAX_DECIMAL and value == int(value)):
        raise ValueError("`leverage` must be a whole number, 1 or more")


# Orders
class OrderPreviewRequest(msgspec.Struct, forbid_unknown_fields=True):
    """An order to preview. On a futures account (`account_id`, or asked for by `position` or a leverage above
    1), `buy` opens or adds to a long and `sell` a short, unless `position` names the other side, which the order
    then reduces; `amount` in the quote is the margin put up, fee included. `unit` `risk`: `amount` is the percent
    of your equity to lose at the stop (above 0 and at most 10), the stop's distance giving the size; a stop is
    then needed."""

    symbol: Symbol
    side: Literal["buy", "sell"]
    amount: Amount
    unit: Literal["base", "quote", "percent", "risk"] = "base"
    type: Literal["market", "limit", "stop"] = "market"
    price: Price | None = None
    stop_loss: Price | None = None
    take_profits: Annotated[list[Price], msgspec.Meta(max_length=10)] = []
    # Where no price is given: the stop and targets as distances from the order's price, priced in the preview.
    stop_loss_percent: Distance | None = None
    take_profit_percents: Annotated[list[Distance], msgspec.Meta(max_length=10)] = []
    account_id: AccountId | None = None
    leverage: Leverage | None = None
    margin_mode: MarginModeName | None = None
    position: PositionSideName | None = None

    def __post_init__(self) -> None:
        positive("amount", self.amount)
        positive("price", self.price)
        whole_leverage(self.leverage)
        positive("stop_loss", self.stop_loss)
        positive("stop_loss_percent", self.stop_loss_percent)
        for target in self.take_profits:
            positive("take_profits", target)
        for distance in self.take_profit_percents:
            positive("take_profit_percents", distance)
        if self.type != "market" and self.price is None:
            raise ValueError(f"a {self.type} order needs `price`")


class PreviewOut(msgspec.Struct):
    price: Decimal
    quantity: Decimal
    cost: Decimal
    fee: Decimal
    at_risk: Decimal
    stop_distance: Decimal | None
    stop_distance_pct: Decimal | None
    # A limit order on the wrong side of the market (a buy above the ask, a sell below the bid): the price now,
    # near which it would fill at once. Ask again with type "stop" for a breakout at `price`, or "market".
    fills_at_once_near: Decimal | None = None
    # Sized from risk: the percent of the equity the size was taken from; `at_risk` is no more than that share.
    risk_percent: Decimal | None = None
    # A signal plan's trailing entry (its source's entry rules): armed at `price` on Follow, nothing placed; it
    # buys `quantity` at market once the ask, at or below `price`, turns back up this percent from its low.
    trailing_entry_percent: Decimal | None = None


class FuturesTermsOut(msgspec.Struct):
    """What a futures order does beyond a spot one. `leverage`: the one it takes (`leverage_asked`: what was
    asked, where it was capped at your most or the market's); `margin`: the initial margin it puts up (0 for a
    reduce-only order); `liquidation_price`: the position's after the order (null: none, or closed);
    `stop_to_liquidation_pct`: how far the liquidation price lies beyond the stop, in percent of the stop;
    `funding_rate`: the rate now, paid every 8 hours (longs pay shorts when positive); `reduce_only`: it only
    shrinks the position (`closes`: all of it)."""

    position_side: PositionSideName
    leverage: Decimal
    leverage_asked: Decimal | None
    leverage_capped: bool
    margin_mode: MarginModeName
    margin: Decimal
    liquidation_price: Decimal | None
    stop_to_liquidation_pct: Decimal | None
    funding_rate: Decimal | None
    reduce_only: bool
    closes: bool


class DraftOut(msgspec.Struct):
    draft_id: str
    account_id: int
    symbol: str
    side: str
    type: str
    quantity: Decimal
    price: Decimal | None
    stop_loss: Decimal | None
    take_profits: list[Decimal]
    preview: PreviewOut
    expires_at: datetime
    # A stop moved rather than a new order: the stop order a confirmation moves to `price`.
    replaces_order_id: int | None = None
    futures: FuturesTermsOut | None = None  # null on spot
    # The market's price increment, the precision its prices are shown to (null where not given).
    price_tick: Decimal | None = None


class MoveStopRequest(msgspec.Struct, forbid_unknown_fields=True):
    price: Price

    def __post_init__(self) -> None:
        positive("price", self.price)


class ConfirmRequest(msgspec.Struct, forbid_unknown_fields=True):
    draft_id: DraftId


class OrderOut(msgspec.Struct):
    id: int
    account_id: int
    symbol: str
    side: str
    type: str
    role: str
    quantity: Decimal
    price: Decimal | None
    status: str
    filled: Decimal
    average_price: Decimal | None
    fee: Decimal
    error: str | None
    created_at: datetime
    updated_at: datetime


class PlacedOut(OrderOut):
    """A confirmed order, with the stop and targets it placed or holds for its position, as the chat repeats."""

    legs: list[OrderOut] = []


# Markets
class TickerOut(msgspec.Struct):
    symbol: str
    bid: Decimal
    ask: Decimal
    last: Decimal


class CandleOut(msgspec.Struct):
    at: datetime
    open: Decimal
    high: Decimal
    low: Decimal
    close: Decimal
    volume: Decimal


class MarketOut(msgspec.Struct):
    symbol: str
    base: str
    quote: str


# Accounts, risk, tokens
class AccountOut(msgspec.Struct):
    """`market_type`: spot coins, or perpetual futures (where shorts and leverage go)."""

    id: int
    exchange: str
    label: str
    testnet: bool
    has_credentials: bool
    created_at: datetime
    market_type: Literal["spot", "futures"]


class TransferOut(msgspec.Struct):
    """An asset moved in (positive) or out (negative) at the venue; `cost` is what coins brought in are booked at,
    in the quote (null for the quote itself and for an asset with no market against it)."""

    asset: str
    amount: Decimal
    cost: Decimal | None


class BalancesSyncedOut(msgspec.Struct):
    """What a sync booked: nothing when the books already matched the venue."""

    transfers: list[TransferOut]


class AccountIn(msgspec.Struct, forbid_unknown_fields=True):
    """`market_type` futures: shorts and leverage, on the paper venue or on a ccxt venue's linear perpetuals
    (binanceusdm, bybit, okx, ...), whose keys are tried there before the account is stored."""

    exchange: Annotated[str, msgspec.Meta(pattern=r"^[a-z0-9_]{2,40}$")]
    label: Name
    testnet: bool = False
    market_type: Literal["spot", "futures"] = "spot"
    api_key: Annotated[str, msgspec.Meta(min_length=1, max_length=500)] | None = None
    secret: Annotated[str, msgspec.Meta(min_length=1, max_length=500)] | None = None
    password: Annotated[str, msgspec.Meta(min_length=1, max_length=500)] | None = None


class RiskLimitsOut(msgspec.Struct):
    max_order_value: Decimal
    max_position_share: Decimal
    max_open_positions: int
    daily_loss_limit: Decimal
    require_stop_for_leverage: bool
    max_leverage: Decimal
    max_margin_share: Decimal


Share = Annotated[Decimal, msgspec.Meta(description="A fraction above 0 and at most 1 (0.25 is 25%).")]
Positions = Annotated[int, msgspec.Meta(ge=1, le=10_000)]


class RiskIn(msgspec.Struct, forbid_unknown_fields=True):
    """Your own limits, each at most the operator's; a missing or null one keeps the operator's."""

    max_order_value: Amount | None = None
    max_position_share: Share | None = None
    max_open_positions: Positions | None = None
    daily_loss_limit: Amount | None = None
    require_stop_for_leverage: bool | None = None
    max_leverage: Annotated[Decimal, msgspec.Meta(description="Whole, 1x or more.")] | None = None
    max_margin_share: (
        Annotated[
            Decimal,
            msgspec.Meta(
                description="The most of your futures equity open positions and a new one may hold as initial "
                "margin: above 0 and at most 1 (0.5 is 50%)."
            ),
        ]
        | None
    ) = None

    def __post_init__(self) -> None:
        positive("max_order_value", self.max_order_value)
        positive("daily_loss_limit", self.daily_loss_limit)
        for name in ("max_position_share", "max_margin_share"):
            share = getattr(self, name)
            if share is not None and not (share.is_finite() and 0 < share <= 1):
                raise ValueError(f"`{name}` must be above 0 and at most 1 (0.25 is 25%)")


class RiskOverridesOut(msgspec.Struct):
    max_order_value: Decimal | None
    max_position_share: Decimal | None
    max_open_positions: int | None
    daily_loss_limit: Decimal | None
    require_stop_for_leverage: bool | None
    max_leverage: Decimal | None
    max_margin_share: Decimal | None


class RiskOut(msgspec.Struct):
    """`max_*`, `daily_loss_limit`, `require_stop_for_leverage`: the limits every preview is checked against
    (each the tighter of the operator's and your own); `operator`: the operator's, the most you may set;
    `overrides`: your own (null keeps the operator's)."""

    max_order_value: Decimal
    max_position_share: Decimal
    max_open_positions: int
    daily_loss_limit: Decimal
    require_stop_for_leverage: bool
    draft_ttl_seconds: int
    operator: RiskLimitsOut
    overrides: RiskOverridesOut
    max_leverage: Decimal
    max_margin_share: Decimal
    editable: bool = True


class ApiTokenIn(msgspec.Struct, forbid_unknown_fields=True):
    name: Name
    scope: Literal["read", "trade"] = "read"


class ApiTokenOut(msgspec.Struct):
    id: int
    name: str
    scope: str
    prefix: str
    created_at: datetime
    revoked_at: datetime | None


class NewApiToken(msgspec.Struct):
    token: ApiTokenOut
    secret: str

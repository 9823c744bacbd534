"""Risk limits: each check refuses with its reason, in the trader's words."""

from dataclasses import dataclass
from decimal import Decimal

from trading.domain.enums import Side
from trading.domain.errors import InvalidInput, RiskRejected
from trading.domain.money import canonical


@dataclass(frozen=True, slots=True)
class RiskLimits:
    max_order_value: Decimal
    max_position_share: Decimal
    max_open_positions: int
    daily_loss_limit: Decimal
    require_stop_for_leverage: bool = True
    # The most leverage a futures order takes: a signal asking for more is placed at this, and says so.
    max_leverage: Decimal = Decimal(20)
    # The most of a futures account's equity its open positions and a new one may hold as initial margin.
    max_margin_share: Decimal = Decimal("0.5")


@dataclass(frozen=True, slots=True)
class RiskContext:
    """The account as the order would find it, valued in the order's quote currency."""

    quote: str
    equity: Decimal
    position_value: Decimal
    open_positions: int
    holds_symbol: bool
    realised_today: Decimal


@dataclass(frozen=True, slots=True)
class OrderExposure:
    """`value`: the notional; `opens`: whether it adds risk (a buy on spot, an order that is not reduce-only on
    futures), where a sale on spot or a close only takes it off."""

    symbol: str
    side: Side
    value: Decimal
    leverage: Decimal | None
    stop_loss: Decimal | None
    opens: bool


def margin_multiple(leverage: Decimal | None) -> Decimal | None:
    """The leverage of a leveraged order; None for a spot one (no leverage, or 1x)."""
    return leverage if leverage is not None and leverage > 1 else None


def _money(value: Decimal, quote: str) -> str:
    return f"{value:,.2f} {quote}"


def check_risk(order: OrderExposure, account: RiskContext, limits: RiskLimits) -> None:
    """Raise RiskRejected for the first limit the order breaks. What only takes risk off passes."""
    leveraged = margin_multiple(order.leverage) is not None
    if not order.opens:
        return
    if leveraged and limits.require_stop_for_leverage and order.stop_loss is None:
        raise RiskRejected(
            f"A leveraged trade ({canonical(order.leverage or Decimal(1))}x) needs a stop loss; add one, "
            "e.g. 'SL 61000'."
        )
    quote = account.quote
    if order.value > limits.max_order_value:
        raise RiskRejected(
            f"This order is worth {_money(order.value, quote)}; your limit per order is "
            f"{_money(limits.max_order_value, quote)}."
        )
    if -account.realised_today >= limits.daily_loss_limit:
        raise RiskRejected(
            f"Today's losses ({_money(-account.realised_today, quote)}) have reached your daily limit of "
            f"{_money(limits.daily_loss_limit, quote)}; new positions are paused until 00:00 UTC."
        )
    if not account.holds_symbol and account.open_positions >= limits.max_open_positions:
        raise RiskRejected(
            f"You already have {account.open_positions} open positions, the most your limits allow."
        )
    if account.equity > 0:
        share = (account.position_value + order.value) / account.equity
        if share > limits.max_position_share:
            raise RiskRejected(
                f"This would put {share:.0%} of your portfolio in {order.symbol}; the limit is "
                f"{limits.max_position_share:.0%}."
            )


def check_margin_cap(in_use: Decimal, new: Decimal, equity: Decimal, limits: RiskLimits, quote: str) -> None:
    """Raise RiskRejected where the margin already held and the new order's would pass the share of the
    futures account's equity that may be tied up."""
    cap = limits.max_margin_share * max(equity, Decimal(0))
    if in_use + new > cap:
        raise RiskRejected(
            f"This needs {_money(new, quote)} of margin on top of the {_money(in_use, quote)} in use, past your "
            f"cap of {limits.max_margin_share:.0%} of your futures equity ({_money(cap, quote)})."
        )


@dataclass(frozen=True, slots=True)
class RiskOverrides:
    """A user's own limits; None keeps the operator's. The operator's limits are a ceiling: a user may only
    tighten them (a smaller order, a smaller share, fewer positions, a smaller daily loss, a stop required),
    never loosen them, so an operator who lowers a limit later lowers it for everyone."""

    max_order_value: Decimal | None = None
    max_position_share: Decimal | None = None
    max_open_positions: int | None = None
    daily_loss_limit: Decimal | None = None
    require_stop_for_leverage: bool | None = None
    max_leverage: Decimal | None = None
    max_margin_share: Decimal | None = None

    @property
    def empty(self) -> bool:
        return self == RiskOverrides()


def effective_limits(operator: RiskLimits, overrides: RiskOverrides | None) -> RiskLimits:
    """The limits a user's orders are checked against: each the tighter of the operator's and the user's."""
    if overrides is None:
        return operator
    o = overrides
    return RiskLimits(
        max_order_value=_tighter(operator.max_order_value, o.max_order_value),
        max_position_share=_tighter(operator.max_position_share, o.max_position_share),
        max_open_positions=min(
            operator.max_open_positions, o.max_open_positions or operator.max_open_positions
        ),
        daily_loss_limit=_tighter(operator.daily_loss_limit, o.daily_loss_limit),
        require_stop_for_leverage=operator.require_stop_for_leverage or bool(o.require_stop_for_leverage),
        max_leverage=_tighter(operator.max_leverage, o.max_leverage),
        max_margin_share=_tighter(operator.max_margin_share, o.max_margin_share),
    )


def _tighter(operator: Decimal, own: Decimal | None) -> Decimal:
    return operator if own is None else min(operator, own)


def check_overrides(operator: RiskLimits, overrides: RiskOverrides, quote: str) -> None:
    """Raise InvalidInput naming the first limit that is not a number in range or that loosens the operator's."""
    o = overrides
    for label, value, ceiling in (
        ("The limit per order", o.max_order_value, operator.max_order_value),
        ("The daily loss limit", o.daily_loss_limit, operator.daily_loss_limit),
    ):
        if value is None:
            continue
        if not value.is_finite() or value <= 0:
            raise InvalidInput(f"{label} must be an amount above 0.")
        if value > ceiling:
            raise InvalidInput(f"{label} can be at most {_money(ceiling, quote)}, the operator's limit.")
    for label, share, ceiling in (
        (
            "The largest share of the portfolio in one market",
            o.max_position_share,
            operator.max_position_share,
        ),
        ("The largest share of futures equity held as margin", o.max_margin_share, operator.max_margin_share),
    ):
        if share is None:
            continue
        if not share.is_finite() or not 0 < share <= 1:
            raise InvalidInput(f"{label} must be above 0% and at most 100%.")
        if share > ceiling:
            raise InvalidInput(f"{label} can be at most {ceiling:.0%}, the operator's limit.")
    positions = o.max_open_positions
    if positions is not None:
        if positions < 1:
            raise InvalidInput("The number of open positions allowed must be at least 1.")
        if positions > operator.max_open_positions:
            raise InvalidInput(
                f"The number of open positions allowed can be at most {operator.max_open_positions}, "
                "the operator's limit."
            )
    _check_leverage(operator, o.max_leverage)
    if o.require_stop_for_leverage is False and operator.require_stop_for_leverage:
        raise InvalidInput(
            "A stop loss on leveraged trades is required by the operator; it cannot be turned off."
        )


def _check_leverage(operator: RiskLimits, leverage: Decimal | None) -> None:
    if leverage is None:
        return
    if not leverage.is_finite() or leverage < 1 or leverage != leverage.to_integral_value():
        raise InvalidInput("The most leverage must be a whole number of 1x or more.")
    if leverage > operator.max_leverage:
        raise InvalidInput(
            f"The most leverage can be {canonical(operator.max_leverage)}x at most, the operator's limit."
        )


def loosens(before: RiskLimits, after: RiskLimits) -> bool:
    """Whether `after` allows anything `before` did not: a higher limit, or a stop no longer required."""
    higher = (
        after.max_order_value > before.max_order_value
        or after.max_position_share > before.max_position_share
        or after.max_open_positions > before.max_open_positions
        or after.daily_loss_limit > before.daily_loss_limit
        or after.max_leverage > before.max_leverage
        or after.max_margin_share > before.max_margin_share
    )
    return higher or (before.require_stop_for_leverage and not after.require_stop_for_leverage)

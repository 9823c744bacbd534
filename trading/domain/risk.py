"""Risk limits: each check refuses with its reason, in the trader's words."""

from dataclasses import dataclass
from decimal import Decimal

from trading.domain.enums import Side
from trading.domain.errors import RiskRejected


@dataclass(frozen=True, slots=True)
class RiskLimits:
    max_order_value: Decimal
    max_position_share: Decimal
    max_open_positions: int
    daily_loss_limit: Decimal
    require_stop_for_leverage: bool = True


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
    symbol: str
    side: Side
    value: Decimal
    leverage: Decimal | None
    stop_loss: Decimal | None


def margin_multiple(leverage: Decimal | None) -> Decimal | None:
    """The leverage of a leveraged order; None for a spot one (no leverage, or 1x)."""
    return leverage if leverage is not None and leverage > 1 else None


def _money(value: Decimal, quote: str) -> str:
    return f"{value:,.2f} {quote}"


def check_risk(order: OrderExposure, account: RiskContext, limits: RiskLimits) -> None:
    """Raise RiskRejected for the first limit the order breaks. Sells on a spot account only reduce risk."""
    leveraged = margin_multiple(order.leverage) is not None
    if leveraged and limits.require_stop_for_leverage and order.stop_loss is None:
        raise RiskRejected(
            f"A leveraged trade ({order.leverage}x) needs a stop loss; add one, e.g. 'SL 61000'."
        )
    if order.side is Side.SELL and not leveraged:
        return
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

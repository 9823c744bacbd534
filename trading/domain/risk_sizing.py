"""Sizing from risk: "risk 1% of my equity, stop 60000" buys or sells the size whose loss at the stop, both fees
included, comes to 1% of the equity, rounded down to the market's step so that it never comes to more."""

from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal

from trading.domain.errors import InvalidInput
from trading.domain.money import HUNDRED

NEEDS_A_STOP = "A stop is needed to size from risk: say where, e.g. 'sl 60000' or 'stop 5%'."
# A share of the equity above this to lose on one trade is a typo for an amount, not a risk.
MOST_RISK_PERCENT = Decimal(10)


@dataclass(frozen=True, slots=True)
class RiskSize:
    """`quantity`: the size; `budget`: what may be lost at the stop (the equity's share)."""

    quantity: Decimal
    budget: Decimal


def check_risk_percent(percent: Decimal) -> None:
    if not percent.is_finite() or not 0 < percent <= MOST_RISK_PERCENT:
        raise InvalidInput(
            f"A risk to size from is a share of your equity above 0% and at most {MOST_RISK_PERCENT}%."
        )


def loss_at_stop(quantity: Decimal, entry: Decimal, stop: Decimal, fee_rate: Decimal) -> Decimal:
    """What `quantity` opened at `entry` and closed at `stop` loses: the distance and the fee both ways."""
    return quantity * abs(entry - stop) + quantity * entry * fee_rate + quantity * stop * fee_rate


def risk_budget(equity: Decimal, percent: Decimal) -> Decimal:
    """What may be lost at the stop: `percent` of `equity`. InvalidInput for a percent out of range or no
    equity."""
    check_risk_percent(percent)
    budget = equity * percent / HUNDRED
    if budget <= 0:
        raise InvalidInput("Your equity is nothing, so there is no risk to size from.")
    return budget


def size_from_risk(
    equity: Decimal, percent: Decimal, entry: Decimal, stop: Decimal | None, fee_rate: Decimal, step: Decimal
) -> RiskSize:
    """The largest size, a multiple of `step`, whose loss at the stop is no more than `percent` of `equity`.
    InvalidInput where there is no stop, no equity, or the stop is at the entry."""
    budget = risk_budget(equity, percent)
    if stop is None:
        raise InvalidInput(NEEDS_A_STOP)
    if stop == entry:
        raise InvalidInput("The stop is at the entry's price: there is no distance to size from.")
    per_unit = abs(entry - stop) + (entry + stop) * fee_rate
    quantity = (budget / per_unit / step).to_integral_value(ROUND_DOWN) * step
    if loss_at_stop(quantity, entry, stop, fee_rate) > budget:  # the division's last digit rounded up
        quantity -= step
    return RiskSize(max(quantity, Decimal(0)), budget)

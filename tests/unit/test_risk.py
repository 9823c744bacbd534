from dataclasses import replace
from decimal import Decimal

import pytest

from trading.domain.enums import Side
from trading.domain.errors import InvalidInput, RiskRejected
from trading.domain.risk import (
    OrderExposure,
    RiskContext,
    RiskLimits,
    RiskOverrides,
    check_margin_cap,
    check_overrides,
    check_risk,
    effective_limits,
    loosens,
)

LIMITS = RiskLimits(
    max_order_value=Decimal(1000),
    max_position_share=Decimal("0.5"),
    max_open_positions=2,
    daily_loss_limit=Decimal(100),
)
CALM = RiskContext("USDT", Decimal(10_000), Decimal(0), 0, False, Decimal(0))


def order(
    value: int = 500, side: Side = Side.BUY, leverage: int | None = None, stop: int | None = None
) -> OrderExposure:
    return OrderExposure(
        "BTC/USDT",
        side,
        Decimal(value),
        None if leverage is None else Decimal(leverage),
        None if stop is None else Decimal(stop),
        opens=side is Side.BUY or leverage is not None,
    )


def test_an_order_within_every_limit_passes() -> None:
    check_risk(order(), CALM, LIMITS)


@pytest.mark.parametrize(
    ("exposure", "context", "reason"),
    [
        (order(1500), CALM, "worth 1,500.00 USDT; your limit per order is 1,000.00 USDT"),
        (order(leverage=10), CALM, "leveraged trade .10x. needs a stop loss"),
        (order(), RiskContext("USDT", Decimal(10_000), Decimal(0), 2, False, Decimal(0)), "2 open positions"),
        (order(), RiskContext("USDT", Decimal(10_000), Decimal(0), 0, False, Decimal(-100)), "daily limit"),
        (
            order(),
            RiskContext("USDT", Decimal(1_000), Decimal(100), 1, True, Decimal(0)),
            "60% of your portfolio in BTC/USDT; the limit is 50%",
        ),
    ],
)
def test_each_limit_refuses_with_its_reason(
    exposure: OrderExposure, context: RiskContext, reason: str
) -> None:
    with pytest.raises(RiskRejected, match=reason):
        check_risk(exposure, context, LIMITS)


def test_adding_to_a_held_symbol_is_not_a_new_position() -> None:
    check_risk(order(), RiskContext("USDT", Decimal(10_000), Decimal(100), 2, True, Decimal(0)), LIMITS)


def test_a_spot_sell_only_reduces_risk() -> None:
    check_risk(
        order(5000, Side.SELL), RiskContext("USDT", Decimal(10), Decimal(0), 9, False, Decimal(-999)), LIMITS
    )


def test_leverage_with_a_stop_passes_and_the_stop_rule_can_be_turned_off() -> None:
    check_risk(order(leverage=5, stop=60_000), CALM, LIMITS)
    relaxed = RiskLimits(Decimal(1000), Decimal("0.5"), 2, Decimal(100), require_stop_for_leverage=False)
    check_risk(order(leverage=5), CALM, relaxed)


def test_a_short_opens_risk_and_a_close_takes_it_off_whatever_the_limits() -> None:
    short = OrderExposure("BTC/USDT:USDT", Side.SELL, Decimal(1500), Decimal(1), None, opens=True)
    with pytest.raises(RiskRejected, match="your limit per order"):
        check_risk(short, CALM, LIMITS)
    close = OrderExposure("BTC/USDT:USDT", Side.BUY, Decimal(5000), Decimal(10), None, opens=False)
    check_risk(close, RiskContext("USDT", Decimal(10), Decimal(0), 9, False, Decimal(-999)), LIMITS)


def test_margin_within_the_cap_passes_and_past_it_is_refused_with_all_three_amounts() -> None:
    capped = RiskLimits(Decimal(1000), Decimal("0.5"), 2, Decimal(100), max_margin_share=Decimal("0.3"))
    check_margin_cap(Decimal(200), Decimal(100), Decimal(1000), capped, "USDT")  # 300 of 300
    with pytest.raises(RiskRejected) as refused:
        check_margin_cap(Decimal(200), Decimal("100.01"), Decimal(1000), capped, "USDT")
    assert str(refused.value) == (
        "This needs 100.01 USDT of margin on top of the 200.00 USDT in use, past your cap of 30% of your "
        "futures equity (300.00 USDT)."
    )


def test_the_users_margin_cap_only_tightens_the_operators() -> None:
    assert effective_limits(
        LIMITS, RiskOverrides(max_margin_share=Decimal("0.2"))
    ).max_margin_share == Decimal("0.2")
    with pytest.raises(InvalidInput, match="held as margin can be at most 50%, the operator's limit"):
        check_overrides(LIMITS, RiskOverrides(max_margin_share=Decimal("0.6")), "USDT")
    with pytest.raises(InvalidInput, match="held as margin must be above 0% and at most 100%"):
        check_overrides(LIMITS, RiskOverrides(max_margin_share=Decimal(0)), "USDT")


@pytest.mark.parametrize(
    ("change", "looser"),
    [
        ({"max_order_value": Decimal(6000)}, True),
        ({"max_order_value": Decimal(100)}, False),
        ({"max_open_positions": 11}, True),
        ({"max_leverage": Decimal(2)}, False),
        ({"require_stop_for_leverage": False}, True),
        ({}, False),
    ],
)
def test_a_change_loosens_where_it_allows_anything_more(change: dict[str, object], looser: bool) -> None:
    assert loosens(LIMITS, replace(LIMITS, **change)) is looser  # type: ignore[arg-type]

"""A signal planned on the trader's futures account: a short, or a long with leverage. The amount is the margin
put up, the signal's leverage taken within the trader's limit and the market's ceiling (the plan says when it
was capped), and the plan refused where the position would be liquidated before its stop could close it."""

from dataclasses import dataclass
from decimal import Decimal

from trading.domain.entry_rules import EntryRules
from trading.domain.futures import PositionSide
from trading.domain.futures_orders import FuturesTerms, capped_leverage, check_liquidation_beyond_stop
from trading.domain.perpetuals import perpetual_of
from trading.domain.risk import OrderExposure
from trading.domain.risk_sizing import risk_budget
from trading.domain.signals import DEFAULT_RULES, SignalPlan, SignalSpec, amount_for_risk, plan_signal
from trading.usecases.core import Core
from trading.usecases.futures_context import (
    MARGIN_MODE,
    check_free,
    check_futures_risk,
    check_one_position,
    futures_state,
    market_now,
    marks_of,
    opened,
)
from trading.usecases.pricing import pair_of


@dataclass(frozen=True, slots=True)
class FuturesPlan:
    account_id: int
    plan: SignalPlan
    fee_rate: Decimal
    terms: FuturesTerms


async def plan_futures(
    core: Core,
    user_id: int,
    spec: SignalSpec,
    amount: Decimal,
    account_id: int | None,
    rules: EntryRules = DEFAULT_RULES,
    risk_percent: Decimal | None = None,
) -> FuturesPlan:
    """Plan `amount` of margin over the signal's entries on the user's futures account (the one given, or the
    first), or, with `risk_percent`, the margin that loses that share of the account's equity at the stop.
    NoFuturesAccount where the user has none: a short never becomes a sale of coins held."""
    state = await futures_state(core, user_id, account_id)
    symbol = perpetual_of(pair_of(spec.symbol, None, core.config.paper_quote))
    now = await market_now(core, state.account.id, symbol)
    side = PositionSide.opened_by(spec.side)
    asked = max(spec.leverage or Decimal(1), Decimal(1))
    leverage = capped_leverage(asked, state.limits.max_leverage, now.market.max_leverage)
    check_one_position(now, side, leverage)
    if risk_percent is not None:
        equity = state.book.equity(now.market.quote, await marks_of(state.book, now))
        budget = risk_budget(equity, risk_percent)
        amount = amount_for_risk(spec, budget, now.market, now.ticker, leverage, rules)
    plan = plan_signal(spec, amount, now.market, now.ticker, leverage, rules)
    check_free(now, plan.margin + plan.fees)
    fee_rate = now.market.taker_fee
    fills = [(e.quantity, e.price, e.quantity * e.price * fee_rate) for e in plan.entries]
    liquidation = opened(state.book, symbol, spec.side, fills, leverage).liquidation_price(symbol)
    check_liquidation_beyond_stop(side, leverage, plan.stop_loss, liquidation)
    exposure = OrderExposure(symbol, spec.side, plan.cost, leverage, plan.stop_loss, opens=True)
    await check_futures_risk(state, now, exposure, plan.margin)
    terms = FuturesTerms(
        side,
        leverage,
        MARGIN_MODE,
        plan.margin,
        liquidation_price=liquidation,
        funding_rate=now.funding_rate,
        leverage_asked=asked if leverage < asked else None,
    )
    return FuturesPlan(state.account.id, plan, fee_rate, terms)

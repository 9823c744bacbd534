"""A signal's plan: previewed as one, its entries drafted together, claimed together and then sent. A short or
a leveraged signal is planned on futures (trading.usecases.futures_plans)."""

from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal

from trading.domain.entry_rules import EntryRules
from trading.domain.enums import OrderType
from trading.domain.errors import ExchangeUnavailable, InsufficientFunds, NotFound, TradingError
from trading.domain.futures_orders import FuturesTerms
from trading.domain.ledger import ZERO
from trading.domain.orders import Order, OrderDraft, Preview
from trading.domain.risk import OrderExposure, effective_limits
from trading.domain.risk_sizing import risk_budget
from trading.domain.signal_records import SignalSource
from trading.domain.signals import (
    PlannedEntry,
    SignalPlan,
    SignalSpec,
    amount_for_risk,
    plan_signal,
    with_trailing_entries,
)
from trading.domain.stop_modes import PositionStopMode
from trading.ports import UnitOfWork
from trading.usecases.core import Core, account_of, new_draft_id
from trading.usecases.drafting import risk_context
from trading.usecases.execution import Claimed, carry_out, claim_draft
from trading.usecases.futures_plans import plan_futures
from trading.usecases.order_metrics import risk_checked
from trading.usecases.plan_trailing import arm, trailing_records
from trading.usecases.pricing import free_of, pair_of
from trading.usecases.routing import is_futures_account, signal_wants_futures
from trading.usecases.trailing_entries import ENTRY_LIFE


@dataclass(frozen=True, slots=True)
class PlanDraft:
    """`futures`: the plan's futures terms (its leverage, margin, liquidation price), where it trades futures;
    `risk_percent`: the share of the equity it was sized to risk at its stop, where its source says so."""

    group_id: str
    plan: SignalPlan
    drafts: tuple[OrderDraft, ...]
    futures: FuturesTerms | None = None
    risk_percent: Decimal | None = None


@dataclass(frozen=True, slots=True)
class PlanResult:
    """The entries placed; refused, with why; unconfirmed: sent, with no answer from the exchange, so
    perhaps placed (looked up by the tracker, and the trader told), with what the trader is told now; and the
    trailing entries armed (their drafts), which buy later."""

    orders: tuple[Order, ...]
    failures: tuple[tuple[OrderDraft, str], ...]
    unconfirmed: tuple[tuple[OrderDraft, str], ...] = ()
    armed: tuple[OrderDraft, ...] = ()


async def draft_signal_plan(
    core: Core,
    user_id: int,
    spec: SignalSpec,
    amount: Decimal,
    *,
    account_id: int | None = None,
    move_stop_to_entry: bool = False,
    signal_id: int | None = None,
    source: SignalSource | None = None,
) -> PlanDraft:
    """Plan `amount` (quote currency) over a signal's entries and keep the plan for one confirmation: a short
    or a leveraged signal on the user's futures account (its amount the margin put up), never on spot, where a
    short would sell coins held; any other on spot.

    `signal_id`: the recorded signal it follows, which keeps the plan's group id (its outcome is read from it),
    and whose source's entry rules split the amount.
    `source`: where it came from, whose market choice routes it (trading.usecases.routing) and whose risk, where
    set, sizes it in place of `amount`.
    """
    rules = await _rules_of(core, signal_id)
    terms: FuturesTerms | None = None
    risk = None if source is None else source.settings.risk_percent
    if signal_wants_futures(source, spec.side, spec.leverage) or await is_futures_account(
        core, user_id, account_id
    ):
        futures = await plan_futures(core, user_id, spec, amount, account_id, rules, risk)
        account, plan, fee_rate, terms = futures.account_id, futures.plan, futures.fee_rate, futures.terms
        ask = ZERO  # a futures plan's entries are orders: no trailing entry follows the market
    else:
        account, plan, fee_rate, ask = await _plan_spot(core, user_id, spec, amount, account_id, rules, risk)
    now = core.clock.now()
    group = new_draft_id()
    # A trailing entry's draft waits for its turn: as long as the source's entry expiry, else as a lone one.
    waits = now + (rules.expiry or ENTRY_LIFE)
    drafts = tuple(
        OrderDraft(
            id=new_draft_id(),
            user_id=user_id,
            account_id=account,
            symbol=plan.symbol,
            side=plan.side,
            order_type=OrderType.MARKET if entry.trailing_percent else entry.order_type,
            quantity=entry.quantity,
            price=None if entry.order_type is OrderType.MARKET or entry.trailing_percent else entry.price,
            preview=_entry_preview(plan, entry, fee_rate, terms),
            created_at=now,
            expires_at=waits if entry.trailing_percent else now + core.config.draft_ttl,
            stop_loss=plan.stop_loss,
            take_profits=tuple(price for price, _ in plan.targets),
            leverage=None if terms is None else terms.leverage,
            group_id=group,
            move_stop_to_entry=move_stop_to_entry,
        )
        for entry in plan.entries
    )
    await _keep(
        core, user_id, drafts, group, signal_id, trailing_records(drafts, ask, now, core.config.draft_ttl)
    )
    return PlanDraft(group, plan, drafts, terms, risk)


async def _rules_of(core: Core, signal_id: int | None) -> EntryRules:
    if signal_id is None:
        return EntryRules()
    async with core.uow(read_only=True) as uow:
        return await uow.entry_rules.of_signal(signal_id)


async def _plan_spot(
    core: Core,
    user_id: int,
    spec: SignalSpec,
    amount: Decimal,
    account_id: int | None,
    rules: EntryRules,
    risk_percent: Decimal | None,
) -> tuple[int, SignalPlan, Decimal, Decimal]:
    """A buy signal on spot (its leverage not taken): its account, its plan (its limit entries trailing
    entries, where the source's rules say so), the market's fee rate and its ask now; with `risk_percent`, the
    amount that loses that share of the equity at the stop."""
    async with core.uow(read_only=True) as uow:
        account = await account_of(uow, user_id, account_id)
        ledger = await uow.ledgers.load(account.id)
        limits = effective_limits(core.config.limits, await uow.risk_settings.get(user_id))
        realised_today = sum(
            (await uow.ledgers.pnl_by_day(account.id, core.clock.now().date())).values(), ZERO
        )
    gateway = await core.exchanges.gateway(account)
    symbol = pair_of(spec.symbol, None, core.config.paper_quote)
    market, ticker = await gateway.market(symbol), await gateway.ticker(symbol)
    context = await risk_context(gateway, ledger, market, realised_today)
    if risk_percent is not None:
        amount = amount_for_risk(spec, risk_budget(context.equity, risk_percent), market, ticker, rules=rules)
    plan = with_trailing_entries(plan_signal(spec, amount, market, ticker, rules=rules))
    free = free_of(await gateway.balances(), market.quote)
    needed = plan.cost + plan.fees
    if needed > free:
        raise InsufficientFunds(f"This plan needs {needed:,.2f} {market.quote}; {free:,.2f} is available.")
    risk_checked(
        gateway.name,
        OrderExposure(symbol, plan.side, plan.cost, None, plan.stop_loss, opens=True),
        context,
        limits,
    )
    return account.id, plan, market.taker_fee, ticker.ask


def _entry_preview(
    plan: SignalPlan, entry: PlannedEntry, fee_rate: Decimal, terms: FuturesTerms | None
) -> Preview:
    cost = entry.quantity * entry.price
    futures = None if terms is None else replace(terms, margin=cost / terms.leverage)
    return Preview(
        price=entry.price,
        quantity=entry.quantity,
        cost=cost,
        fee=cost * fee_rate,
        at_risk=plan.at_risk / len(plan.entries),
        futures=futures,
        trailing_entry_percent=entry.trailing_percent,
    )


async def _keep(
    core: Core,
    user_id: int,
    drafts: tuple[OrderDraft, ...],
    group: str,
    signal_id: int | None,
    trailing: list[PositionStopMode],
) -> None:
    async with core.uow() as uow:
        for draft in drafts:
            await uow.drafts.add(draft)
        for record in trailing:
            await uow.stop_modes.add(record)
        if signal_id is not None:
            replaced = await uow.signals.set_plan(user_id, signal_id, group)
            if replaced is not None:
                # One plan a signal: the older preview's Follow (in chat, say, once the Mini App planned it
                # again) must not place a second plan beside this one.
                for older in await uow.drafts.in_group(replaced):
                    await uow.drafts.cancel(older.id, user_id)
        await uow.commit()


@dataclass(frozen=True, slots=True)
class ClaimedPlan:
    """A plan's entries claimed for their one confirmation, their orders written; those that could not be
    claimed, with why; and its trailing entries armed (their drafts), which the price watch buys."""

    claimed: tuple[Claimed, ...]
    refused: tuple[tuple[OrderDraft, str], ...]
    armed: tuple[OrderDraft, ...] = ()


async def claim_plan(uow: UnitOfWork, user_id: int, group_id: str, now: datetime) -> ClaimedPlan:
    """Claim every entry of a plan in the caller's unit of work, each once across processes; it must commit
    before place_plan calls the exchange. Why the first entry cannot be claimed (expired, already used) is
    raised: nothing of the plan was then claimed. A later entry that cannot be is reported."""
    drafts = [d for d in await uow.drafts.in_group(group_id) if d.user_id == user_id]
    if not drafts:
        raise NotFound("That signal plan was not found.")
    claimed: list[Claimed] = []
    refused: list[tuple[OrderDraft, str]] = []
    armed: list[OrderDraft] = []
    for index, draft in enumerate(drafts):
        try:
            if draft.preview.trailing_entry_percent is not None:
                await arm(uow, draft, now)
                armed.append(draft)
            else:
                claimed.append(await claim_draft(uow, user_id, draft.id, now))
        except TradingError as error:
            if index == 0:
                raise
            refused.append((draft, error.message))
    return ClaimedPlan(tuple(claimed), tuple(refused), tuple(armed))


async def place_plan(core: Core, plan: ClaimedPlan) -> PlanResult:
    """Send the claimed entries of a plan, each once. An entry the exchange refuses, or does not answer for, is
    reported beside the ones placed."""
    orders: list[Order] = []
    failures = list(plan.refused)
    unconfirmed: list[tuple[OrderDraft, str]] = []
    for claimed in plan.claimed:
        try:
            orders.append(await carry_out(core, claimed))
        except ExchangeUnavailable as error:
            unconfirmed.append((claimed.draft, error.message))
        except TradingError as error:
            failures.append((claimed.draft, error.message))
    return PlanResult(tuple(orders), tuple(failures), tuple(unconfirmed), plan.armed)

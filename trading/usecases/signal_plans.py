"""A signal's plan: previewed as one, its entries drafted together, claimed together and then sent."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from trading.domain.enums import OrderType, Side
from trading.domain.errors import ExchangeUnavailable, InsufficientFunds, NotFound, TradingError
from trading.domain.ledger import ZERO
from trading.domain.orders import Order, OrderDraft, Preview
from trading.domain.risk import OrderExposure, check_risk, effective_limits
from trading.domain.signals import SignalPlan, SignalSpec, plan_signal
from trading.ports import UnitOfWork
from trading.usecases.core import Core, account_of, new_draft_id
from trading.usecases.drafting import free_of, pair_of, risk_context
from trading.usecases.execution import Claimed, carry_out, claim_draft


@dataclass(frozen=True, slots=True)
class PlanDraft:
    group_id: str
    plan: SignalPlan
    drafts: tuple[OrderDraft, ...]


@dataclass(frozen=True, slots=True)
class PlanResult:
    """The entries placed; refused, with why; and unconfirmed: sent, with no answer from the exchange, so
    perhaps placed (looked up by the tracker, and the trader told), with what the trader is told now."""

    orders: tuple[Order, ...]
    failures: tuple[tuple[OrderDraft, str], ...]
    unconfirmed: tuple[tuple[OrderDraft, str], ...] = ()


async def draft_signal_plan(
    core: Core,
    user_id: int,
    spec: SignalSpec,
    amount: Decimal,
    *,
    account_id: int | None = None,
    move_stop_to_entry: bool = False,
    signal_id: int | None = None,
) -> PlanDraft:
    """Plan `amount` (quote currency) over a signal's entries and keep the plan for one confirmation.

    `signal_id`: the recorded signal it follows, which keeps the plan's group id (its outcome is read from it).
    A signal's leverage is not taken (plan.leverage_asked): its orders are placed spot, at 1x, and the preview
    says so. Most signals carry one, and refusing them all would leave signal following with little to follow.
    """
    async with core.uow(read_only=True) as uow:
        account = await account_of(uow, user_id, account_id)
        ledger = await uow.ledgers.load(account.id)
        limits = effective_limits(core.config.limits, await uow.risk_settings.get(user_id))
        realised_today = sum(
            (await uow.ledgers.pnl_by_day(account.id, core.clock.now().date())).values(), ZERO
        )
    gateway = await core.exchanges.gateway(account)
    symbol = pair_of(spec.symbol, None, core.config.paper_quote)
    market = await gateway.market(symbol)
    ticker = await gateway.ticker(symbol)
    plan = plan_signal(spec, amount, market, ticker)
    balances = await gateway.balances()
    if plan.side is Side.BUY:
        free = free_of(balances, market.quote)
        needed = plan.cost + plan.fees
        if needed > free:
            raise InsufficientFunds(
                f"This plan needs {needed:,.2f} {market.quote}; {free:,.2f} is available."
            )
    else:
        held = free_of(balances, market.base)
        if sum((e.quantity for e in plan.entries), ZERO) > held:
            raise InsufficientFunds(
                f"A short would sell {market.base} this account does not hold ({held} free), and shorts "
                "are not available: only spot trading is."
            )
    context = await risk_context(gateway, ledger, market, realised_today)
    check_risk(
        OrderExposure(symbol, plan.side, plan.cost, leverage=None, stop_loss=plan.stop_loss),
        context,
        limits,
    )

    now = core.clock.now()
    group = new_draft_id()
    drafts = tuple(
        OrderDraft(
            id=new_draft_id(),
            user_id=user_id,
            account_id=account.id,
            symbol=symbol,
            side=plan.side,
            order_type=entry.order_type,
            quantity=entry.quantity,
            price=None if entry.order_type is OrderType.MARKET else entry.price,
            preview=Preview(
                price=entry.price,
                quantity=entry.quantity,
                cost=entry.quantity * entry.price,
                fee=entry.quantity * entry.price * market.taker_fee,
                at_risk=plan.at_risk / len(plan.entries),
            ),
            created_at=now,
            expires_at=now + core.config.draft_ttl,
            stop_loss=plan.stop_loss,
            take_profits=tuple(price for price, _ in plan.targets),
            group_id=group,
            move_stop_to_entry=move_stop_to_entry,
        )
        for entry in plan.entries
    )
    async with core.uow() as uow:
        for draft in drafts:
            await uow.drafts.add(draft)
        if signal_id is not None:
            replaced = await uow.signals.set_plan(user_id, signal_id, group)
            if replaced is not None:
                # One plan a signal: the older preview's Follow (in chat, say, once the Mini App planned it
                # again) must not place a second plan beside this one.
                for older in await uow.drafts.in_group(replaced):
                    await uow.drafts.cancel(older.id, user_id)
        await uow.commit()
    return PlanDraft(group, plan, drafts)


@dataclass(frozen=True, slots=True)
class ClaimedPlan:
    """A plan's entries claimed for their one confirmation, their orders written; and those that could not be
    claimed, with why."""

    claimed: tuple[Claimed, ...]
    refused: tuple[tuple[OrderDraft, str], ...]


async def claim_plan(uow: UnitOfWork, user_id: int, group_id: str, now: datetime) -> ClaimedPlan:
    """Claim every entry of a plan in the caller's unit of work, each once across processes; it must commit
    before place_plan calls the exchange. Why the first entry cannot be claimed (expired, already used) is
    raised: nothing of the plan was then claimed. A later entry that cannot be is reported."""
    drafts = [d for d in await uow.drafts.in_group(group_id) if d.user_id == user_id]
    if not drafts:
        raise NotFound("That signal plan was not found.")
    claimed: list[Claimed] = []
    refused: list[tuple[OrderDraft, str]] = []
    for index, draft in enumerate(drafts):
        try:
            claimed.append(await claim_draft(uow, user_id, draft.id, now))
        except TradingError as error:
            if index == 0:
                raise
            refused.append((draft, error.message))
    return ClaimedPlan(tuple(claimed), tuple(refused))


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
    return PlanResult(tuple(orders), tuple(failures), tuple(unconfirmed))

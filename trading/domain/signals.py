"""A trading signal and the plan that follows it: the amount split over the entries, shares per target, a stop."""

from dataclasses import dataclass, replace
from decimal import Decimal

from trading.domain.entry_rules import EntryRules, split_amount, split_text, split_weights, within_grace
from trading.domain.enums import OrderType, Side
from trading.domain.errors import BelowMinimum, InvalidInput
from trading.domain.ledger import ZERO
from trading.domain.market import Market, Ticker
from trading.domain.money import at_distance, canonical, price_text
from trading.domain.risk import margin_multiple
from trading.domain.risk_sizing import NEEDS_A_STOP

DEFAULT_RULES = EntryRules()


@dataclass(frozen=True, slots=True)
class SignalSpec:
    symbol: str
    side: Side
    entries: tuple[Decimal, ...]
    targets: tuple[Decimal, ...] = ()
    stop_loss: Decimal | None = None
    leverage: Decimal | None = None
    # "Enter above 15.2": each entry waits for the price to get there (a stop order), never a limit on the wrong
    # side of the market that would fill at once.
    breakout: bool = False


@dataclass(frozen=True, slots=True)
class PlannedEntry:
    order_type: OrderType
    price: Decimal
    quantity: Decimal
    # A trailing entry armed at `price` (its source's rules): bought at market once the ask, at or below it,
    # turns back up this percentage from its low. None: an order placed on Confirm.
    trailing_percent: Decimal | None = None


@dataclass(frozen=True, slots=True)
class SignalPlan:
    symbol: str
    side: Side
    entries: tuple[PlannedEntry, ...]
    targets: tuple[tuple[Decimal, Decimal], ...]  # (price, share of the position), shares adding up to 1
    stop_loss: Decimal | None
    # The signal's leverage; None where it asks for none, or 1x. A plan with leverage trades futures, at
    # `leverage`: the signal's, within the trader's limit and the market's ceiling.
    leverage_asked: Decimal | None
    cost: Decimal
    fees: Decimal
    at_risk: Decimal
    # What makes the signal look stale or misread against the market now (signal_doubts): shown in the
    # preview, and such a plan is never followed without a tap.
    doubts: tuple[str, ...] = ()
    leverage: Decimal = Decimal(1)
    rules: EntryRules = DEFAULT_RULES  # how its entries were split and are watched

    @property
    def margin(self) -> Decimal:
        """What the plan puts up: its cost on spot; on futures, the margin of its notional at its leverage."""
        return self.cost / self.leverage


def with_trailing_entries(plan: SignalPlan) -> SignalPlan:
    """A spot buy's plan with its limit entries made trailing entries armed at their prices, where its source's
    rules want a trailing entry; entries at market and breakout entries stay as they are."""
    percent = plan.rules.trailing_entry_percent
    if percent is None or plan.side is not Side.BUY:
        return plan
    entries = tuple(
        replace(e, trailing_percent=percent) if e.order_type is OrderType.LIMIT else e for e in plan.entries
    )
    return replace(plan, entries=entries)


def trailing_entry_text(percent: Decimal, level: Decimal) -> str:
    return f"trailing entry {canonical(percent)}% armed at {price_text(level)}"


def trailing_not_applied(plan: SignalPlan, futures: bool) -> str | None:
    """What a futures plan's preview says where its source wants a trailing entry: its entries rest as limit
    orders."""
    percent = plan.rules.trailing_entry_percent
    if percent is None or not futures:
        return None
    return (
        f"The source's trailing entry ({canonical(percent)}%) applies to spot buys only: this futures plan's "
        "entries rest as limit orders."
    )


def with_distances(
    spec: SignalSpec, stop_percent: Decimal | None, target_percents: tuple[Decimal, ...]
) -> SignalSpec:
    """A stop and targets the signal gives only as distances ("SL: 5%", "TP: 3% 6%"), priced from the mean of
    its entries, where it gives no price for them. The plan shows them as prices before anything is placed."""
    if not spec.entries or (stop_percent is None and not target_percents):
        return spec
    reference = sum(spec.entries, ZERO) / len(spec.entries)
    buying = spec.side is Side.BUY  # a long's stop sits below its entries, its targets above
    stop = spec.stop_loss
    if stop is None and stop_percent is not None:
        stop = at_distance(reference, stop_percent, below=buying)
    targets = spec.targets or tuple(at_distance(reference, p, below=not buying) for p in target_percents)
    return replace(spec, stop_loss=stop, targets=targets)


# An entry further than this from the market is stale (the move happened) or misread; ten times off or more is
# a misplaced decimal point more likely than a price.
STALE_DISTANCE = Decimal("0.2")
MISREAD_FACTOR = Decimal(10)


def signal_doubts(spec: SignalSpec, ticker: Ticker) -> tuple[str, ...]:
    """Why the signal may be stale or misread, against the market now: entries far from it, a target it has
    already passed, a stop it is already through."""
    market = ticker.last
    doubts = [_entry_doubt(entry, market) for entry in spec.entries]
    buying = spec.side is Side.BUY
    if spec.targets and (market >= spec.targets[0] if buying else market <= spec.targets[0]):
        doubts.append(
            f"target 1 ({price_text(spec.targets[0])}) is already passed: the market is at {price_text(market)}"
        )
    if spec.stop_loss is not None and (market <= spec.stop_loss if buying else market >= spec.stop_loss):
        doubts.append(
            f"the stop ({price_text(spec.stop_loss)}) is already passed: the market is at {price_text(market)}"
        )
    return tuple(doubt for doubt in doubts if doubt)


def _entry_doubt(entry: Decimal, market: Decimal) -> str:
    ratio = entry / market
    if ratio >= MISREAD_FACTOR or ratio <= 1 / MISREAD_FACTOR:
        factor = max(ratio, 1 / ratio)
        return (
            f"entry {price_text(entry)} is {factor:,.0f} times off the market ({price_text(market)}): "
            "a misread price?"
        )
    if abs(ratio - 1) > STALE_DISTANCE:
        return f"entry {price_text(entry)} is {abs(ratio - 1) * 100:.0f}% from the market ({price_text(market)}): stale?"
    return ""


def break_even_applies(spec: SignalSpec) -> bool:
    """Moving the stop to the entry after the first target needs a stop and a target after the first."""
    return spec.stop_loss is not None and len(spec.targets) > 1


def check_signal(spec: SignalSpec) -> None:
    """A stop or a target on the wrong side of the entries is the signal's mistake: say so, never fix it."""
    if not spec.entries:
        raise InvalidInput("The signal gives no entry price.")
    stop = () if spec.stop_loss is None else (spec.stop_loss,)
    if any(price <= 0 for price in (*spec.entries, *spec.targets, *stop)):
        raise InvalidInput("Every entry, target and stop price must be above zero.")
    buying = spec.side is Side.BUY
    low, high = min(spec.entries), max(spec.entries)
    if spec.stop_loss is not None and (spec.stop_loss >= low if buying else spec.stop_loss <= high):
        where = "below" if buying else "above"
        raise InvalidInput(
            f"The stop {spec.stop_loss} is not {where} the entries {low}-{high} of a {spec.side.value}."
        )
    for target in spec.targets:
        if target <= high if buying else target >= low:
            where = "above" if buying else "below"
            raise InvalidInput(
                f"Target {target} is not {where} the entries {low}-{high} of a {spec.side.value}."
            )


def plan_signal(
    spec: SignalSpec,
    amount: Decimal,
    market: Market,
    ticker: Ticker,
    leverage: Decimal = Decimal(1),
    rules: EntryRules = DEFAULT_RULES,
) -> SignalPlan:
    """Split `amount` (quote currency) over the entries as the source's `rules` say (evenly by default). An
    entry the market is already at or through (or short of by less than the rules' grace) is taken at market,
    as is the first where the rules want it so; the others rest as limit orders. A breakout's entries are the
    other way round: one the market has passed is taken at market, the others wait as stop orders. Every
    target closes an equal share. With `leverage` (futures), `amount` is the margin put up, its fee included:
    the entries' notional is that many times it."""
    check_signal(spec)
    if amount <= 0:
        raise InvalidInput("The amount to follow a signal with must be more than zero.")
    entries = _plan_entries(spec, amount, market, ticker, leverage, rules)
    cost = sum((e.quantity * e.price for e in entries), ZERO)
    fees = cost * market.taker_fee
    stop = None if spec.stop_loss is None else market.round_price(spec.stop_loss)
    loss = (
        sum((e.quantity * abs(e.price - stop) for e in entries), ZERO)
        if stop is not None
        else cost / leverage
    )
    count = len(spec.targets)
    shares = (
        [Decimal(1) / count] * (count - 1) + [Decimal(1) - Decimal(1) / count * (count - 1)] if count else []
    )
    return SignalPlan(
        symbol=market.symbol,
        side=spec.side,
        entries=tuple(entries),
        targets=tuple(zip((market.round_price(t) for t in spec.targets), shares, strict=True)),
        stop_loss=stop,
        leverage_asked=margin_multiple(spec.leverage),
        cost=cost,
        fees=fees,
        at_risk=loss + fees * (2 if stop is not None else 1),
        doubts=signal_doubts(spec, ticker),
        leverage=leverage,
        rules=rules,
    )


def _entry_orders(
    spec: SignalSpec, market: Market, ticker: Ticker, rules: EntryRules
) -> list[tuple[OrderType, Decimal]]:
    """Each entry's order and price: at market where the market is at it, through it or within the grace (or
    for the first entry, where the rules say so), else resting at its price."""
    buying = spec.side is Side.BUY
    touch = ticker.ask if buying else ticker.bid
    resting = OrderType.STOP if spec.breakout else OrderType.LIMIT
    orders: list[tuple[OrderType, Decimal]] = []
    for index, price in enumerate(spec.entries):
        if spec.breakout:  # through the level already: the breakout happened, so at market
            at_market = not (price >= touch if buying else price <= touch)
        else:
            at_market = within_grace(price, spec.side, touch, rules.grace_percent)
        at_market = at_market or (index == 0 and rules.first_at_market)
        orders.append((OrderType.MARKET, touch) if at_market else (resting, market.round_price(price)))
    return orders


def _plan_entries(
    spec: SignalSpec, amount: Decimal, market: Market, ticker: Ticker, leverage: Decimal, rules: EntryRules
) -> list[PlannedEntry]:
    shares = split_amount(amount, split_weights(rules, len(spec.entries)))
    entries: list[PlannedEntry] = []
    orders = _entry_orders(spec, market, ticker, rules)
    for index, ((order_type, fill_price), share) in enumerate(zip(orders, shares, strict=True)):
        quantity = market.round_amount(share * leverage / (fill_price * (1 + market.taker_fee * leverage)))
        try:
            market.check_minimums(quantity, fill_price)
        except BelowMinimum as error:
            split = split_text(rules, len(spec.entries))
            raise BelowMinimum(
                f"Split over {len(spec.entries)} entries ({split}), entry {index + 1} is too small: "
                f"{error.message[0].lower()}{error.message[1:]} Follow with a larger amount, or fewer entries."
            ) from None
        entries.append(PlannedEntry(order_type, fill_price, quantity))
    return entries


def amount_for_risk(
    spec: SignalSpec,
    budget: Decimal,
    market: Market,
    ticker: Ticker,
    leverage: Decimal = Decimal(1),
    rules: EntryRules = DEFAULT_RULES,
) -> Decimal:
    """The amount (with leverage, the margin put up) whose plan, split as `rules` say, loses no more than
    `budget` at the stop, the fee counted both ways at the higher of entry and stop; its quantities, rounded
    down, lose no more."""
    if spec.stop_loss is None:
        raise InvalidInput(NEEDS_A_STOP)
    stop, fee = market.round_price(spec.stop_loss), market.taker_fee
    weights = split_weights(rules, len(spec.entries))
    total = sum(weights, ZERO)
    orders = _entry_orders(spec, market, ticker, rules)
    loss_per_amount = sum(
        (
            weight
            / total
            * leverage
            * (abs(price - stop) + 2 * max(price, stop) * fee)
            / (price * (1 + fee * leverage))
            for weight, (_, price) in zip(weights, orders, strict=True)
        ),
        ZERO,
    )
    if loss_per_amount <= 0:
        raise InvalidInput("The stop is at the entry's price: there is no distance to size from.")
    return budget / loss_per_amount


@dataclass(frozen=True, slots=True)
class SpecChange:
    """What an edit of a signal's post changed in one of its tradable fields, as the trader reads it."""

    field: str  # "symbol", "side", "entries", "targets", "stop" or "leverage"
    old: str
    new: str


def _shown(value: Decimal | tuple[Decimal, ...] | None, suffix: str = "") -> str:
    """Every digit the post gave (1.1754 stays 1.1754): a change in the fourth place is a change."""
    if value is None or value == ():
        return "none"
    values = value if isinstance(value, tuple) else (value,)
    return ", ".join(f"{canonical(v):,}{suffix}" for v in values)


def spec_changes(old: SignalSpec, new: SignalSpec) -> tuple[SpecChange, ...]:
    """The tradable fields `new` changes from `old`; none where only its wording changed."""
    fields: tuple[
        tuple[str, Decimal | tuple[Decimal, ...] | None, Decimal | tuple[Decimal, ...] | None], ...
    ] = (
        ("entries", old.entries, new.entries),
        ("targets", old.targets, new.targets),
        ("stop", old.stop_loss, new.stop_loss),
    )
    changes = [SpecChange(name, _shown(a), _shown(b)) for name, a, b in fields if a != b]
    if old.leverage != new.leverage:
        changes.append(SpecChange("leverage", _shown(old.leverage, "x"), _shown(new.leverage, "x")))
    if old.side is not new.side:
        changes.insert(0, SpecChange("side", old.side.value, new.side.value))
    if old.symbol != new.symbol:
        changes.insert(0, SpecChange("symbol", old.symbol, new.symbol))
    return tuple(changes)

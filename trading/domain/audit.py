"""One signal played on historical candles with the trade rules the bot applies live (trading.domain.signals):
the amount split over the entries as the source's entry rules say (evenly by default; the first entry, and those
within the entry grace, taken at the open of the signal's first candle), each target closing its share of the position, the stop, the stop
moved to the entry after the first target where the signal has a stop and a later target (break_even_applies),
leverage and the liquidation price of an isolated futures position, a fee on every fill. Where the source has a
stop mode (trailing stop, break-even after target N, moving target, trailing take-profit), it takes the place of
break-even after the first target and moves the stop candle by candle (trading.domain.audit_stops).

Within one candle the order of the prices is unknown: the stop (or the liquidation) is taken before a target
unless finer candles of that time decide it, and the trade says so (`stop_assumed_first`). No look-ahead: a
follow-up (stop moved, close, cancel) acts from the first candle that opens at or after its own time.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from enum import StrEnum

from trading.domain.audit_stops import AuditStopMode, after_candle
from trading.domain.entry_rules import EntryRules, split_amount, split_weights, within_grace
from trading.domain.enums import Side
from trading.domain.futures import PositionSide
from trading.domain.futures_math import brackets_for, liquidation_price
from trading.domain.market import Candle
from trading.domain.signals import SignalSpec, break_even_applies
from trading.domain.stop_modes import StopMode, trailing_exit

ZERO = Decimal(0)
ONE = Decimal(1)


class FollowUpAction(StrEnum):
    """The follow-ups that change a trade; a report (a target hit) changes nothing: the candles tell."""

    MOVE_STOP = "move_stop"
    MOVE_STOP_TO_ENTRY = "move_stop_to_entry"
    CLOSE = "close"
    CANCEL = "cancel"


@dataclass(frozen=True, slots=True)
class FollowUp:
    at: datetime
    action: FollowUpAction
    stop: Decimal | None = None  # where MOVE_STOP moves it


@dataclass(frozen=True, slots=True)
class AuditSignal:
    post_id: int
    at: datetime
    spec: SignalSpec
    follow_ups: tuple[FollowUp, ...] = ()


@dataclass(frozen=True, slots=True)
class AuditRules:
    """`amount`: the quote put into every signal (a futures signal's margin); `entry_wait`: how long an entry not
    reached keeps waiting (less where the entry rules' expiry is shorter); `hold`: how long a trade is followed
    before it is marked at the close; `entry`: the source's entry rules; `stop_mode`: its stop mode, if any."""

    amount: Decimal = Decimal(100)
    fee_rate: Decimal = Decimal("0.001")
    entry_wait: timedelta = timedelta(days=7)
    hold: timedelta = timedelta(days=30)
    entry: EntryRules = field(default_factory=EntryRules)
    stop_mode: AuditStopMode | None = None

    @property
    def waits(self) -> timedelta:
        expiry = self.entry.expiry
        return self.entry_wait if expiry is None else min(expiry, self.entry_wait)


class Outcome(StrEnum):
    TARGETS = "targets"  # every target reached
    STOPPED = "stopped"  # the stop hit (at the entry after target 1, where it was moved there)
    TRAILED = "trailed"  # the trailing take-profit closed it
    LIQUIDATED = "liquidated"
    CLOSED = "closed"  # the channel said close
    CANCELLED = "cancelled"  # cancelled before any entry filled
    NOT_FILLED = "not_filled"  # no entry reached while it waited
    OPEN = "open"  # still open when the history (or the hold) ends: marked at the last close


@dataclass(frozen=True, slots=True)
class SimulatedTrade:
    post_id: int
    symbol: str
    side: Side
    signal_at: datetime
    outcome: Outcome
    pnl: Decimal = ZERO  # after fees, in the quote
    risk: Decimal = ZERO  # what the stop put at risk (the margin without a stop)
    entered_at: datetime | None = None
    exited_at: datetime | None = None
    targets_hit: int = 0
    first_target_at: datetime | None = None
    stop_assumed_first: bool = False  # a candle reached both the stop and a target; no finer candle decided

    @property
    def filled(self) -> bool:
        return self.entered_at is not None

    @property
    def r_multiple(self) -> Decimal | None:
        return self.pnl / self.risk if self.filled and self.risk > 0 else None


@dataclass(slots=True)
class _Position:
    """The trade as it runs; private to the simulation, which returns a frozen SimulatedTrade."""

    signal: AuditSignal
    rules: AuditRules
    pending: list[tuple[Decimal, Decimal]]  # the entries still waiting: (price, the amount put in there)
    stop: Decimal | None
    quantity: Decimal = ZERO  # held now
    filled_quantity: Decimal = ZERO
    cost: Decimal = ZERO  # of the entries filled, at their prices
    pnl: Decimal = ZERO
    targets_hit: int = 0
    entered_at: datetime | None = None
    first_target_at: datetime | None = None
    stop_assumed_first: bool = False
    mode: StopMode | None = None  # the source's stop mode, from the first fill

    @property
    def sign(self) -> int:
        return 1 if self.signal.spec.side is Side.BUY else -1

    @property
    def leverage(self) -> Decimal:
        return max(self.signal.spec.leverage or ONE, ONE)

    @property
    def average(self) -> Decimal:
        return self.cost / self.filled_quantity

    def fill(self, price: Decimal, share: Decimal, at: datetime) -> None:
        spec, stop_mode = self.signal.spec, self.rules.stop_mode
        if self.entered_at is None and stop_mode is not None:
            self.mode = stop_mode.mode_for(spec.side, price, spec.targets)
        quantity = share * self.leverage / (price * (ONE + self.rules.fee_rate * self.leverage))
        self.quantity += quantity
        self.filled_quantity += quantity
        self.cost += quantity * price
        self.pnl -= quantity * price * self.rules.fee_rate
        self.entered_at = self.entered_at or at

    def sell(self, quantity: Decimal, price: Decimal) -> None:
        quantity = min(quantity, self.quantity)
        self.pnl += self.sign * quantity * (price - self.average) - quantity * price * self.rules.fee_rate
        self.quantity -= quantity

    def liquidation(self) -> Decimal | None:
        if self.leverage == ONE or self.quantity <= 0:
            return None
        side = PositionSide.opened_by(self.signal.spec.side)
        margin = self.cost / self.leverage
        symbol = f"{self.signal.spec.symbol}:{self.signal.spec.symbol.split('/')[-1]}"
        return liquidation_price(side, self.quantity, self.average, margin, brackets_for(symbol))

    def exits(self) -> list[tuple[Decimal, Outcome]]:
        """The prices that end the trade against it: the stop, the liquidation, a trailing take-profit."""
        levels = [
            (self.stop, Outcome.STOPPED),
            (self.liquidation(), Outcome.LIQUIDATED),
            (None if self.mode is None else trailing_exit(self.mode), Outcome.TRAILED),
        ]
        return [(level, outcome) for level, outcome in levels if level is not None]

    def risk(self) -> Decimal:
        if self.signal.spec.stop_loss is None:
            return self.cost / self.leverage
        return self.filled_quantity * abs(self.average - self.signal.spec.stop_loss)


def simulate(
    signal: AuditSignal, candles: Sequence[Candle], rules: AuditRules, finer: Sequence[Candle] = ()
) -> SimulatedTrade:
    """Play `signal` on `candles` (in time order, of its symbol); `finer`: shorter candles of the same times,
    where there are, to decide a candle that reached both the stop and a target."""
    spec = signal.spec
    shares = split_amount(rules.amount, split_weights(rules.entry, len(spec.entries)))
    position = _Position(signal, rules, list(zip(spec.entries, shares, strict=True)), spec.stop_loss)
    follow_ups = sorted(signal.follow_ups, key=lambda f: f.at)
    last: Candle | None = None
    for index, candle in enumerate(candles):
        if candle.opened_at < signal.at:
            continue
        if candle.opened_at > signal.at + rules.hold:
            break
        while follow_ups and follow_ups[0].at <= candle.opened_at:
            ended = _follow(position, follow_ups.pop(0), candle)
            if ended is not None:
                return _trade(position, ended, candle.opened_at)
        if position.entered_at is None and candle.opened_at > signal.at + rules.waits:
            return _trade(position, Outcome.NOT_FILLED, None)
        if candle.opened_at > signal.at + rules.waits:
            position.pending.clear()
        if last is None:
            _at_market(position, candle)
        held = position.quantity > 0  # the whole candle is the position's: its extreme may move the mode
        _fill(position, candle)
        if position.entered_at is None and _given_up(position, candle):
            return _trade(position, Outcome.CANCELLED, None)
        last = candle
        if position.quantity <= 0:
            continue
        if _ambiguous(position, candle):
            until = candles[index + 1].opened_at if index + 1 < len(candles) else None
            outcome = _decide(position, candle, _within(finer, candle.opened_at, until))
        else:
            outcome = _exits(position, candle)
        if outcome is not None:
            return _trade(position, outcome, candle.opened_at)
        if held and position.mode is not None:
            position.mode, position.stop = after_candle(position.mode, position.stop, candle)
    if position.entered_at is None:
        return _trade(position, Outcome.NOT_FILLED, None)
    if last is not None:
        position.sell(position.quantity, last.close)
    return _trade(position, Outcome.OPEN, None if last is None else last.opened_at)


def _within(finer: Sequence[Candle], start: datetime, until: datetime | None) -> list[Candle]:
    return [c for c in finer if c.opened_at >= start and (until is None or c.opened_at < until)]


def _decide(position: _Position, candle: Candle, finer: list[Candle]) -> Outcome | None:
    """A candle that reached both the stop and a target: its finer candles decide; without them (or where one
    of them reaches both too) the stop is taken first, and the trade says so."""
    for part in finer:
        if _ambiguous(position, part):
            return _stop_first(position, part)
        outcome = _exits(position, part)
        if outcome is not None:
            return outcome
    return None if finer else _stop_first(position, candle)


def _stop_first(position: _Position, candle: Candle) -> Outcome:
    position.stop_assumed_first = True
    outcome = _adverse(position, candle)
    assert outcome is not None  # only called where the candle reached the stop or the liquidation
    return outcome


def _follow(position: _Position, follow_up: FollowUp, candle: Candle) -> Outcome | None:
    """A follow-up acting from `candle`, the first that opens at or after its time."""
    action = follow_up.action
    if action is FollowUpAction.MOVE_STOP and follow_up.stop is not None:
        position.stop = follow_up.stop
    elif action is FollowUpAction.MOVE_STOP_TO_ENTRY and position.filled_quantity > 0:
        position.stop = position.average
    elif action in (FollowUpAction.CLOSE, FollowUpAction.CANCEL) and position.filled_quantity <= 0:
        return Outcome.CANCELLED
    elif action is FollowUpAction.CANCEL:
        position.pending.clear()  # a cancel takes back the entries not yet filled; the position stays
    elif action is FollowUpAction.CLOSE:
        position.sell(position.quantity, candle.open)
        return Outcome.CLOSED
    return None


def _at_market(position: _Position, candle: Candle) -> None:
    """The entries taken at market when the signal is followed (at the open of its first candle): the first
    where the rules say so, and limit entries within the grace (trading.domain.signals._entry_orders)."""
    spec, entry = position.signal.spec, position.rules.entry
    for index, (price, share) in enumerate(list(position.pending)):
        grace = not spec.breakout and within_grace(price, spec.side, candle.open, entry.grace_percent)
        if grace or (index == 0 and entry.first_at_market):
            position.fill(candle.open, share, candle.opened_at)
            position.pending.remove((price, share))


def _given_up(position: _Position, candle: Candle) -> bool:
    """The entry rules' before-entry rules: no entry filled, and the candle reached the first target (or the
    stop) where the rules give the signal up for that."""
    spec, entry = position.signal.spec, position.rules.entry
    buying = spec.side is Side.BUY
    first = spec.targets[0] if spec.targets else None
    target = first is not None and (candle.high >= first if buying else candle.low <= first)
    stop = spec.stop_loss is not None and (
        candle.low <= spec.stop_loss if buying else candle.high >= spec.stop_loss
    )
    return (entry.close_on_target_before_entry and target) or (entry.cancel_on_stop_before_entry and stop)


def _fill(position: _Position, candle: Candle) -> None:
    """Entries the candle reached: a limit below (a buy's) fills at its price, or at the open where the candle
    opened through it; a breakout's stop entry the other way round."""
    buying = position.signal.spec.side is Side.BUY
    waits_below = buying != position.signal.spec.breakout
    for price, share in list(position.pending):
        opened_through = candle.open <= price if waits_below else candle.open >= price
        if opened_through:
            position.fill(candle.open, share, candle.opened_at)
        elif candle.low <= price if waits_below else candle.high >= price:
            position.fill(price, share, candle.opened_at)
        else:
            continue
        position.pending.remove((price, share))


def _adverse(position: _Position, candle: Candle) -> Outcome | None:
    """The stop or the liquidation, where the candle reached one: sold there (at the open through a gap); a
    liquidated position loses the margin of what it still held."""
    buying = position.sign > 0
    reached = [
        (level, outcome)
        for level, outcome in position.exits()
        if (candle.low <= level if buying else candle.high >= level)
    ]
    if not reached:
        return None
    level, outcome = max(reached) if buying else min(reached)
    if outcome is Outcome.LIQUIDATED:  # the venue keeps what the maintenance margin held: the margin is lost
        position.pnl -= position.quantity * position.average / position.leverage
        position.quantity = ZERO
        return outcome
    price = min(level, candle.open) if buying else max(level, candle.open)
    position.sell(position.quantity, price)
    return outcome


def _targets_reached(position: _Position, candle: Candle) -> list[int]:
    targets = position.signal.spec.targets
    buying = position.sign > 0
    return [
        index
        for index in range(position.targets_hit, len(targets))
        if (candle.high >= targets[index] if buying else candle.low <= targets[index])
    ]


def _ambiguous(position: _Position, candle: Candle) -> bool:
    """The candle reached both a target and the stop (or the liquidation): which came first is unknown."""
    return bool(_targets_reached(position, candle)) and _would_stop(position, candle)


def _exits(position: _Position, candle: Candle) -> Outcome | None:
    """The stop, or the targets, the candle reached (not both: see _ambiguous)."""
    if _would_stop(position, candle):
        return _adverse(position, candle)
    for index in _targets_reached(position, candle):
        _take_target(position, index, candle)
    if position.quantity <= 0:
        return Outcome.TARGETS
    return None


def _would_stop(position: _Position, candle: Candle) -> bool:
    buying = position.sign > 0
    return any(candle.low <= level if buying else candle.high >= level for level, _ in position.exits())


def _take_target(position: _Position, index: int, candle: Candle) -> None:
    targets = position.signal.spec.targets
    last = index == len(targets) - 1
    share = ONE / len(targets)
    position.sell(position.quantity if last else position.filled_quantity * share, targets[index])
    position.targets_hit = index + 1
    if index == 0:
        position.first_target_at = candle.opened_at
        position.pending.clear()  # the trade has run: entries still waiting are not bought into a profit
        if position.mode is None and break_even_applies(position.signal.spec):
            position.stop = position.average


def _trade(position: _Position, outcome: Outcome, exited_at: datetime | None) -> SimulatedTrade:
    spec = position.signal.spec
    filled = position.entered_at is not None
    return SimulatedTrade(
        post_id=position.signal.post_id,
        symbol=spec.symbol,
        side=spec.side,
        signal_at=position.signal.at,
        outcome=outcome,
        pnl=position.pnl if filled else ZERO,
        risk=position.risk() if filled else ZERO,
        entered_at=position.entered_at,
        exited_at=exited_at if filled else None,
        targets_hit=position.targets_hit,
        first_target_at=position.first_target_at,
        stop_assumed_first=position.stop_assumed_first,
    )

"""Setting a stop mode on a position ("trail my eth stop 3%"): previewed with where it puts the stop now, then
confirmed once, like any change to what guards the money. The mode then moves the stop at each price
(trading.usecases.trailing); a position has one mode, and a new one takes the old one's place."""

from dataclasses import dataclass
from decimal import Decimal

from trading.domain.enums import OrderRole, OrderStatus, Side
from trading.domain.errors import DraftAlreadyUsed, DraftExpired, InvalidInput, NotFound
from trading.domain.market import parse_symbol
from trading.domain.money import HUNDRED
from trading.domain.orders import Order
from trading.domain.perpetuals import is_perpetual
from trading.domain.stop_modes import NAMES, PositionStopMode, StopMode, StopModeKind, step
from trading.ports import UnitOfWork
from trading.usecases.core import Core, new_draft_id
from trading.usecases.pricing import pair_of
from trading.usecases.routing import derivatives
from trading.usecases.stop_moves import the_guarding_stop
from trading.usecases.trailing import apply_step, stop_at_tick
from trading.usecases.trailing_entries import lapses_at

# The kinds that move a position's stop, or close it through that stop; a trailing entry opens a position,
# and is set on an entry instead.
POSITION_KINDS = frozenset(
    {
        StopModeKind.TRAILING,
        StopModeKind.BREAK_EVEN,
        StopModeKind.MOVING_TARGET,
        StopModeKind.TRAILING_TAKE_PROFIT,
    }
)


@dataclass(frozen=True, slots=True)
class StopModeRequest:
    kind: StopModeKind
    percent: Decimal | None = None
    after_target: int = 1


@dataclass(frozen=True, slots=True)
class StopModePreview:
    """The mode to confirm, the stop it moves, the market now and where the mode puts the stop at once (None:
    it stays until the market moves)."""

    record: PositionStopMode
    stop: Order
    price: Decimal
    stop_now: Decimal | None


async def preview_stop_mode(
    core: Core,
    user_id: int,
    symbol: str,
    quote: str | None,
    request: StopModeRequest,
    account_id: int | None = None,
) -> StopModePreview:
    if request.kind not in POSITION_KINDS:
        raise InvalidInput("A trailing entry is set on an entry, not on a position held.")
    account, stop = await the_guarding_stop(core, user_id, symbol, quote, account_id)
    if stop is None:
        base = symbol.upper().split("/")[0]
        raise InvalidInput(
            f"No stop guards your {base} to move: set one first ('set my {base.lower()} stop to ...')."
        )
    if request.kind is StopModeKind.TRAILING_TAKE_PROFIT and stop.status is not OrderStatus.ARMED:
        raise InvalidInput(
            "A trailing take-profit closes the position through a stop held by the bot, and this one rests at "
            "the exchange: use a trailing stop instead."
        )
    long = stop.side is Side.SELL
    gateway = await core.exchanges.gateway(account)
    ticker = await gateway.ticker(stop.symbol)
    price = ticker.bid if long else ticker.ask
    entry = await _entry_price(core, stop.account_id, stop.symbol, stop.parent_id)
    targets = await _targets(core, stop, long)
    extreme = max(entry, price) if long else min(entry, price)
    mode = StopMode(request.kind, long, entry, extreme, request.percent, request.after_target, targets)
    now = core.clock.now()
    record = PositionStopMode(
        new_draft_id(), user_id, account.id, stop.symbol, mode, now, now + core.config.draft_ttl
    )
    async with core.uow() as uow:
        await uow.stop_modes.add(record)
        await uow.commit()
    moved = step(mode, stop.price, price).stop
    tick = (await gateway.market(stop.symbol)).price_tick
    return StopModePreview(record, stop, price, None if moved is None else stop_at_tick(mode, moved, tick))


async def confirm_stop_mode(core: Core, user_id: int, mode_id: str) -> PositionStopMode:
    """The previewed mode put in force (once), and applied at the market now: the stop moves at once where
    the mode says so."""
    async with core.uow() as uow:
        replaced = await _entries_replaced(uow, user_id, mode_id)
        record = await uow.stop_modes.confirm(mode_id, user_id, core.clock.now())
        if record is None:
            known = await uow.stop_modes.get(mode_id)
            if known is None or known.user_id != user_id:
                raise NotFound("That stop mode preview was not found.")
            if known.confirmed_at is not None:
                raise DraftAlreadyUsed("That stop mode is already in force.")
            raise DraftExpired("That preview expired: ask again for a fresh one.")
        for entry in replaced:  # its buy goes with it, as when it is turned off
            await _cancel_its_buy(uow, entry)
        await uow.commit()
    if record.mode.kind not in POSITION_KINDS:
        return record  # a trailing entry: the price watch steps it (trading.usecases.trailing_entries)
    _, stop = await the_guarding_stop(core, user_id, record.symbol, None, record.account_id)
    if stop is not None:
        ticker = await (await core.exchanges.gateway_of(record.account_id)).ticker(record.symbol)
        await apply_step(core, record, stop, ticker)
    return record


async def _entries_replaced(uow: UnitOfWork, user_id: int, mode_id: str) -> list[PositionStopMode]:
    """The trailing entry in force on the market of the trailing entry `mode_id`, which confirming it replaces."""
    record = await uow.stop_modes.get(mode_id)
    if record is None or record.mode.kind is not StopModeKind.TRAILING_ENTRY:
        return []
    return [
        r
        for r in await uow.stop_modes.of_user(user_id)
        if (r.mode.kind, r.account_id, r.symbol) == (record.mode.kind, record.account_id, record.symbol)
        and r.id != mode_id
        and r.group_id is None  # a signal plan's trailing entries are its own, beside a lone one
    ]


async def decline_stop_mode(core: Core, user_id: int, mode_id: str) -> bool:
    """A preview declined (Keep): discarded, so that it can no longer be confirmed, and a trailing entry's buy
    cancelled with it, in one transaction. False where there is no such preview (confirmed already, lapsed and
    swept, or not the user's): nothing changes."""
    async with core.uow() as uow:
        record = await uow.stop_modes.get(mode_id)
        if record is None or record.user_id != user_id or not await _discarded(uow, record):
            return False
        await uow.commit()
    return True


async def sweep_lapsed_previews(core: Core) -> int:
    """The previews left unconfirmed past their expiry discarded, each as Keep does (a trailing entry's buy, kept
    a week for it, cancelled with it); how many."""
    async with core.uow() as uow:
        lapsed = await uow.stop_modes.lapsed_previews(core.clock.now())
        swept = [record for record in lapsed if await _discarded(uow, record)]
        await uow.commit()
    return len(swept)


async def _discarded(uow: UnitOfWork, record: PositionStopMode) -> bool:
    """The unconfirmed preview removed (a compare-and-set), a trailing entry's buy cancelled with it."""
    if not await uow.stop_modes.discard(record.id, record.user_id):
        return False
    await _cancel_its_buy(uow, record)
    return True


async def _cancel_its_buy(uow: UnitOfWork, record: PositionStopMode) -> None:
    """A trailing entry's buy (its draft, under the mode's id) cancelled, in the transaction that ends the mode;
    the other kinds have none."""
    if record.mode.kind is StopModeKind.TRAILING_ENTRY:
        await uow.drafts.cancel(record.id, record.user_id)


async def stop_modes_of(core: Core, user_id: int) -> list[PositionStopMode]:
    """The user's modes in force; a trailing entry past its expiry is not, even before the price watch ends it."""
    async with core.uow(read_only=True) as uow:
        records = await uow.stop_modes.of_user(user_id)
    now = core.clock.now()
    return [
        r
        for r in records
        if r.mode.kind is not StopModeKind.TRAILING_ENTRY or (until := lapses_at(r)) is None or until > now
    ]


async def stop_modes_on_coin(
    core: Core, user_id: int, base: str, quote: str | None, trailing_entries: bool
) -> list[PositionStopMode]:
    """The user's modes in force on a coin's markets, spot and perpetual alike (`quote`, where named, narrows them
    to that quote): its trailing entries, or (`trailing_entries` False) the modes that move a stop."""
    return [
        record
        for record in await stop_modes_of(core, user_id)
        if (record.mode.kind is StopModeKind.TRAILING_ENTRY) == trailing_entries
        and (pair := parse_symbol(record.symbol))[0] == base
        and quote in (None, pair[1])
    ]


async def end_stop_mode(
    core: Core, user_id: int, mode_id: str, kind: StopModeKind | None = None
) -> PositionStopMode:
    """The mode turned off, the stop staying where it is; a trailing entry's buy is cancelled with it, in the
    same transaction. NotFound where it is off already (ended, bought or lapsed) or not the user's; where
    `kind` is given (a button that turns off only that kind), a mode of another kind is refused, left as it is."""
    async with core.uow() as uow:
        record = await uow.stop_modes.get(mode_id)
        if record is None or record.user_id != user_id:
            raise NotFound("That stop mode was not found.")
        if kind is not None and record.mode.kind is not kind:
            raise InvalidInput(
                f"That is your {NAMES[record.mode.kind]} on {record.symbol}, not a {NAMES[kind]}: it stays "
                "as it was."
            )
        if not await uow.stop_modes.end(mode_id):
            raise NotFound("That stop mode was not found.")
        await _cancel_its_buy(uow, record)
        await uow.commit()
    return record


async def stop_price_for(
    core: Core, user_id: int, symbol: str, quote: str | None, percent: Decimal | None = None
) -> Decimal:
    """Where a stop asked without a price goes ("move my btc stop to break even", "set stop on doge at 5%"):
    `percent` from the market now, on the side its stop guards (below it for a long); without one, to the
    position's entry. Spot coins held with no stop yet are a long."""
    account, stop = await the_guarding_stop(core, user_id, symbol, quote)
    pair = pair_of(symbol, quote, core.config.paper_quote)
    if stop is None and account.is_futures:
        raise InvalidInput(f"No stop guards your {symbol.upper()} position: set one at a price first.")
    pair = stop.symbol if stop is not None else pair
    if percent is None:
        return await _entry_price(core, account.id, pair, None if stop is None else stop.parent_id)
    if not Decimal(0) < percent < HUNDRED:
        raise InvalidInput("A stop's distance is a percentage above 0 and below 100.")
    gateway = await core.exchanges.gateway(account)
    ticker = await gateway.ticker(pair)
    long = stop is None or stop.side is Side.SELL
    share = percent / HUNDRED
    price = ticker.bid * (1 - share) if long else ticker.ask * (1 + share)
    return (await gateway.market(pair)).round_price(price)


async def _entry_price(core: Core, account_id: int, symbol: str, parent_id: int | None) -> Decimal:
    """The position's entry: a futures position's, the spot holding's average cost, or else the price its
    stop's entry filled at."""
    if is_perpetual(symbol):
        position = next(iter(await (await derivatives(core, account_id)).positions([symbol])), None)
        if position is not None:
            return position.entry_price
    async with core.uow(read_only=True) as uow:
        held = (await uow.ledgers.load(account_id)).positions.get(symbol)
        entry = await uow.orders.get(parent_id) if parent_id is not None else None
    if held is not None and held.quantity > 0:
        return held.average_cost
    if entry is not None and entry.average_price is not None:
        return entry.average_price
    raise InvalidInput(f"You hold no {symbol.split('/')[0]} with a known entry price to move the stop to.")


async def _targets(core: Core, stop: Order, long: bool) -> tuple[Decimal, ...]:
    """The targets of the stop's entry, nearest first (none for a stop set by hand)."""
    if stop.parent_id is None:
        return ()
    async with core.uow(read_only=True) as uow:
        legs = await uow.orders.children(stop.parent_id)
    prices = {leg.price for leg in legs if leg.role is OrderRole.TAKE_PROFIT and leg.price is not None}
    return tuple(sorted(prices, reverse=not long))

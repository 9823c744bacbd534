"""The kill switch: every position closed, or every order cancelled; each previewed, then confirmed once
(a compare-and-set on the preview, across the chat, the Mini App and the API).

Closing all is planned again at the moment of Confirm, from what the books hold then: on each spot account,
every position sold at market; on each futures account, every position closed reduce-only, as "close my eth
short" closes one. The open orders on those markets (resting entries, stops, targets) are cancelled first, so
that the coins are free. Each sale or close is drafted under the risk limits and confirmed through the normal
order path (written before its venue is called); one refused is told and the rest go on."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from trading.domain.accounts import ExchangeAccount
from trading.domain.enums import LIVE_STATUSES, OPEN_STATUSES, AmountUnit, OrderStatus, Side
from trading.domain.errors import DraftAlreadyUsed, DraftExpired, NotFound, TradingError
from trading.domain.futures import PositionSide
from trading.domain.intents import OrderIntent
from trading.domain.market import parse_symbol
from trading.domain.money import HUNDRED
from trading.domain.orders import Order
from trading.domain.stop_modes import PositionStopMode, StopModeKind
from trading.ports import ExchangeGateway, UnitOfWork
from trading.usecases.core import Core, new_draft_id
from trading.usecases.drafting import draft_order
from trading.usecases.execution import cancel_order, confirm_draft
from trading.usecases.protection_checks import is_stop_out
from trading.usecases.stop_mode_setting import end_stop_mode, stop_modes_of

CLOSE_ALL = "close_all"
CANCEL_ALL = "cancel_all"


@dataclass(frozen=True, slots=True)
class Closing:
    """A position to close at market: spot coins the books hold (`position` None), or a futures position.
    `value`: its worth at the price now, in its quote (None where the venue gives none); `cancels`: the open
    orders on its market, cancelled first."""

    account_id: int
    symbol: str
    quantity: Decimal
    value: Decimal | None
    position: PositionSide | None = None
    cancels: tuple[Order, ...] = ()

    @property
    def side(self) -> Side:
        return Side.SELL if self.position is None else self.position.closing_side

    @property
    def quote(self) -> str:
        return parse_symbol(self.symbol)[1]


@dataclass(frozen=True, slots=True)
class CloseAllPreview:
    """`confirmation_id`: what Confirm names, until `expires_at`; None where there is nothing to close."""

    closings: tuple[Closing, ...]
    confirmation_id: str | None
    expires_at: datetime | None

    @property
    def totals(self) -> dict[str, Decimal]:
        """The estimated value by quote currency, of the positions priced."""
        totals: dict[str, Decimal] = {}
        for closing in self.closings:
            if closing.value is not None:
                totals[closing.quote] = totals.get(closing.quote, Decimal(0)) + closing.value
        return totals


@dataclass(frozen=True, slots=True)
class ClosingDone:
    """What became of one position: the orders cancelled on its market, those not, and its sale or close (or
    why it was not made)."""

    closing: Closing
    order: Order | None
    cancelled: tuple[Order, ...] = ()
    refused: tuple[str, ...] = ()
    error: str | None = None


@dataclass(frozen=True, slots=True)
class CancelAllPreview:
    """`orders`: those Confirm cancels; `in_flight`: sent and not yet answered by their venue, which cannot be
    cancelled until they are (they are looked up, and their traders told); `trailing`: the trailing entries
    waiting to buy (a lone one, or a signal plan's), which Confirm ends with their buys."""

    orders: tuple[Order, ...]
    in_flight: tuple[Order, ...]
    confirmation_id: str | None
    expires_at: datetime | None
    trailing: tuple[PositionStopMode, ...] = ()

    @property
    def protecting(self) -> tuple[Order, ...]:
        """The stops among them: each protects a position, which stays without its stop once cancelled."""
        return tuple(order for order in self.orders if is_stop_out(order))


@dataclass(frozen=True, slots=True)
class CancelAllDone:
    cancelled: tuple[Order, ...]
    refused: tuple[tuple[Order, str], ...]
    ended: tuple[PositionStopMode, ...] = ()  # trailing entries ended unbought


async def preview_close_all(core: Core, user_id: int) -> CloseAllPreview:
    closings = await _closings(core, user_id)
    if not closings:
        return CloseAllPreview((), None, None)
    confirmation_id, expires_at = await _confirmation(core, user_id, CLOSE_ALL)
    return CloseAllPreview(closings, confirmation_id, expires_at)


async def close_all(core: Core, user_id: int, confirmation_id: str) -> list[ClosingDone]:
    """Confirm a preview (once): every position the books hold now closed, each told."""
    await _claim(core, user_id, confirmation_id, CLOSE_ALL)
    return [await _close(core, user_id, closing) for closing in await _closings(core, user_id)]


async def preview_cancel_all(core: Core, user_id: int) -> CancelAllPreview:
    orders, in_flight = await _open_orders(core, user_id)
    trailing = await _trailing_entries(core, user_id)
    if not orders and not trailing:
        return CancelAllPreview((), in_flight, None, None)
    confirmation_id, expires_at = await _confirmation(core, user_id, CANCEL_ALL)
    return CancelAllPreview(orders, in_flight, confirmation_id, expires_at, trailing)


async def cancel_all(core: Core, user_id: int, confirmation_id: str) -> CancelAllDone:
    """Confirm a preview (once): every trailing entry of the user ended (its buy with it), then every open
    order cancelled; one that cannot be is told."""
    await _claim(core, user_id, confirmation_id, CANCEL_ALL)
    ended: list[PositionStopMode] = []
    for record in await _trailing_entries(core, user_id):
        try:
            ended.append(await end_stop_mode(core, user_id, record.id, StopModeKind.TRAILING_ENTRY))
        except NotFound:  # bought, or ended, since it was read
            continue
    orders, _ = await _open_orders(core, user_id)
    cancelled, refused = await _cancel_each(core, user_id, orders)
    return CancelAllDone(cancelled, refused, tuple(ended))


async def _trailing_entries(core: Core, user_id: int) -> tuple[PositionStopMode, ...]:
    return tuple(r for r in await stop_modes_of(core, user_id) if r.mode.kind is StopModeKind.TRAILING_ENTRY)


async def _confirmation(core: Core, user_id: int, action: str) -> tuple[str, datetime]:
    confirmation_id, now = new_draft_id(), core.clock.now()
    expires_at = now + core.config.draft_ttl
    async with core.uow() as uow:
        await uow.protections.add_confirmation(confirmation_id, user_id, action, now, expires_at)
        await uow.commit()
    return confirmation_id, expires_at


async def _claim(core: Core, user_id: int, confirmation_id: str, action: str) -> None:
    """The preview claimed for its one confirmation; why it cannot be, raised."""
    async with core.uow() as uow:
        if await uow.protections.claim_confirmation(confirmation_id, user_id, action, core.clock.now()):
            await uow.commit()
            return
        used = await uow.protections.confirmation_used(confirmation_id, user_id, action)
    if used is None:
        raise NotFound("That preview was not found.")
    if used:
        raise DraftAlreadyUsed("This was confirmed already: it is carried out only once.")
    raise DraftExpired("This preview has expired: ask again for a fresh one.")


async def _open_orders(core: Core, user_id: int) -> tuple[tuple[Order, ...], tuple[Order, ...]]:
    """The user's orders that can be cancelled now (resting, or held by the core), and those in flight."""
    async with core.uow(read_only=True) as uow:
        orders = [o for a in await uow.accounts.for_user(user_id) for o in await _on(uow, a.id)]
    cancellable = tuple(o for o in orders if o.status is OrderStatus.ARMED or o.status in LIVE_STATUSES)
    return cancellable, tuple(o for o in orders if o.status is OrderStatus.SUBMITTED)


async def _on(uow: UnitOfWork, account_id: int, symbol: str | None = None) -> Sequence[Order]:
    return await uow.orders.for_account(account_id, OPEN_STATUSES, symbol)


async def _closings(core: Core, user_id: int) -> tuple[Closing, ...]:
    async with core.uow(read_only=True) as uow:
        accounts = await uow.accounts.for_user(user_id)
    closings: list[Closing] = []
    for account in accounts:
        closings.extend(await _account_closings(core, account))
    return tuple(closings)


async def _account_closings(core: Core, account: ExchangeAccount) -> list[Closing]:
    """What the books hold on the account: the spot ledger's positions, or the futures book's."""
    held: list[tuple[str, Decimal, PositionSide | None]]
    async with core.uow(read_only=True) as uow:
        if account.is_futures:
            book = await uow.futures_books.load(account.id)
            held = [(p.symbol, p.size, p.side) for p in book.positions.values() if p.size > 0]
        else:
            ledger = await uow.ledgers.load(account.id)
            held = [(p.symbol, p.quantity, None) for p in ledger.open_positions()]
        cancels = {symbol: tuple(await _on(uow, account.id, symbol)) for symbol, _, _ in held}
    gateway = await core.exchanges.gateway(account)
    closings = []
    for symbol, quantity, position in held:
        side = Side.SELL if position is None else position.closing_side
        value = await _value(gateway, symbol, quantity, side)
        closings.append(Closing(account.id, symbol, quantity, value, position, cancels[symbol]))
    return closings


async def _value(gateway: ExchangeGateway, symbol: str, quantity: Decimal, side: Side) -> Decimal | None:
    """What closing `quantity` at market would come to at the price now; None where the venue gives none (it
    is closed at market all the same)."""
    try:
        return quantity * (await gateway.ticker(symbol)).price_for(side is Side.BUY)
    except TradingError:
        return None


async def _close(core: Core, user_id: int, closing: Closing) -> ClosingDone:
    """The orders on its market cancelled first (so its coins are free), then all of it sold or closed at
    market as a trader's "close my eth" is: drafted under the risk limits and confirmed."""
    cancelled, refused = await _cancel_each(core, user_id, closing.cancels)
    why = tuple(f"#{order.id} not cancelled: {reason}" for order, reason in refused)
    intent = OrderIntent(closing.symbol, closing.side, HUNDRED, AmountUnit.PERCENT, position=closing.position)
    try:
        draft = await draft_order(core, user_id, intent, closing.account_id)
        order = await confirm_draft(core, user_id, draft.id)
    except TradingError as error:
        return ClosingDone(closing, None, cancelled, why, error.message)
    return ClosingDone(closing, order, cancelled, why)


async def _cancel_each(
    core: Core, user_id: int, orders: Sequence[Order]
) -> tuple[tuple[Order, ...], tuple[tuple[Order, str], ...]]:
    """Each order cancelled (or disarmed, held by the core); those that could not be, with why."""
    cancelled: list[Order] = []
    refused: list[tuple[Order, str]] = []
    for order in orders:
        if order.status is OrderStatus.SUBMITTED:
            refused.append((order, "its venue has not answered yet; it is looked up and you are told"))
            continue
        try:
            cancelled.append(await cancel_order(core, user_id, order.id))
        except TradingError as error:
            refused.append((order, error.message))
    return tuple(cancelled), tuple(refused)

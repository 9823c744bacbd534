"""Moving the stop that guards coins already held ("set my eth stop to 3000" where one is set), or a futures
position (a long's stop sells, a short's buys back).

A second stop beside the first would not add protection: on a spot venue each locks the same coins, and a
stop held by the core would find them locked by the other when the market reached it. So where one stop guards
the coins it is moved, previewed and confirmed like an order: a stop held by the core (ARMED) gets its new
price by compare-and-set; one resting at the venue is cancelled there and rested again at the new price, for
what it had left to sell. Where several guard them, the trader is asked to cancel the ones no longer wanted.
A futures position's stop is moved only to where the position would not be liquidated before it.
"""

from dataclasses import replace
from decimal import Decimal

from trading.domain.accounts import ExchangeAccount
from trading.domain.enums import OPEN_STATUSES, OrderRole, OrderStatus, OrderType, Side
from trading.domain.errors import InvalidInput, NotFound
from trading.domain.futures_orders import FuturesTerms, check_liquidation_beyond_stop
from trading.domain.ledger import ZERO
from trading.domain.market import Ticker, parse_symbol
from trading.domain.money import HUNDRED, price_text
from trading.domain.orders import Order, OrderDraft, Preview
from trading.domain.perpetuals import is_perpetual, perpetual_of
from trading.ports import UnitOfWork
from trading.usecases.brackets import guarding
from trading.usecases.core import Core, account_of, new_draft_id
from trading.usecases.placing import lift, place_again, replace_stop
from trading.usecases.pricing import check_trigger, pair_of
from trading.usecases.routing import derivatives


def guards_holding(order: Order) -> bool:
    """A stop that closes what is held: on spot, an entry's stop loss or a stop order placed by hand, selling
    coins held; on futures, a position's stop loss or a reduce-only stop order closing it."""
    if order.order_type is not OrderType.STOP:
        return False
    if is_perpetual(order.symbol):
        return order.role in (OrderRole.STOP_LOSS, OrderRole.CLOSE)
    return order.side is Side.SELL and order.role in (OrderRole.STOP_LOSS, OrderRole.ENTRY)


async def stops_guarding(uow: UnitOfWork, account_id: int, symbol: str | None = None) -> list[Order]:
    """The stops guarding the account's holding in `symbol` (None: in every market)."""
    orders = await uow.orders.for_account(account_id, OPEN_STATUSES, symbol)
    return [order for order in orders if guards_holding(order)]


async def draft_stop_move(
    core: Core, user_id: int, symbol: str, quote: str | None, price: Decimal, account_id: int | None = None
) -> tuple[OrderDraft, Order] | None:
    """The draft that moves the stop guarding `symbol` to `price` (on the user's first account, or the one
    given: on a futures account, the stop of its position there), and that stop; None where no stop guards it
    (a new stop order is then the answer)."""
    account, stop = await the_guarding_stop(core, user_id, symbol, quote, account_id)
    if stop is None:
        return None
    return await _draft_move(core, account, stop, price), stop


async def the_guarding_stop(
    core: Core, user_id: int, symbol: str, quote: str | None, account_id: int | None = None
) -> tuple[ExchangeAccount, Order | None]:
    """The user's account (the first, or the one given) and the one stop guarding its holding in `symbol` (on
    a futures account, its position's); None where none does. Several are refused: which one is meant?"""
    async with core.uow(read_only=True) as uow:
        account = await account_of(uow, user_id, account_id)
        pair = pair_of(symbol, quote, core.config.paper_quote)
        if account.is_futures:
            pair = perpetual_of(pair)
        stops = await stops_guarding(uow, account.id, pair)
    if len(stops) > 1:
        prices = " and ".join("market" if s.price is None else price_text(s.price) for s in stops)
        base, _ = parse_symbol(pair)
        raise InvalidInput(
            f"You have {len(stops)} stops on {base} (at {prices}): cancel the ones you no longer want "
            "first ('orders' lists them), then set the stop again."
        )
    return account, (stops[0] if stops else None)


async def draft_move_of(core: Core, user_id: int, order_id: int, price: Decimal) -> OrderDraft:
    """The draft that moves this stop order of the user's, one that guards what is held, to `price`."""
    async with core.uow(read_only=True) as uow:
        stop = await uow.orders.get(order_id)
        if stop is None or stop.user_id != user_id:
            raise NotFound("That order was not found.")
        account = await account_of(uow, user_id, stop.account_id)
    if not guards_holding(stop) or not guarding(stop):
        raise InvalidInput(
            f"Order {stop.id} is not an open stop that closes what you hold: only such a stop moves."
        )
    return await _draft_move(core, account, stop, price)


async def _draft_move(core: Core, account: ExchangeAccount, stop: Order, price: Decimal) -> OrderDraft:
    base, _ = parse_symbol(stop.symbol)
    if stop.status is OrderStatus.SUBMITTED:
        raise InvalidInput(
            f"Your {base} stop is on its way to the exchange right now: try again in a moment."
        )
    gateway = await core.exchanges.gateway(account)
    market = await gateway.market(stop.symbol)
    ticker = await gateway.ticker(stop.symbol)
    new_price = market.round_price(price)
    if new_price <= 0:
        raise InvalidInput("A stop must be above zero.")
    if new_price == stop.price:
        raise InvalidInput(f"Your {base} stop is already at {price_text(new_price)}.")
    quantity = stop.remaining
    terms = await stop_terms(core, account.id, ticker, side=stop.side, price=new_price, quantity=quantity)
    cost = quantity * new_price
    fee = cost * market.taker_fee
    now_at = ticker.price_for(stop.side is Side.BUY)  # what the stop's market order would trade at now
    distance = abs(now_at - new_price)
    now = core.clock.now()
    draft = OrderDraft(
        id=new_draft_id(),
        user_id=stop.user_id,
        account_id=account.id,
        symbol=stop.symbol,
        side=stop.side,
        order_type=OrderType.STOP,
        quantity=quantity,
        price=new_price,
        preview=Preview(
            new_price, quantity, cost, fee, fee, distance, distance / now_at * HUNDRED, futures=terms
        ),
        created_at=now,
        expires_at=now + core.config.draft_ttl,
        replaces_order_id=stop.id,
    )
    async with core.uow() as uow:
        await uow.drafts.add(draft)
        await uow.commit()
    return draft


async def stop_terms(
    core: Core, account_id: int, ticker: Ticker, *, side: Side, price: Decimal, quantity: Decimal
) -> FuturesTerms | None:
    """A stop in the ticker's market checked: not reached by the market already, and on futures, closing the
    position held short of its liquidation price. The futures terms of such a stop (reduce-only); None on spot."""
    check_trigger(side, OrderType.STOP, price, ticker)
    symbol = ticker.symbol
    if not is_perpetual(symbol):
        return None
    gateway = await derivatives(core, account_id)
    position = next(iter(await gateway.positions([symbol])), None)
    if position is None or position.side.closing_side is not side:
        base, _ = parse_symbol(symbol)
        raise InvalidInput(f"You have no {base} position for a stop to {side.value} to close.")
    check_liquidation_beyond_stop(position.side, position.leverage, price, position.liquidation_price)
    return FuturesTerms(
        position.side,
        position.leverage,
        position.margin_mode,
        ZERO,
        reduce_only=True,
        liquidation_price=position.liquidation_price,
        closes=quantity >= position.size,
    )


async def move_stop(core: Core, draft: OrderDraft) -> Order:
    """Carry out a confirmed move: the stop at its new price, as it now stands."""
    assert draft.replaces_order_id is not None and draft.price is not None
    return await move_guarding_stop(core, draft.replaces_order_id, draft.user_id, draft.price)


async def move_guarding_stop(core: Core, stop_id: int, user_id: int, price: Decimal) -> Order:
    """The user's stop that guards a holding, moved to `price` (a move confirmed, or a stop mode's step): a
    stop held by the core by compare-and-set, one resting at the venue cancelled and rested again there."""
    gone = InvalidInput(
        "The stop this preview moves is no longer open (it went off or was cancelled): nothing was moved."
    )
    async with core.uow() as uow:
        stop = await uow.orders.get(stop_id)
        if stop is None or stop.user_id != user_id or not guarding(stop):
            raise gone
        if stop.status is OrderStatus.ARMED:
            now = core.clock.now()
            if not await uow.orders.reprice_armed(stop.id, price, now):
                raise gone  # the tracker fired it, or it was cancelled, since it was read
            await uow.commit()
            return replace(stop, price=price, updated_at=now)
    if stop.status is OrderStatus.SUBMITTED:
        raise InvalidInput("The stop is on its way to the exchange right now: try again in a moment.")
    return await _rest_at(core, stop, price)


async def _rest_at(core: Core, stop: Order, price: Decimal) -> Order:
    """A stop resting at the venue: cancelled there, then rested again at `price` for what it had left to
    sell. Should it go off while being cancelled, the coins are sold and there is nothing to move."""
    if stop.role is OrderRole.STOP_LOSS:
        moved = await replace_stop(core, stop, stop.remaining, price)
        if moved is None:
            raise InvalidInput("Your stop went off while it was being moved: it sold the coins.")
        return moved
    lifted = await lift(core, stop)
    if lifted.filled > stop.filled:
        raise InvalidInput("Your stop went off while it was being moved: it sold the coins.")
    # For what it had left to sell: a stop order can fill in part at the venue.
    return await place_again(core, stop, lifted.remaining, price)

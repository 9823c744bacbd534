"""The core's books an order's fills go into: a spot account's ledger (coins bought and sold at cost), or a
futures account's book (margined positions, long or short), read and written in the booking's transaction."""

from dataclasses import dataclass
from decimal import Decimal

from trading.domain.enums import OrderRole, Side
from trading.domain.errors import InvalidInput
from trading.domain.futures_ledger import FuturesBook
from trading.domain.futures_orders import FuturesTerms
from trading.domain.ledger import ZERO, Ledger
from trading.domain.orders import ExchangeTrade, Order, OrderDraft
from trading.domain.perpetuals import is_perpetual
from trading.ports import UnitOfWork


def opens(order: Order) -> bool:
    """Whether an order's fills open or add to a position (whose stop and targets they arm): a buy on spot,
    an entry on futures (a long's or a short's); a close, a leg or a spot sale only reduce one."""
    if is_perpetual(order.symbol):
        return order.role is OrderRole.ENTRY
    return order.role is OrderRole.ENTRY and order.side is Side.BUY


def reduce_only(order: Order) -> bool:
    """On futures, whatever does not open is sent reduce-only: it can never open or flip a position."""
    return is_perpetual(order.symbol) and not opens(order)


@dataclass
class SpotBooks:
    ledger: Ledger

    def fill(self, order: Order, trade: ExchangeTrade) -> Decimal:
        effect = self.ledger.apply_fill(
            order.symbol, order.side, trade.quantity, trade.price, trade.fee, trade.fee_currency
        )
        self.ledger = effect.ledger
        return effect.realised_pnl

    def held(self, symbol: str) -> Decimal:
        position = self.ledger.positions.get(symbol)
        return position.quantity if position is not None else ZERO

    async def save(self, uow: UnitOfWork, account_id: int) -> None:
        await uow.ledgers.save(account_id, self.ledger)


@dataclass
class FuturesBooks:
    """`terms`: the entry's, from its draft (its leverage and margin mode); a reduce-only fill needs none."""

    book: FuturesBook
    terms: FuturesTerms | None

    def fill(self, order: Order, trade: ExchangeTrade) -> Decimal:
        position = self.book.positions.get(order.symbol)
        terms = self.terms
        if terms is not None:
            leverage, mode = terms.leverage, terms.margin_mode
        elif position is not None:
            leverage, mode = position.leverage, position.margin_mode
        else:
            raise InvalidInput(f"Order {order.id} has no terms to open a {order.symbol} position on.")
        effect = self.book.apply_fill(
            order.symbol,
            order.side,
            trade.quantity,
            trade.price,
            trade.fee,
            leverage=leverage,
            margin_mode=mode,
            reduce_only=reduce_only(order),
        )
        self.book = effect.book
        return effect.realised_pnl

    def held(self, symbol: str) -> Decimal:
        position = self.book.positions.get(symbol)
        return position.size if position is not None else ZERO

    async def save(self, uow: UnitOfWork, account_id: int) -> None:
        await uow.futures_books.save(account_id, self.book)


Books = SpotBooks | FuturesBooks


async def books_of(uow: UnitOfWork, order: Order, draft: OrderDraft | None) -> Books:
    """The order's account's books, held until the caller commits. `draft`: the order's own, where the caller
    holds it (an entry's futures terms are read from it)."""
    if not is_perpetual(order.symbol):
        return SpotBooks(await uow.ledgers.load(order.account_id, for_update=True))
    book = await uow.futures_books.load(order.account_id, for_update=True)
    if not opens(order):
        return FuturesBooks(book, None)
    if draft is None or draft.id != order.draft_id:
        draft = await uow.drafts.get(order.draft_id) if order.draft_id else None
    return FuturesBooks(book, draft.futures if draft is not None else None)

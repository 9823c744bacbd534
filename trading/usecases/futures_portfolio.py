"""A futures account valued at its marks: its positions as the venue reports them (side, size, leverage, entry,
mark, liquidation price, P&L) and the core's book of it (wallet, realised P&L, fees, funding)."""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from trading.domain.accounts import ExchangeAccount
from trading.domain.futures import FuturesPosition
from trading.domain.futures_ledger import FuturesBook
from trading.domain.futures_math import settle_currency
from trading.domain.ledger import ZERO
from trading.usecases.core import Core
from trading.usecases.routing import derivatives_of, futures_account


@dataclass(frozen=True, slots=True)
class FuturesPortfolio:
    """In `currency`, the settle currency: `equity` is the wallet with the positions' unrealised P&L;
    `available` what is not margin in use."""

    account_id: int
    label: str
    currency: str
    wallet: Decimal
    equity: Decimal
    available: Decimal
    positions: tuple[FuturesPosition, ...]
    unrealised_pnl: Decimal
    realised_pnl: Decimal
    fees_paid: Decimal
    funding_paid: Decimal
    deposits: Decimal


async def futures_portfolio(core: Core, user_id: int, account_id: int | None = None) -> FuturesPortfolio:
    """The user's futures account (the one given, or the first); NoFuturesAccount where there is none."""
    async with core.uow(read_only=True) as uow:
        account = await futures_account(uow, user_id, account_id)
        book = await uow.futures_books.load(account.id)
    return await futures_valued(core, account, book)


async def futures_valued(core: Core, account: ExchangeAccount, book: FuturesBook) -> FuturesPortfolio:
    """A futures account with its book, valued at the venue's marks."""
    currency = core.config.paper_quote
    gateway = derivatives_of(await core.exchanges.gateway(account))
    positions: Sequence[FuturesPosition] = await gateway.positions()
    held = tuple(p for p in positions if settle_currency(p.symbol) == currency)
    unrealised = sum((p.unrealised_pnl for p in held), ZERO)
    wallet = book.wallet(currency)
    return FuturesPortfolio(
        account_id=account.id,
        label=account.label,
        currency=currency,
        wallet=wallet,
        equity=wallet + unrealised,
        available=book.available(currency),
        positions=held,
        unrealised_pnl=unrealised,
        realised_pnl=book.realised_pnl.get(currency, ZERO),
        fees_paid=book.fees_paid.get(currency, ZERO),
        funding_paid=book.funding_paid.get(currency, ZERO),
        deposits=book.deposits.get(currency, ZERO),
    )

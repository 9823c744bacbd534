"""The portfolio valued at market: balances, positions at cost, realised and unrealised P&L, history."""

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from trading.domain.accounts import ExchangeAccount
from trading.domain.errors import TradingError
from trading.domain.futures import MarketType
from trading.domain.ledger import ZERO, Ledger
from trading.usecases.core import Core, account_in, account_of, first_of
from trading.usecases.futures_portfolio import FuturesPortfolio, futures_portfolio, futures_valued

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class PositionView:
    symbol: str
    quantity: Decimal
    average_cost: Decimal
    price: Decimal
    value: Decimal
    unrealised_pnl: Decimal
    realised_pnl: Decimal

    @property
    def unrealised_pct(self) -> Decimal:
        cost = self.quantity * self.average_cost
        return self.unrealised_pnl / cost * 100 if cost else ZERO


@dataclass(frozen=True, slots=True)
class BalanceView:
    asset: str
    amount: Decimal
    value: Decimal | None


@dataclass(frozen=True, slots=True)
class Portfolio:
    account_id: int
    quote: str
    cash: Decimal
    equity: Decimal
    balances: tuple[BalanceView, ...]
    positions: tuple[PositionView, ...]
    realised_pnl: Decimal
    unrealised_pnl: Decimal
    fees_paid: Decimal
    deposits: Decimal


async def portfolio(core: Core, user_id: int, account_id: int | None = None) -> Portfolio:
    async with core.uow(read_only=True) as uow:
        books = await uow.ledgers.of_user(user_id)
    account = account_in(books.accounts, account_id)
    return await _valued(core, account, books.ledgers[account.id])


async def portfolio_and_futures(core: Core, user_id: int) -> tuple[Portfolio, FuturesPortfolio | None]:
    """The first spot account's portfolio and the first futures account's, where the user has one: the accounts,
    the ledger and the futures book read in one transaction, and nothing of futures for a user without it."""
    async with core.uow(read_only=True) as uow:
        books = await uow.ledgers.of_user(user_id)
        spot = first_of(books.accounts, MarketType.SPOT)
        futures = next((a for a in books.accounts if a.is_futures), None)
        futures_and_book = None if futures is None else (futures, await uow.futures_books.load(futures.id))
    view = await _valued(core, spot, books.ledgers[spot.id])
    return view, None if futures_and_book is None else await futures_valued(core, *futures_and_book)


async def _valued(core: Core, account: ExchangeAccount, ledger: Ledger) -> Portfolio:
    """A spot account with its ledger, its positions valued at the venue's bid."""
    gateway = await core.exchanges.gateway(account)
    quote = core.config.paper_quote
    positions: list[PositionView] = []
    for position in ledger.positions.values():
        if position.quantity <= 0:
            continue
        try:
            price = (await gateway.ticker(position.symbol)).bid
        except TradingError:
            price = position.average_cost  # no price now: shown at cost rather than left out
        value = position.quantity * price
        positions.append(
            PositionView(
                position.symbol,
                position.quantity,
                position.average_cost,
                price,
                value,
                value - position.cost,
                position.realised_pnl,
            )
        )
    values = {p.symbol.split("/", 1)[0]: p.value for p in positions}
    balances = tuple(
        BalanceView(asset, amount, amount if asset == quote else values.get(asset))
        for asset, amount in sorted(ledger.balances.items())
        if amount
    )
    cash = ledger.balance(quote)
    return Portfolio(
        account_id=account.id,
        quote=quote,
        cash=cash,
        equity=cash + sum((p.value for p in positions), ZERO),
        balances=balances,
        positions=tuple(sorted(positions, key=lambda p: p.value, reverse=True)),
        realised_pnl=ledger.realised_pnl.get(quote, ZERO),
        unrealised_pnl=sum((p.unrealised_pnl for p in positions), ZERO),
        fees_paid=ledger.fees_paid.get(quote, ZERO),
        deposits=ledger.deposits.get(quote, ZERO),
    )


async def pnl_by_day(
    core: Core, user_id: int, days: int = 30, account_id: int | None = None
) -> Mapping[date, Decimal]:
    since = core.clock.now().date() - timedelta(days=days - 1)
    async with core.uow(read_only=True) as uow:
        account = await account_of(uow, user_id, account_id)
        return await uow.ledgers.pnl_by_day(account.id, since)


async def record_equity(
    core: Core, user_id: int, account_id: int | None = None, *, futures: bool | None = None
) -> Decimal:
    """Snapshot the account's equity now (the scheduler does this for the equity curve). `futures`: whether the
    account trades futures, where the caller knows it (it is then not read)."""
    if futures is None:
        async with core.uow(read_only=True) as uow:
            futures = (await account_of(uow, user_id, account_id)).is_futures
    view = await (futures_portfolio if futures else portfolio)(core, user_id, account_id)
    async with core.uow(durable=False) as uow:  # a point of a curve: lost in a crash, the curve has the next
        await uow.ledgers.record_equity(view.account_id, core.clock.now(), view.equity)
        await uow.commit()
    return view.equity


async def record_all_equity(core: Core) -> int:
    """One equity point for every account (the equity curve's data); the number recorded."""
    async with core.uow(read_only=True) as uow:
        accounts = await uow.accounts.every()
    recorded = 0
    for account in accounts:
        try:
            await record_equity(core, account.user_id, account.id)
        except TradingError as error:  # one venue down must not stop the others' curves
            log.warning("equity of account %s not recorded: %s", account.id, error)
            continue
        recorded += 1
    return recorded


async def equity_history(
    core: Core, user_id: int, since: datetime, account_id: int | None = None
) -> Sequence[tuple[datetime, Decimal]]:
    async with core.uow(read_only=True) as uow:
        account = await account_of(uow, user_id, account_id)
        return await uow.ledgers.equity_history(account.id, since)

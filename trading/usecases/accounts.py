"""Users and their accounts."""

import logging
from datetime import datetime, timedelta
from decimal import Decimal

from trading.domain.accounts import PAPER, ExchangeAccount, User
from trading.domain.errors import InvalidInput, TradingError
from trading.domain.futures import MarketType
from trading.ports import UnitOfWork
from trading.usecases.core import Core, account_of
from trading.usecases.venue_balances import has_live_orders, sync_venue_balances

log = logging.getLogger(__name__)
# The longest a deposit is under way: its two writes and the paper venue's between them take milliseconds. One
# marked for longer stopped; a younger one may be under way in another process.
DEPOSIT_UNDER_WAY_AT_MOST = timedelta(minutes=1)
# The label of the paper futures account a new user gets beside the paper one.
PAPER_FUTURES = "Paper futures"


async def register_user(
    core: Core, name: str, telegram_id: int | None = None
) -> tuple[User, ExchangeAccount]:
    """The user with this Telegram id, or a new one with the default account (a funded paper one unless the
    operator has set a venue) and, on the paper exchange, a paper futures account funded the same."""
    now = core.clock.now()
    async with core.uow() as uow:
        if telegram_id is not None and (existing := await uow.users.by_telegram_id(telegram_id)):
            return existing, await account_of(uow, existing.id, None)
        user = await uow.users.add(name=name, telegram_id=telegram_id, now=now)
        if user is None:  # registered by a concurrent update from the same person: theirs stands
            assert telegram_id is not None
            winner = await uow.users.by_telegram_id(telegram_id)
            assert winner is not None
            return winner, await account_of(uow, winner.id, None)
        config = core.config
        label = "Paper" if config.default_exchange == PAPER else config.default_exchange.capitalize()
        account = await uow.accounts.add(
            user.id, config.default_exchange, label, config.default_testnet, config.default_credentials, now
        )
        opened = [account]
        if account.is_paper and config.paper_futures:
            futures = MarketType.FUTURES
            opened.append(await uow.accounts.add(user.id, PAPER, PAPER_FUTURES, False, None, now, futures))
        for each in opened:
            await mark_opening_deposit(uow, each, now)
        await uow.commit()
    if account.is_paper:
        for each in opened:
            await fund_opening_deposit(core, user.id, each.id)
    else:
        await _open_books_from_the_venue(core, user.id, account.id)
    return user, account


async def mark_opening_deposit(uow: UnitOfWork, account: ExchangeAccount, now: datetime) -> None:
    """A new paper account's opening deposit, marked in the transaction that creates the account rather than in
    one of its own (see `deposit`); nothing for an account on a venue."""
    if account.is_paper:
        await uow.accounts.mark_deposit_pending(account.id, now)


async def fund_opening_deposit(core: Core, user_id: int, account_id: int) -> None:
    """A new paper account funded with the start balance, its deposit marked already (mark_opening_deposit)."""
    config = core.config
    await deposit(
        core, user_id, account_id, config.paper_quote, config.paper_start_balance, already_marked=True
    )


async def _open_books_from_the_venue(core: Core, user_id: int, account_id: int) -> None:
    """The operator's venue account of a new user: its books open with what the venue holds. A venue out of reach
    now leaves them empty, to be filled by "Sync balances" later, rather than refuse the user."""
    try:
        await sync_venue_balances(core, user_id, account_id)
    except TradingError as error:
        log.warning("books of account %s not opened from its venue: %s", account_id, error)


async def deposit(
    core: Core,
    user_id: int,
    account_id: int | None,
    asset: str,
    amount: Decimal,
    *,
    already_marked: bool = False,
) -> None:
    """Fund a paper account: the account marked as awaiting one more deposit, then the paper venue, then the
    core's book of it, which takes that mark off. `already_marked`: the caller marked the account (in the
    transaction that created it)."""
    if amount <= 0:
        raise InvalidInput("A deposit must be a positive amount.")
    async with core.uow(read_only=already_marked) as uow:
        account = await account_of(uow, user_id, account_id)
        if not account.is_paper:
            raise InvalidInput(
                "Only paper accounts are funded from here; fund a real exchange account on the venue."
            )
        if not already_marked:
            await uow.accounts.mark_deposit_pending(account.id, core.clock.now())
            await uow.commit()
    await core.exchanges.paper_funding(account).deposit(asset, amount)
    async with core.uow() as uow:
        ledger = await uow.ledgers.load(account.id, for_update=True)
        await uow.ledgers.save(account.id, ledger.deposit(asset, amount))
        await uow.accounts.deposit_booked(account.id)
        await uow.commit()


async def _busy(uow: UnitOfWork, account: ExchangeAccount) -> bool:
    """Whether the venue's balances may move on their own now: an order live, or a futures position open (its
    funding and liquidation are settled by the venue, and booked from its events)."""
    if await has_live_orders(uow, account):
        return True
    return account.is_futures and bool((await uow.futures_books.load(account.id)).positions)


async def reconcile_paper_deposits(core: Core, older_than: timedelta = timedelta(0)) -> int:
    """Book deposits that reached the paper venue but not the core's books (the process stopped between the two
    writes of `deposit`); the number of accounts corrected. Run at start-up and by the tracker, after the
    orders are reconciled. `older_than`: only accounts whose last deposit began that long ago, so that one
    still under way in another process is not taken for one that stopped. A futures account with a position
    open waits too (_busy).

    Only the accounts `deposit` left marked are read, so a look costs one query when none stopped. The paper
    venue's totals mirror the books exactly but for such a deposit, so a positive difference is one and is booked
    (and logged) with the marker cleared in the same transaction; no difference just clears it. An account with
    live orders keeps its marker for a later look: reading its balances lets the market through its resting
    orders, whose fills the books would then lack. A negative difference is never guessed at: it is logged for
    the operator.
    """
    begun_by = core.clock.now() - older_than if older_than else None  # None: every marked account
    async with core.uow(read_only=True) as uow:
        pending = [
            (account, since)
            for account, since in await uow.accounts.deposit_pending(begun_by)
            if account.is_paper
        ]
    corrected = 0
    for account, since in pending:
        async with core.uow(read_only=True) as uow:
            if await _busy(uow, account):
                continue
            books = await uow.ledgers.load(account.id)
        venue = await (await core.exchanges.gateway(account)).balances()
        missing = {asset: balance.total - books.balance(asset) for asset, balance in sorted(venue.items())}
        for asset, amount in missing.items():
            if amount < 0:
                log.error(
                    "paper account %s: the books hold %s %s more than the venue", account.id, -amount, asset
                )
        short = {asset: amount for asset, amount in missing.items() if amount > 0}
        async with core.uow() as uow:
            if await uow.ledgers.load(account.id, for_update=True) != books or await _busy(uow, account):
                continue  # it moved meanwhile: the marker stays, and a later look checks again
            if short:
                fixed = books
                for asset, amount in short.items():
                    log.warning(
                        "paper account %s: a deposit of %s %s never reached the books; booked",
                        account.id,
                        amount,
                        asset,
                    )
                    fixed = fixed.deposit(asset, amount)
                await uow.ledgers.save(account.id, fixed)
            await uow.accounts.deposits_checked(account.id, since)
            await uow.commit()
        if short:
            corrected += 1
    return corrected

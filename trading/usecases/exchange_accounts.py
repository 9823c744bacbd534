"""Adding and removing a user's exchange accounts. Credentials go in encrypted and never come back out."""

from collections.abc import Sequence

from trading.domain.accounts import PAPER, Credentials, ExchangeAccount
from trading.domain.errors import InvalidInput, NotFound
from trading.domain.futures import MarketType
from trading.ports import UnitOfWork
from trading.usecases.accounts import fund_opening_deposit, mark_opening_deposit
from trading.usecases.core import Core
from trading.usecases.venue_balances import has_live_orders, opening_book, opening_ledger


async def accounts(core: Core, user_id: int) -> Sequence[ExchangeAccount]:
    async with core.uow() as uow:
        return await uow.accounts.for_user(user_id)


async def add_account(
    core: Core,
    user_id: int,
    exchange: str,
    label: str,
    testnet: bool = False,
    credentials: Credentials | None = None,
    market_type: MarketType = MarketType.SPOT,
) -> ExchangeAccount:
    """A paper account (funded like a new user's) or a venue's, which needs its API key and secret: the keys
    are tried on the venue first, and the account's books open with the balances it holds there. A futures
    account (shorts and leverage) on a venue trades its linear perpetuals: its keys are tried through the
    venue's derivatives API and its book opens with the collateral there (venue_balances.opening_book). Nothing
    is stored on a refusal."""
    label = label.strip()
    if not label:
        raise InvalidInput("An account needs a label.")
    if exchange != PAPER and credentials is None:
        raise InvalidInput(f"An account on {exchange} needs its API key and secret.")
    if exchange == PAPER and credentials is not None:
        raise InvalidInput("A paper account takes no API keys.")
    async with core.uow(read_only=True) as uow:
        await _refuse_taken_label(uow, user_id, label)
    # The keys are tried, and the books opened with what the venue holds, before anything is stored.
    ledger = book = None
    if credentials is not None and market_type is MarketType.FUTURES:
        book = await opening_book(core, exchange, testnet, credentials)
    elif credentials is not None:
        ledger, _ = await opening_ledger(core, exchange, testnet, credentials)
    async with core.uow() as uow:
        await _refuse_taken_label(uow, user_id, label)
        now = core.clock.now()
        account = await uow.accounts.add(user_id, exchange, label, testnet, credentials, now, market_type)
        if ledger is not None:
            await uow.ledgers.save(account.id, ledger)
        if book is not None:
            await uow.futures_books.save(account.id, book)
        await mark_opening_deposit(uow, account, now)
        await uow.commit()
    if account.is_paper:
        await fund_opening_deposit(core, user_id, account.id)
    return account


def market_types(core: Core, exchange: str) -> frozenset[MarketType]:
    """What accounts an exchange can hold: spot, futures or both; none for an exchange unknown."""
    return core.exchanges.market_types(exchange)


async def _refuse_taken_label(uow: UnitOfWork, user_id: int, label: str) -> None:
    existing = await uow.accounts.for_user(user_id)
    if any(a.label.lower() == label.lower() for a in existing):
        raise InvalidInput(f"You already have an account labelled {label!r}.")


async def remove_account(core: Core, user_id: int, account_id: int) -> None:
    """Refused while the account has open orders, and for a user's only account."""
    async with core.uow() as uow:
        account = await uow.accounts.get(account_id)
        if account is None or account.user_id != user_id:
            raise NotFound("That exchange account was not found.")
        if len(await uow.accounts.for_user(user_id)) == 1:
            raise InvalidInput("This is your only exchange account; add another before removing it.")
        if await has_live_orders(uow, account):
            raise InvalidInput("This account has open orders; cancel them before removing it.")
        await uow.accounts.remove(user_id, account_id)
        await uow.commit()

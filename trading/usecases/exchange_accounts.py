"""Adding and removing a user's exchange accounts. Credentials go in encrypted and never come back out."""

from collections.abc import Sequence

from trading.domain.accounts import PAPER, Credentials, ExchangeAccount
from trading.domain.enums import OrderStatus
from trading.domain.errors import InvalidInput, NotFound
from trading.usecases.accounts import deposit
from trading.usecases.core import Core

_LIVE = [OrderStatus.SUBMITTED, OrderStatus.OPEN, OrderStatus.PARTIALLY_FILLED, OrderStatus.ARMED]


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
) -> ExchangeAccount:
    """A paper account (funded like a new user's) or a venue's, which needs its API key and secret."""
    label = label.strip()
    if not label:
        raise InvalidInput("An account needs a label.")
    if exchange != PAPER and credentials is None:
        raise InvalidInput(f"An account on {exchange} needs its API key and secret.")
    if exchange == PAPER and credentials is not None:
        raise InvalidInput("A paper account takes no API keys.")
    async with core.uow() as uow:
        existing = await uow.accounts.for_user(user_id)
        if any(a.label.lower() == label.lower() for a in existing):
            raise InvalidInput(f"You already have an account labelled {label!r}.")
        account = await uow.accounts.add(user_id, exchange, label, testnet, credentials, core.clock.now())
        await uow.commit()
    if account.is_paper:
        await deposit(core, user_id, account.id, core.config.paper_quote, core.config.paper_start_balance)
    return account


async def remove_account(core: Core, user_id: int, account_id: int) -> None:
    """Refused while the account has open orders, and for a user's only account."""
    async with core.uow() as uow:
        account = await uow.accounts.get(account_id)
        if account is None or account.user_id != user_id:
            raise NotFound("That exchange account was not found.")
        if len(await uow.accounts.for_user(user_id)) == 1:
            raise InvalidInput("This is your only exchange account; add another before removing it.")
        live = await uow.orders.for_user(user_id, _LIVE, 1000)
        if any(o.account_id == account_id for o in live):
            raise InvalidInput("This account has open orders; cancel them before removing it.")
        await uow.accounts.remove(user_id, account_id)
        await uow.commit()

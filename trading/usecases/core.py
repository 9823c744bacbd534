"""The dependencies every use case shares, built once by the composition root."""

import secrets
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from trading.domain.accounts import PAPER, Credentials, ExchangeAccount
from trading.domain.errors import NotFound
from trading.domain.futures import MarketType
from trading.domain.protections import ProtectionLimits
from trading.domain.risk import RiskLimits
from trading.domain.signal_records import SignalRecord
from trading.ports import Clock, ExchangeFactory, UnitOfWork, UnitOfWorkFactory


@dataclass(frozen=True, slots=True)
class CoreConfig:
    limits: RiskLimits
    draft_ttl: timedelta = timedelta(minutes=2)
    paper_quote: str = "USDT"
    paper_start_balance: Decimal = Decimal(10_000)
    # On the paper exchange, a new user's paper futures account beside the spot one (shorts and leverage).
    paper_futures: bool = True
    # The account a new user starts with: the paper exchange, or the operator's venue (EXCHANGE and its keys).
    default_exchange: str = PAPER
    default_credentials: Credentials | None = None
    default_testnet: bool = False
    # The operator's protections of automatic following: every user's defaults and ceiling.
    protections: ProtectionLimits = field(default_factory=ProtectionLimits)


PlanWatcher = Callable[[SignalRecord], Awaitable[None]]


class FollowedPlans:
    """Who in this process watches the plans followed in it (the price watch's waiting entries): each is told
    of a plan once its entries are placed, so that a tick right after acts on it. A plan followed in another
    process is found by the watcher's next read."""

    def __init__(self) -> None:
        self._watchers: list[PlanWatcher] = []

    def subscribe(self, watcher: PlanWatcher) -> None:
        self._watchers.append(watcher)

    async def followed(self, signal: SignalRecord) -> None:
        for watcher in self._watchers:
            await watcher(signal)


@dataclass(frozen=True, slots=True)
class Core:
    uow: UnitOfWorkFactory
    exchanges: ExchangeFactory
    clock: Clock
    config: CoreConfig
    followed_plans: FollowedPlans = field(default_factory=FollowedPlans)


def new_draft_id() -> str:
    """Eight URL-safe characters: short enough for Telegram's 64-byte callback data, too many to guess."""
    return secrets.token_urlsafe(6)


def new_client_order_id() -> str:
    """18 characters: within every venue's limit (Kraken's free-text cl_ord_id is the tightest)."""
    return "tsb" + uuid.uuid4().hex[:15]


_NO_SUCH_ACCOUNT = "That exchange account was not found."


async def account_of(
    uow: UnitOfWork, user_id: int, account_id: int | None, market_type: MarketType = MarketType.SPOT
) -> ExchangeAccount:
    """The user's account with this id, or the user's first of `market_type`; another user's account is 'not
    found'."""
    if account_id is not None:
        account = await uow.accounts.get(account_id)
        if account is None or account.user_id != user_id:
            raise NotFound(_NO_SUCH_ACCOUNT)
        return account
    return first_of(await uow.accounts.for_user(user_id), market_type)


def account_in(accounts: Sequence[ExchangeAccount], account_id: int | None) -> ExchangeAccount:
    """account_of's account among the user's accounts: the one with this id, or the first spot one."""
    if account_id is None:
        return first_of(accounts, MarketType.SPOT)
    found = next((a for a in accounts if a.id == account_id), None)
    if found is None:
        raise NotFound(_NO_SUCH_ACCOUNT)
    return found


def first_of(accounts: Sequence[ExchangeAccount], market_type: MarketType) -> ExchangeAccount:
    """The first of the accounts with this market type; NotFound, saying how to add one, where none has."""
    found = next((a for a in accounts if a.market_type is market_type), None)
    if found is None:
        raise NotFound(
            f"You have no {market_type.value} exchange account: add one with /accounts."
            if accounts
            else "You have no exchange account yet."
        )
    return found

"""One transaction over the repositories, and the factory that opens one."""

from types import TracebackType
from typing import Protocol, Self

from trading.ports.audit import AuditRepository
from trading.ports.channels import ChannelRepository
from trading.ports.entry_rules import EntryRulesRepository
from trading.ports.plans import PlanRepository
from trading.ports.protections import ProtectionRepository
from trading.ports.repositories import (
    AccountRepository,
    AlertRepository,
    ApiTokenRepository,
    CommandLog,
    DraftRepository,
    FillRepository,
    FuturesBookRepository,
    LedgerRepository,
    LoginGrantRepository,
    NoticeRepository,
    OrderRepository,
    RiskSettingsRepository,
    UserRepository,
)
from trading.ports.second_factor import SecondFactorRepository
from trading.ports.signals import SignalRepository
from trading.ports.stop_modes import StopModeRepository


class UnitOfWork(Protocol):
    """One transaction. `async with uow:` begins it; leaving the block without `commit()` rolls back."""

    @property
    def users(self) -> UserRepository: ...

    @property
    def accounts(self) -> AccountRepository: ...

    @property
    def drafts(self) -> DraftRepository: ...

    @property
    def orders(self) -> OrderRepository: ...

    @property
    def fills(self) -> FillRepository: ...

    @property
    def ledgers(self) -> LedgerRepository: ...

    @property
    def futures_books(self) -> FuturesBookRepository: ...

    @property
    def commands(self) -> CommandLog: ...

    @property
    def alerts(self) -> AlertRepository: ...

    @property
    def signals(self) -> SignalRepository: ...

    @property
    def api_tokens(self) -> ApiTokenRepository: ...

    @property
    def login_grants(self) -> LoginGrantRepository: ...

    @property
    def risk_settings(self) -> RiskSettingsRepository: ...

    @property
    def notices(self) -> NoticeRepository: ...

    @property
    def plans(self) -> PlanRepository: ...

    @property
    def channels(self) -> ChannelRepository: ...

    @property
    def protections(self) -> ProtectionRepository: ...

    @property
    def entry_rules(self) -> EntryRulesRepository: ...

    @property
    def stop_modes(self) -> StopModeRepository: ...

    @property
    def audits(self) -> AuditRepository: ...

    @property
    def second_factors(self) -> SecondFactorRepository: ...

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    async def commit(self) -> None: ...

    async def rollback(self) -> None: ...


class UnitOfWorkFactory(Protocol):
    def __call__(self, *, read_only: bool = False, durable: bool = True) -> UnitOfWork:
        """`read_only`: a unit of work that only reads, and so never waits for (or holds up) a writer.

        `durable=False`: its commit returns before it is on disk, so a crash of the database server just after
        may lose it (whole, never half of it), unless a durable commit follows, which takes it to disk with
        itself. Only for what is made again where it is lost: a preview, a report's booking (the order stays
        SUBMITTED, and reconciliation books it). An order is always written durably before it is sent.
        """
        ...

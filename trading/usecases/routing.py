"""Which account a request goes to: a short or a leveraged one to the user's futures account, never to spot,
where a short would be a sale of coins held; anything else to spot."""

from decimal import Decimal

from trading.domain.accounts import ExchangeAccount
from trading.domain.enums import Side
from trading.domain.errors import InvalidInput, InvalidOrder, NoFuturesAccount, NotFound
from trading.domain.futures import MarketType, PositionSide
from trading.domain.risk import margin_multiple
from trading.domain.signal_records import SignalSource, SourceMarket
from trading.ports import DerivativesGateway, ExchangeGateway, UnitOfWork
from trading.usecases.core import Core, account_of

NO_FUTURES_ACCOUNT = (
    "Shorts and leverage trade on a futures account, and you have none: add one with /accounts (Add an "
    "account, then 'paper futures'). Nothing was sold."
)


def signal_wants_futures(source: SignalSource | None, side: Side, leverage: Decimal | None) -> bool:
    """Where a signal of this source trades: as the source is set (auto: as any request, by its side and
    leverage). A short from a source set to spot is refused: on spot it would be a sale of coins held."""
    if source is None or source.settings.market is SourceMarket.AUTO:
        return wants_futures(side, PositionSide.opened_by(side), leverage)
    if source.settings.market is SourceMarket.FUTURES:
        return True
    if side is Side.SELL:
        raise InvalidInput(
            f"{source.title} is set to spot, where a short would sell coins you hold, so its short signal is "
            f"not followed: /source {source.id} market futures (or auto) follows its shorts on futures."
        )
    return False


def wants_futures(side: Side, position: PositionSide | None, leverage: Decimal | None) -> bool:
    """A leveraged request, a short, or one that names a long to reduce (a sale of a long is no spot sale)."""
    named = position is PositionSide.SHORT or (position is PositionSide.LONG and side is Side.SELL)
    return named or margin_multiple(leverage) is not None


async def futures_account(uow: UnitOfWork, user_id: int, account_id: int | None = None) -> ExchangeAccount:
    """The user's futures account (the one given, or the first); NoFuturesAccount, saying how to add one."""
    try:
        account = await account_of(uow, user_id, account_id, MarketType.FUTURES)
    except NotFound:
        if account_id is not None:
            raise
        raise NoFuturesAccount(NO_FUTURES_ACCOUNT) from None
    if not account.is_futures:
        raise NoFuturesAccount(f"{account.label} trades spot: shorts and leverage go to a futures account.")
    return account


async def derivatives(core: Core, account_id: int) -> DerivativesGateway:
    """The venue of a futures account, with what futures need (leverage, margin mode, positions)."""
    return derivatives_of(await core.exchanges.gateway_of(account_id))


def derivatives_of(gateway: ExchangeGateway) -> DerivativesGateway:
    """The gateway of a futures account as the derivatives venue it is (InvalidOrder where it is none)."""
    if not isinstance(gateway, DerivativesGateway):
        raise InvalidOrder(f"This account's venue ({gateway.name}) takes no futures orders here yet.")
    return gateway


async def is_futures_account(core: Core, user_id: int, account_id: int | None) -> bool:
    """Whether the account named (none: the default spot one) is a futures account."""
    if account_id is None:
        return False
    async with core.uow(read_only=True) as uow:
        return (await account_of(uow, user_id, account_id)).is_futures

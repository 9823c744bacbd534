"""Users, their exchange accounts and balances."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from trading.domain.futures import MarketType

PAPER = "paper"


@dataclass(frozen=True, slots=True)
class User:
    id: int
    telegram_id: int | None
    name: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Credentials:
    """Decrypted exchange credentials; exists only in memory."""

    api_key: str
    secret: str
    password: str | None = None


@dataclass(frozen=True, slots=True)
class ExchangeAccount:
    """Where a user's orders go: the paper exchange or a ccxt exchange id such as 'binance'; spot coins, or
    linear perpetual futures (`market_type`), where shorts and leverage go."""

    id: int
    user_id: int
    exchange: str
    label: str
    testnet: bool
    created_at: datetime
    has_credentials: bool = False
    market_type: MarketType = MarketType.SPOT

    @property
    def is_paper(self) -> bool:
        return self.exchange == PAPER

    @property
    def is_futures(self) -> bool:
        return self.market_type is MarketType.FUTURES


@dataclass(frozen=True, slots=True)
class AssetBalance:
    asset: str
    free: Decimal
    total: Decimal

    @property
    def locked(self) -> Decimal:
        return self.total - self.free

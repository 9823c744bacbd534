"""The ports the core needs. Adapters in trading/exchanges, trading/market, trading/ccxt and storage/ implement
them."""

from trading.ports.outside import (
    Clock,
    DerivativesGateway,
    ExchangeFactory,
    ExchangeGateway,
    FuturesEventSource,
    MarketData,
    Notifier,
    PaperFunding,
    PriceFeed,
    PriceStream,
)
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
from trading.ports.signals import SignalRepository
from trading.ports.unit_of_work import UnitOfWork, UnitOfWorkFactory

__all__ = [
    "AccountRepository",
    "AlertRepository",
    "ApiTokenRepository",
    "Clock",
    "CommandLog",
    "DerivativesGateway",
    "DraftRepository",
    "ExchangeFactory",
    "ExchangeGateway",
    "FillRepository",
    "FuturesBookRepository",
    "FuturesEventSource",
    "LedgerRepository",
    "LoginGrantRepository",
    "MarketData",
    "NoticeRepository",
    "Notifier",
    "OrderRepository",
    "PaperFunding",
    "PriceFeed",
    "PriceStream",
    "RiskSettingsRepository",
    "SignalRepository",
    "UnitOfWork",
    "UnitOfWorkFactory",
    "UserRepository",
]

"""The simulated venue's markets: realistic starting prices, precision and liquidity."""

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class AssetSpec:
    base: str
    start_price: Decimal
    amount_step: Decimal
    price_tick: Decimal
    # Standard deviation of the log return over one one-second step.
    volatility: float = 0.0003
    # Quote value resting on each level of each side of the book.
    level_notional: Decimal = Decimal(50_000)


def _spec(base: str, price: str, step: str, tick: str, vol: float = 0.0003, level: int = 50_000) -> AssetSpec:
    return AssetSpec(base, Decimal(price), Decimal(step), Decimal(tick), vol, Decimal(level))


CRYPTO: tuple[AssetSpec, ...] = (
    _spec("BTC", "67000", "0.00001", "0.01", 0.00025, 400_000),
    _spec("ETH", "3400", "0.0001", "0.01", 0.0003, 200_000),
    _spec("SOL", "150", "0.001", "0.01", 0.0004, 100_000),
    _spec("BNB", "580", "0.001", "0.01", 0.0003, 80_000),
    _spec("XRP", "0.52", "0.1", "0.0001", 0.0004),
    _spec("ADA", "0.45", "0.1", "0.0001", 0.0004),
    _spec("DOGE", "0.12", "1", "0.00001", 0.0005),
    _spec("DOT", "7", "0.01", "0.001", 0.0004),
    _spec("AVAX", "35", "0.01", "0.01", 0.0004),
    _spec("LINK", "15", "0.01", "0.001", 0.0004),
    _spec("LTC", "80", "0.001", "0.01", 0.0003),
    _spec("TRX", "0.12", "1", "0.00001", 0.0003),
    _spec("ATOM", "8", "0.01", "0.001", 0.0004),
    _spec("NEAR", "6", "0.1", "0.001", 0.0005),
    _spec("ARB", "1.1", "0.1", "0.0001", 0.0005),
    _spec("OP", "2.5", "0.01", "0.001", 0.0005),
    _spec("TON", "6.5", "0.01", "0.001", 0.0004),
    _spec("PEPE", "0.00001", "1", "0.00000001", 0.0007),
    _spec("SHIB", "0.00002", "1", "0.00000001", 0.0006),
    _spec("MATIC", "0.7", "0.1", "0.0001", 0.0004),
)
MIN_NOTIONAL = Decimal(5)

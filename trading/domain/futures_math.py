"""The arithmetic of linear perpetual futures, as Binance USDⓈ-M computes it. Pure functions on Decimal.

Margin. Initial margin is notional / leverage. Maintenance margin is tiered by notional ("brackets"): a
position of notional N in the bracket with maintenance margin rate r and maintenance amount cum needs
N * r - cum. The rate rises with the notional and cum makes the margin continuous from one bracket to the next,
so the maintenance margin is the largest of the brackets' lines N * r_b - cum_b, which is how the liquidation
price below is found without guessing the bracket. Each bracket also caps the leverage.

Liquidation (one-way mode). Binance liquidates when the margin balance (wallet balance plus unrealised P&L) is
at or below the maintenance margin; its margin ratio is maintenance margin / margin balance, liquidated at 1.
Its published liquidation price, for a position of `size` at entry EP, side +1 long / -1 short:

    LP = (WB - TMM1 + UPNL1 + cumB - side * size * EP) / (size * MMR - side * size)

WB: the wallet balance (cross: the cross wallet; isolated: the position's isolated margin); TMM1, UPNL1: the
maintenance margin and unrealised P&L of the other cross positions (zero when isolated); MMR and cumB from the
bracket of the notional at the liquidation price itself.
https://www.binance.com/en/support/faq/b3c689c1f50a44cabb3a84e663b81d93

Where other venues differ:
- Bybit (USDT perpetual): isolated LP = entry -/+ (IM - MM) / size, with MM taken from the risk-limit tier of the
  notional at entry (not at the liquidation price) less its "MM deduction", and on the unified account an
  estimated fee to close the position added to both margins: 1 BTC long at 20,000 with 50x and a 0.5% rate
  gives 19,700 on Bybit, 19,698.49 by Binance's formula. Cross margin on the unified account is judged on the
  whole account's maintenance margin rate, not per symbol.
  https://www.bybit.com/en/help-center/article/Liquidation-Price-USDT-Contract
- OKX: tiers count the position in contracts, not notional, and have no maintenance amount: the tier's rate
  applies to the whole position value at the mark. Its margin ratio is the inverse of Binance's, adjusted
  equity / (maintenance margin + liquidation fee), and liquidation starts when it falls to 100%.
  https://www.okx.com/help/v-tiered-maintenance-margin-ratio-rules
Funding is the same on all three: size * mark * rate each funding interval, longs paying shorts when the rate is
positive.
"""

from dataclasses import dataclass
from decimal import Decimal
from itertools import pairwise

from trading.domain.errors import InvalidInput
from trading.domain.futures import PositionSide
from trading.domain.market import parse_symbol

ZERO = Decimal(0)


def direction(side: PositionSide) -> int:
    """+1 for a long, -1 for a short: the sign of the P&L of a rise in price."""
    return 1 if side is PositionSide.LONG else -1


def settle_currency(symbol: str) -> str:
    """The currency margin and P&L are in: 'BTC/USDT:USDT' -> 'USDT'. Only linear contracts (settled in the
    quote) are handled; an inverse one ('BTC/USD:BTC') is refused."""
    _, quote = parse_symbol(symbol)
    settle = symbol.partition(":")[2] or quote
    if settle != quote:
        raise InvalidInput(
            f"{symbol} settles in {settle}, not its quote: only linear contracts are supported."
        )
    return settle


@dataclass(frozen=True, slots=True)
class Bracket:
    """A notional tier: positions above `floor` and up to `cap` (in the settle currency)."""

    floor: Decimal
    cap: Decimal
    maintenance_rate: Decimal
    max_leverage: Decimal
    maintenance_amount: Decimal

    def maintenance_margin(self, notional: Decimal) -> Decimal:
        return notional * self.maintenance_rate - self.maintenance_amount


def _follows(low: Bracket, high: Bracket) -> bool:
    """Whether `high` continues `low`: it starts at its cap, with a higher rate, and the same margin there."""
    return (
        high.floor == low.cap
        and high.maintenance_rate > low.maintenance_rate
        and high.maintenance_margin(high.floor) == low.maintenance_margin(low.cap)
    )


@dataclass(frozen=True, slots=True)
class BracketTable:
    """A symbol's brackets, lowest first. The rates must rise, so that the margin is convex in the notional."""

    brackets: tuple[Bracket, ...]

    def __post_init__(self) -> None:
        if not self.brackets or not all(_follows(low, high) for low, high in pairwise(self.brackets)):
            raise InvalidInput(
                "Brackets must be contiguous, with rising maintenance margin rates and continuous margins."
            )

    @classmethod
    def from_tiers(cls, *tiers: tuple[int, str, int]) -> "BracketTable":
        """From (notional cap, maintenance margin rate, max leverage), lowest first. The maintenance amounts
        follow Binance's published rule: cum_n = floor_n * (rate_n - rate_n-1) + cum_n-1."""
        brackets: list[Bracket] = []
        floor, rate, amount = ZERO, ZERO, ZERO
        for cap, tier_rate, leverage in tiers:
            amount += floor * (Decimal(tier_rate) - rate)
            rate = Decimal(tier_rate)
            brackets.append(Bracket(floor, Decimal(cap), rate, Decimal(leverage), amount))
            floor = Decimal(cap)
        return cls(tuple(brackets))

    @property
    def limit(self) -> Decimal:
        """The largest notional the venue lets one position reach."""
        return self.brackets[-1].cap

    def bracket(self, notional: Decimal) -> Bracket:
        """The bracket a notional falls in (above floor, up to cap); past the last cap, the last bracket."""
        return next((b for b in self.brackets if notional <= b.cap), self.brackets[-1])

    def maintenance_margin(self, notional: Decimal) -> Decimal:
        return self.bracket(notional).maintenance_margin(notional)

    def max_leverage(self, notional: Decimal) -> Decimal:
        return self.bracket(notional).max_leverage


# Binance USDⓈ-M brackets, as GET /fapi/v1/leverageBracket returns them (notionalCap, maintMarginRatio,
# initialLeverage), read through ccxt's fetch_leverage_tiers into freqtrade's snapshot
# freqtrade/exchange/binance_leverage_tiers.json (commit 3d9514d, 2024-10-24). Binance changes them from time to
# time; the maintenance amounts derived here equal the snapshot's `cum` for every symbol in it.
# fmt: off
BINANCE_BRACKETS: dict[str, BracketTable] = {
    "BTC/USDT:USDT": BracketTable.from_tiers(
        (50_000, "0.004", 125), (600_000, "0.005", 100), (3_000_000, "0.0065", 75), (12_000_000, "0.01", 50),
        (70_000_000, "0.02", 25), (100_000_000, "0.025", 20), (230_000_000, "0.05", 10),
        (480_000_000, "0.1", 5), (600_000_000, "0.125", 4), (800_000_000, "0.15", 3),
        (1_200_000_000, "0.25", 2), (1_800_000_000, "0.5", 1),
    ),
    "ETH/USDT:USDT": BracketTable.from_tiers(
        (50_000, "0.004", 125), (600_000, "0.005", 100), (3_000_000, "0.0065", 75), (12_000_000, "0.01", 50),
        (50_000_000, "0.02", 25), (65_000_000, "0.025", 20), (150_000_000, "0.05", 10),
        (320_000_000, "0.1", 5), (400_000_000, "0.125", 4), (530_000_000, "0.15", 3),
        (800_000_000, "0.25", 2), (1_200_000_000, "0.5", 1),
    ),
    "SOL/USDT:USDT": BracketTable.from_tiers(
        (20_000, "0.005", 100), (100_000, "0.0065", 75), (800_000, "0.01", 50), (4_000_000, "0.02", 25),
        (8_000_000, "0.025", 20), (40_000_000, "0.05", 10), (80_000_000, "0.1", 5),
        (100_000_000, "0.125", 4), (200_000_000, "0.25", 2), (400_000_000, "0.5", 1),
    ),
    "BNB/USDT:USDT": BracketTable.from_tiers(
        (10_000, "0.005", 75), (50_000, "0.006", 50), (200_000, "0.01", 40), (1_500_000, "0.02", 25),
        (3_000_000, "0.025", 20), (15_000_000, "0.05", 10), (30_000_000, "0.1", 5),
        (37_500_000, "0.125", 4), (75_000_000, "0.25", 2), (150_000_000, "0.5", 1),
    ),
    "XRP/USDT:USDT": BracketTable.from_tiers(
        (10_000, "0.005", 75), (20_000, "0.0065", 50), (160_000, "0.01", 40), (800_000, "0.02", 25),
        (1_600_000, "0.025", 20), (8_000_000, "0.05", 10), (16_000_000, "0.1", 5),
        (20_000_000, "0.125", 4), (40_000_000, "0.25", 2), (80_000_000, "0.5", 1),
    ),
    "DOGE/USDT:USDT": BracketTable.from_tiers(
        (10_000, "0.005", 75), (50_000, "0.007", 50), (750_000, "0.01", 40), (800_000, "0.02", 25),
        (1_600_000, "0.025", 20), (8_000_000, "0.05", 10), (16_000_000, "0.1", 5),
        (20_000_000, "0.125", 4), (40_000_000, "0.25", 2), (80_000_000, "0.5", 1),
    ),
}

# For any other symbol: the table most of Binance's USDT perpetuals share in the same snapshot (50x at most).
DEFAULT_BRACKETS = BracketTable.from_tiers(
    (5_000, "0.015", 50), (20_000, "0.02", 25), (25_000, "0.025", 20), (200_000, "0.05", 10),
    (400_000, "0.1", 5), (500_000, "0.125", 4), (1_000_000, "0.25", 2), (2_000_000, "0.5", 1),
)
# fmt: on


def brackets_for(symbol: str) -> BracketTable:
    return BINANCE_BRACKETS.get(symbol, DEFAULT_BRACKETS)


def initial_margin(notional: Decimal, leverage: Decimal) -> Decimal:
    if leverage < 1:
        raise InvalidInput(f"Leverage must be 1x or more, not {leverage}x.")
    return notional / leverage


def unrealised_pnl(side: PositionSide, size: Decimal, entry_price: Decimal, mark: Decimal) -> Decimal:
    return direction(side) * size * (mark - entry_price)


def funding_payment(side: PositionSide, size: Decimal, mark: Decimal, rate: Decimal) -> Decimal:
    """What the position pays at a funding time (negative: what it receives): longs pay when the rate is
    positive, shorts when it is negative."""
    return direction(side) * size * mark * rate


def margin_ratio(maintenance_margin: Decimal, margin_balance: Decimal) -> Decimal:
    """Binance's margin ratio, maintenance margin / margin balance: at 1 or more the position is liquidated. A
    margin balance of zero or less is past liquidation: infinite."""
    if margin_balance <= 0:
        return Decimal("Infinity")
    return maintenance_margin / margin_balance


@dataclass(frozen=True, slots=True)
class CrossRest:
    """The other positions sharing a cross wallet: their maintenance margin (TMM1) and unrealised P&L (UPNL1) at
    their marks. An isolated position has none."""

    maintenance_margin: Decimal = ZERO
    unrealised_pnl: Decimal = ZERO


ISOLATED = CrossRest()


def liquidation_price(
    side: PositionSide,
    size: Decimal,
    entry_price: Decimal,
    wallet_balance: Decimal,
    table: BracketTable,
    rest: CrossRest = ISOLATED,
) -> Decimal | None:
    """Binance's one-way liquidation price: a long is liquidated at a mark at or below it, a short at or above.

    Each bracket's line gives a candidate; since the maintenance margin is the largest of the lines, a long is
    liquidated below the highest candidate and a short above the lowest, which is the candidate whose notional
    falls in its own bracket (Binance's "recalculate with the other level"). None where no positive mark
    liquidates a long (Binance shows "--"); zero where a short is past liquidation at any mark.
    """
    if size <= 0:
        raise InvalidInput("A liquidation price needs a position of positive size.")
    sign = direction(side)
    balance = wallet_balance - rest.maintenance_margin + rest.unrealised_pnl
    candidates = [
        (balance + b.maintenance_amount - sign * size * entry_price)
        / (size * b.maintenance_rate - sign * size)
        for b in table.brackets
    ]
    if side is PositionSide.LONG:
        highest = max(candidates)
        return highest if highest > 0 else None
    return max(min(candidates), ZERO)


def liquidates(
    side: PositionSide,
    size: Decimal,
    entry_price: Decimal,
    wallet_balance: Decimal,
    mark: Decimal,
    table: BracketTable,
    rest: CrossRest = ISOLATED,
) -> bool:
    """Whether the mark puts the margin balance at or below the maintenance margin (a margin ratio of 1 or more),
    compared directly rather than through the ratio's rounded quotient."""
    margin_balance = wallet_balance + rest.unrealised_pnl + unrealised_pnl(side, size, entry_price, mark)
    return margin_balance <= table.maintenance_margin(size * mark) + rest.maintenance_margin

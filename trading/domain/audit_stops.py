"""A source's stop mode in the audit: the trailing stop, break-even after target N, the moving target and the
trailing take-profit, as the bot applies them live (trading.domain.stop_modes), played candle by candle.

No look-ahead: a candle's own high (a long's; a short's low) moves the extreme and the stop only from the next
candle, because whether it came before or after the candle's low is unknown; the candle is judged against the
stop as it stood at its open. A trailing entry is about entering, not the stop: it is not played."""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from trading.domain.enums import Side
from trading.domain.errors import InvalidInput
from trading.domain.market import Candle
from trading.domain.money import canonical
from trading.domain.stop_modes import NAMES, StopMode, StopModeKind, check_settings, step


@dataclass(frozen=True, slots=True)
class AuditStopMode:
    """The mode each position gets, as a source's setting (`/source N trail 3%`)."""

    kind: StopModeKind
    percent: Decimal | None = None
    after_target: int = 1

    def __post_init__(self) -> None:
        check_settings(self.kind, self.percent, self.after_target)

    @property
    def played(self) -> bool:
        return self.kind is not StopModeKind.TRAILING_ENTRY

    def text(self) -> str:
        name = NAMES[self.kind]
        if self.kind is StopModeKind.BREAK_EVEN:
            name += f" after target {self.after_target}"
        elif self.percent is not None:
            name += f" {canonical(self.percent)}%"
        return name if self.played else f"{name} (not played: it is about entering)"

    def mode_for(self, side: Side, entry: Decimal, targets: Sequence[Decimal]) -> StopMode | None:
        """The mode of a position entered at `entry`; None where it cannot act on it (a moving target for a
        signal without targets), as live, where the position then goes without it."""
        if not self.played:
            return None
        long = side is Side.BUY
        try:
            return StopMode(
                self.kind,
                long,
                entry,
                entry,
                self.percent,
                self.after_target,
                tuple(sorted(targets, reverse=not long)),
            )
        except InvalidInput:
            return None


def after_candle(mode: StopMode, stop: Decimal | None, candle: Candle) -> tuple[StopMode, Decimal | None]:
    """The mode and the stop for the next candle, from this candle's extreme in the position's favour."""
    moved = step(mode, stop, candle.high if mode.long else candle.low)
    return moved.mode, moved.stop if moved.stop is not None else stop

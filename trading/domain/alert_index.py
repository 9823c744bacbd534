"""Active alerts indexed by symbol and threshold: a price tick finds the alerts it reaches by bisection, so
its cost grows with the alerts that fire, not with the alerts that wait."""

from bisect import bisect_left, bisect_right, insort
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from trading.domain.alerts import Alert, AlertCondition


@dataclass(slots=True)
class _Book:
    above: list[tuple[Decimal, int]] = field(default_factory=list)  # fire when price >= threshold
    below: list[tuple[Decimal, int]] = field(default_factory=list)  # fire when price <= threshold


class AlertIndex:
    def __init__(self, alerts: Iterable[Alert] = ()) -> None:
        self._books: dict[str, _Book] = {}
        self._alerts: dict[int, Alert] = {}
        for alert in alerts:
            self.add(alert)

    def __len__(self) -> int:
        return len(self._alerts)

    def symbols(self) -> list[str]:
        return [symbol for symbol, book in self._books.items() if book.above or book.below]

    def add(self, alert: Alert) -> None:
        if alert.id in self._alerts:
            return
        self._alerts[alert.id] = alert
        book = self._books.setdefault(alert.symbol, _Book())
        side = book.above if alert.condition is AlertCondition.ABOVE else book.below
        insort(side, (alert.threshold, alert.id))

    def remove(self, alert_id: int) -> None:
        alert = self._alerts.pop(alert_id, None)
        if alert is None:
            return
        book = self._books[alert.symbol]
        side = book.above if alert.condition is AlertCondition.ABOVE else book.below
        key = (alert.threshold, alert.id)
        index = bisect_left(side, key)
        if index < len(side) and side[index] == key:
            del side[index]

    def take_due(self, symbol: str, price: Decimal) -> list[Alert]:
        """Remove and return the alerts of `symbol` that `price` reaches."""
        book = self._books.get(symbol)
        if book is None:
            return []
        # Every id is an int, so (price, +inf-like) sorts after every (price, id): bisect on the price alone.
        cut = bisect_right(book.above, price, key=lambda entry: entry[0])
        due = book.above[:cut]
        del book.above[:cut]
        start = bisect_left(book.below, price, key=lambda entry: entry[0])
        due += book.below[start:]
        del book.below[start:]
        return [self._alerts.pop(alert_id) for _, alert_id in due]

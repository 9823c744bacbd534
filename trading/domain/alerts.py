"""Price alerts: a symbol, a side of a threshold, fired once."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum


class AlertCondition(StrEnum):
    ABOVE = "above"
    BELOW = "below"


class AlertStatus(StrEnum):
    ACTIVE = "active"
    FIRED = "fired"
    DELETED = "deleted"


@dataclass(frozen=True, slots=True)
class Alert:
    id: int
    user_id: int
    symbol: str
    condition: AlertCondition
    threshold: Decimal
    status: AlertStatus
    created_at: datetime
    fired_at: datetime | None = None

    def reached(self, price: Decimal) -> bool:
        if self.condition is AlertCondition.ABOVE:
            return price >= self.threshold
        return price <= self.threshold

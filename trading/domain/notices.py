"""Notices: messages owed to a user outside a conversation (an alert fired, a target hit), kept until sent."""

from dataclasses import dataclass
from datetime import datetime

from trading.domain.channels import EventKind


@dataclass(frozen=True, slots=True)
class Notice:
    id: int
    user_id: int
    text: str
    created_at: datetime
    sent_at: datetime | None = None
    kind: EventKind = EventKind.ORDERS
    with_chart: bool = False  # the portfolio chart goes with it, where the channel can show one

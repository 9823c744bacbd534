"""What keeps the automations: plans and their runs."""

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from trading.domain.automations import Plan, PlanRun, PlanStatus, RunStatus


class PlanRepository(Protocol):
    """Automations: plans and their runs, one run per (plan, due time)."""

    async def add(self, plan: Plan) -> Plan: ...

    async def get(self, plan_id: int) -> Plan | None: ...

    async def for_user(self, user_id: int, statuses: Sequence[PlanStatus]) -> Sequence[Plan]: ...

    async def due(self, now: datetime, limit: int) -> Sequence[Plan]:
        """Active plans whose next due time has come, soonest first."""
        ...

    async def advance(self, plan: Plan, expected_next: datetime | None) -> bool:
        """Write runs done, next due time and status where the next due time is still `expected_next`."""
        ...

    async def set_status(
        self, plan_id: int, user_id: int, from_statuses: Sequence[PlanStatus], to: PlanStatus
    ) -> bool: ...

    async def set_next_due(self, plan_id: int, next_due_at: datetime | None) -> None: ...

    async def add_run(self, plan_id: int, due_at: datetime, skipped: int, now: datetime) -> PlanRun | None:
        """The run of this due time, or None where one is recorded already (by another worker or attempt)."""
        ...

    async def run(self, plan_id: int, due_at: datetime) -> PlanRun | None: ...

    async def runs(self, plan_id: int) -> Sequence[PlanRun]: ...

    async def set_run_draft(self, run_id: int, draft_id: str) -> bool:
        """Compare-and-set: the run's one draft."""
        ...

    async def claim_run(self, run_id: int, now: datetime, stale_before: datetime) -> bool:
        """Compare-and-set: a pending run's claim for the attempt that works on it, where none holds one
        since `stale_before`."""
        ...

    async def release_run(self, run_id: int) -> None:
        """Give a run's claim back (its attempt failed, and did not die)."""
        ...

    async def finish_run(
        self, run_id: int, status: RunStatus, order_id: int | None, error: str | None
    ) -> bool:
        """Pending -> placed or failed, once."""
        ...

    async def order_of_draft(self, draft_id: str) -> int | None: ...

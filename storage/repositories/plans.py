"""Plans and their runs. A run is inserted with ON CONFLICT DO NOTHING on its (plan, due time): the one insert
that lands is the run; every other worker or retry reaching the same due time finds it taken."""

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, time, timedelta
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import Row, and_, bindparam, insert, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from storage.automation_models import PlanRow, PlanRunRow
from storage.models import OrderRow, table_of
from storage.transaction import Transaction
from trading.domain.automations import Every, Plan, PlanKind, PlanRun, PlanStatus, RunStatus, Schedule
from trading.domain.enums import AmountUnit, Side

_PLANS = table_of(PlanRow)
_RUNS = table_of(PlanRunRow)
_ORDERS = table_of(OrderRow)


def _plan(row: Row[Any]) -> Plan:
    at = None if row.at_minute is None else time(row.at_minute // 60, row.at_minute % 60)
    step = None if row.step_seconds is None else timedelta(seconds=row.step_seconds)
    schedule = Schedule(cast(Every, row.every), row.interval, row.weekday, at, step)
    return Plan(
        row.id,
        row.user_id,
        PlanKind(row.kind),
        Side(row.side),
        row.symbol,
        row.amount,
        AmountUnit(row.unit),
        schedule,
        row.runs,
        row.runs_done,
        row.next_due_at,
        PlanStatus(row.status),
        row.created_at,
        row.account_id,
        row.quote,
        tuple((asset, Decimal(share)) for asset, share in (row.shares or {}).items()),
        row.drift,
    )


def _run(row: Row[Any]) -> PlanRun:
    return PlanRun(
        row.id,
        row.plan_id,
        row.due_at,
        RunStatus(row.status),
        row.skipped,
        row.draft_id,
        row.order_id,
        row.error,
    )


def _values(plan: Plan) -> dict[str, Any]:
    s = plan.schedule
    return {
        "user_id": plan.user_id,
        "account_id": plan.account_id,
        "kind": plan.kind.value,
        "side": plan.side.value,
        "symbol": plan.symbol,
        "quote": plan.quote,
        "amount": plan.amount,
        "unit": plan.unit.value,
        "every": s.every,
        "interval": s.interval,
        "weekday": s.weekday,
        "at_minute": None if s.at is None else s.at.hour * 60 + s.at.minute,
        "step_seconds": None if s.step is None else int(s.step.total_seconds()),
        "runs": plan.runs,
        "runs_done": plan.runs_done,
        "next_due_at": plan.next_due_at,
        "status": plan.status.value,
        "created_at": plan.created_at,
        "shares": {asset: str(share) for asset, share in plan.shares} if plan.shares else None,
        "drift": plan.drift,
    }


class SqlPlanRepository:
    def __init__(self, transaction: Transaction) -> None:
        self._tx = transaction

    async def add(self, plan: Plan) -> Plan:
        plan_id = await self._tx.scalar(insert(_PLANS).returning(_PLANS.c.id), _values(plan))
        return replace(plan, id=int(cast(int, plan_id)))

    async def get(self, plan_id: int) -> Plan | None:
        row = (await self._tx.execute(select(_PLANS).where(_PLANS.c.id == plan_id))).one_or_none()
        return _plan(row) if row else None

    async def for_user(self, user_id: int, statuses: Sequence[PlanStatus]) -> Sequence[Plan]:
        query = (
            select(_PLANS)
            .where(_PLANS.c.user_id == user_id, _PLANS.c.status.in_([s.value for s in statuses]))
            .order_by(_PLANS.c.id)
        )
        return [_plan(row) for row in await self._tx.execute(query)]

    async def due(self, now: datetime, limit: int) -> Sequence[Plan]:
        query = (
            select(_PLANS)
            .where(_PLANS.c.status == PlanStatus.ACTIVE.value, _PLANS.c.next_due_at <= bindparam("now"))
            .order_by(_PLANS.c.next_due_at)
            .limit(limit)
        )
        return [_plan(row) for row in await self._tx.execute(query, {"now": now})]

    async def advance(self, plan: Plan, expected_next: datetime | None) -> bool:
        """Write the plan's progress (runs done, next due time, status) where it is still active and its next
        due time still `expected_next`: False when another run got there first, or the plan was paused."""
        statement = (
            update(_PLANS)
            .where(
                _PLANS.c.id == plan.id,
                _PLANS.c.status == PlanStatus.ACTIVE.value,
                _PLANS.c.next_due_at == expected_next,
            )
            .values(runs_done=plan.runs_done, next_due_at=plan.next_due_at, status=plan.status.value)
        )
        return (await self._tx.execute(statement)).rowcount == 1

    async def set_status(
        self, plan_id: int, user_id: int, from_statuses: Sequence[PlanStatus], to: PlanStatus
    ) -> bool:
        """Compare-and-set of a user's plan's status."""
        statement = (
            update(_PLANS)
            .where(
                _PLANS.c.id == plan_id,
                _PLANS.c.user_id == user_id,
                _PLANS.c.status.in_([s.value for s in from_statuses]),
            )
            .values(status=to.value)
        )
        return (await self._tx.execute(statement)).rowcount == 1

    async def set_next_due(self, plan_id: int, next_due_at: datetime | None) -> None:
        await self._tx.execute(update(_PLANS).where(_PLANS.c.id == plan_id).values(next_due_at=next_due_at))

    async def add_run(self, plan_id: int, due_at: datetime, skipped: int, now: datetime) -> PlanRun | None:
        """The run of this due time, or None where one is recorded already."""
        insert_of = pg_insert if self._tx.dialect == "postgresql" else sqlite_insert
        values = {"plan_id": plan_id, "due_at": due_at, "status": RunStatus.PENDING.value}
        row = (
            await self._tx.execute(
                insert_of(_RUNS)
                .values(**values, skipped=skipped, created_at=now)
                .on_conflict_do_nothing(index_elements=["plan_id", "due_at"])
                .returning(*_RUNS.c)
            )
        ).one_or_none()
        return _run(row) if row else None

    async def run(self, plan_id: int, due_at: datetime) -> PlanRun | None:
        query = select(_RUNS).where(_RUNS.c.plan_id == plan_id, _RUNS.c.due_at == due_at)
        row = (await self._tx.execute(query)).one_or_none()
        return _run(row) if row else None

    async def runs(self, plan_id: int) -> Sequence[PlanRun]:
        query = select(_RUNS).where(_RUNS.c.plan_id == plan_id).order_by(_RUNS.c.due_at)
        return [_run(row) for row in await self._tx.execute(query)]

    async def set_run_draft(self, run_id: int, draft_id: str) -> bool:
        """Compare-and-set: the run's one draft, where it has none yet."""
        statement = (
            update(_RUNS)
            .where(and_(_RUNS.c.id == run_id, _RUNS.c.draft_id.is_(None)))
            .values(draft_id=draft_id)
        )
        return (await self._tx.execute(statement)).rowcount == 1

    async def claim_run(self, run_id: int, now: datetime, stale_before: datetime) -> bool:
        statement = (
            update(_RUNS)
            .where(
                _RUNS.c.id == run_id,
                _RUNS.c.status == RunStatus.PENDING.value,
                or_(_RUNS.c.claimed_at.is_(None), _RUNS.c.claimed_at < stale_before),
            )
            .values(claimed_at=now)
        )
        return (await self._tx.execute(statement)).rowcount == 1

    async def release_run(self, run_id: int) -> None:
        await self._tx.execute(update(_RUNS).where(_RUNS.c.id == run_id).values(claimed_at=None))

    async def finish_run(
        self, run_id: int, status: RunStatus, order_id: int | None, error: str | None
    ) -> bool:
        """Pending -> placed or failed, once: False where the run was finished already."""
        statement = (
            update(_RUNS)
            .where(_RUNS.c.id == run_id, _RUNS.c.status == RunStatus.PENDING.value)
            .values(status=status.value, order_id=order_id, error=error)
        )
        return (await self._tx.execute(statement)).rowcount == 1

    async def order_of_draft(self, draft_id: str) -> int | None:
        """The order a confirmed draft became."""
        query = select(_ORDERS.c.id).where(_ORDERS.c.draft_id == draft_id).order_by(_ORDERS.c.id).limit(1)
        found = await self._tx.scalar(query)
        return None if found is None else int(found)

"""The audit as a job on the real Redis (SAQ), as `tsbot worker` runs it: its progress reported to the queue,
the audit kept, its id the job's result."""

from datetime import timedelta
from decimal import Decimal

from bot.jobs import JobServices, job_functions
from handlers.audit_reader import PipelineReader
from nlp.pipeline import Pipeline
from storage.candles import SqlCandleStore
from storage.saq_jobs import SaqJobQueue
from tests.audit.exports import START, compass_channel
from tests.audit.history import ScriptedHistory
from tests.harness import Harness
from tests.jobs.saq import ended, saq_workers
from trading.domain.audit import AuditRules
from trading.ports.jobs import JobState, JsonValue
from trading.usecases.audits import AUDIT_JOB, Auditor, audit_of


async def test_an_audit_runs_as_a_job_on_redis(queue: SaqJobQueue, harness: Harness) -> None:
    harness.clock.advance((START + timedelta(days=60) - harness.clock.now()).total_seconds())
    user, _ = await harness.user()
    reader = PipelineReader(Pipeline(["ETH/USDT", "SOL/USDT", "AVAX/USDT"], use_classifier=False))
    store = SqlCandleStore(harness.engine)
    auditor = Auditor(harness.core, reader, ScriptedHistory(), store, AuditRules(fee_rate=Decimal(0)))
    services = JobServices(harness.core, queue, auditor=auditor)
    async with saq_workers(queue, lambda q: job_functions(services)):
        kwargs: dict[str, JsonValue] = {"user_id": user, "export": compass_channel().decode()}
        assert await queue.enqueue(AUDIT_JOB, "audit:1", kwargs)
        status = await ended(queue, "audit:1")
        assert status.state is JobState.COMPLETE, status.error
        assert isinstance(status.result, dict)
        record = await audit_of(harness.core, user, int(str(status.result["audit_id"])))
        assert (record.title, record.report.signals) == ("Crypto Compass VIP", 2)

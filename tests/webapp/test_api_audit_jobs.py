"""An audit queued from the API, as the Mini App does it: the export accepted and its job followed to the
report, which lists each signal's outcome; a file that is no export gets its sentence and queues nothing; a job
is its user's alone."""

from collections.abc import AsyncIterator
from dataclasses import replace

import pytest

from tests.audit.exports import compass_channel
from tests.audit.html_exports import compass_zip
from tests.fakes import ManualClock
from tests.harness import Harness
from tests.webapp.conftest import Api
from tests.webapp.test_api_audits import upload
from trading.jobs.local import LocalJobQueue
from trading.ports.jobs import JobRun, JsonValue
from trading.usecases.audits import AUDIT_JOB, audit_job


@pytest.fixture
async def jobs_api(audit_api: Api, clock: ManualClock) -> AsyncIterator[tuple[Api, LocalJobQueue]]:
    auditor = audit_api.web.auditor
    assert auditor is not None

    async def audit_export(run: JobRun, user_id: int, export: str) -> JsonValue:
        return await audit_job(auditor, run, user_id, export)

    jobs = LocalJobQueue(clock, {AUDIT_JOB: audit_export})
    audit_api.client.app.state.web = replace(audit_api.web, jobs=jobs)
    yield audit_api, jobs


async def test_a_queued_audit_is_followed_to_its_report(
    jobs_api: tuple[Api, LocalJobQueue], harness: Harness
) -> None:
    api, jobs = jobs_api
    headers = await api.sign_in(7101)
    queued = await api.json("POST", "/api/v1/audits/jobs", headers, files=upload(compass_channel()))
    assert (queued["title"], queued["posts"]) == ("Crypto Compass VIP", 7)
    waiting = await api.json("GET", f"/api/v1/audits/jobs/{queued['job']}", headers)
    assert (waiting["state"], waiting["audit_id"]) == ("queued", None)
    assert api.in_app(jobs.run_due) == 1
    done = await api.json("GET", f"/api/v1/audits/jobs/{queued['job']}", headers)
    assert done["state"] == "complete" and done["progress"] == 1.0
    report = await api.json("GET", f"/api/v1/audits/{done['audit_id']}", headers)
    assert [(t["post_id"], t["symbol"], t["outcome"]) for t in report["trades"]] == [
        (103, "ETH/USDT", "stopped"),
        (106, "AVAX/USDT", "closed"),
    ]
    assert "the default rules" in report["settings"]
    other = await api.sign_in(7102)
    answer = await api.client.get(f"/api/v1/audits/jobs/{queued['job']}", headers=other)
    assert answer.status_code == 404


async def test_a_file_that_is_no_export_queues_nothing(jobs_api: tuple[Api, LocalJobQueue]) -> None:
    api, jobs = jobs_api
    headers = await api.sign_in(7103)
    answer = await api.client.post("/api/v1/audits/jobs", headers=headers, files=upload(b"%PDF-1.7", "a.pdf"))
    assert answer.status_code == 400 and "not a Telegram channel export" in answer.text
    assert (await jobs.queue_status()).queued == 0


async def test_the_html_export_zipped_is_audited_as_its_json(jobs_api: tuple[Api, LocalJobQueue]) -> None:
    api, jobs = jobs_api
    headers = await api.sign_in(7104)
    files = {"data": ("ChatExport.zip", compass_zip(), "application/zip")}
    queued = await api.json("POST", "/api/v1/audits/jobs", headers, files=files)
    assert (queued["title"], queued["posts"]) == ("Crypto Compass VIP", 7)
    assert api.in_app(jobs.run_due) == 1
    done = await api.json("GET", f"/api/v1/audits/jobs/{queued['job']}", headers)
    from_json = await api.json("POST", "/api/v1/audits", headers, files=upload(compass_channel()))
    from_html = await api.json("GET", f"/api/v1/audits/{done['audit_id']}", headers)
    assert from_html["trades"] == from_json["trades"] and from_html["unread"] == from_json["unread"]

"""Audits of channels: upload a Telegram Desktop export (result.json) to audit it, in the request or as a job
whose progress is followed (the Mini App's way); list and read the reports."""

import uuid
from dataclasses import dataclass
from typing import Annotated

from litestar import Controller, Request, get, post
from litestar.datastructures import State, UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body, Parameter
from litestar.status_codes import HTTP_202_ACCEPTED

from trading.domain.audit_export import MAX_EXPORT_BYTES
from trading.domain.errors import InvalidInput, NotFound
from trading.usecases.audits import audit_job_key, audit_of, audits_of, leaderboard, queue_audit
from webapp.audit_schemas import (
    AuditJobOut,
    AuditJobStatusOut,
    AuditOut,
    AuditSummaryOut,
    audit_out,
    summary_out,
)
from webapp.auth import Principal
from webapp.context import WebContext
from webapp.schemas import RowId

JobName = Annotated[str, Parameter(pattern="^[0-9a-f]{32}$")]
NOT_SET_UP = "Audits are not set up on this server."


@dataclass
class ExportUpload:
    """The multipart form: `data`, the export file."""

    data: UploadFile


Upload = Annotated[ExportUpload, Body(media_type=RequestEncodingType.MULTI_PART)]
# The export and the multipart framing around it.
MAX_BODY = MAX_EXPORT_BYTES + 64 * 1024


class AuditsController(Controller):
    path = "/audits"
    tags = ("audits",)

    @post(
        summary="Audit a channel: its Telegram Desktop export (result.json) as the multipart field `data`",
        request_max_body_size=MAX_BODY,
    )
    async def upload(
        self, state: State, request: Request[Principal, object, State], data: Upload
    ) -> AuditOut:
        web: WebContext = state.web
        if web.auditor is None:
            raise InvalidInput(NOT_SET_UP)
        outcome = await web.auditor.audit(request.user.user_id, await data.data.read())
        return audit_out(outcome.record, outcome.hit_rate)

    @post(
        "/jobs",
        summary="Audit a channel as a job: the export as the multipart field `data`; follow /audits/jobs/{job}",
        request_max_body_size=MAX_BODY,
        status_code=HTTP_202_ACCEPTED,
    )
    async def queue(
        self, state: State, request: Request[Principal, object, State], data: Upload
    ) -> AuditJobOut:
        web: WebContext = state.web
        if web.jobs is None or web.auditor is None:
            raise InvalidInput(NOT_SET_UP)
        name = uuid.uuid4().hex
        queued = await queue_audit(web.jobs, request.user.user_id, await data.data.read(), name)
        return AuditJobOut(name, queued.export.title, len(queued.export.posts))

    @get("/jobs/{job:str}", summary="An audit job's state and progress; its audit's id once complete")
    async def job(
        self, state: State, request: Request[Principal, object, State], job: JobName
    ) -> AuditJobStatusOut:
        web: WebContext = state.web
        status = None if web.jobs is None else await web.jobs.status(audit_job_key(request.user.user_id, job))
        if status is None:
            raise NotFound("There is no such audit under way: upload the export again.")
        result = status.result if isinstance(status.result, dict) else {}
        audit_id = result.get("audit_id")
        return AuditJobStatusOut(
            job,
            status.state.value,
            status.progress,
            audit_id if isinstance(audit_id, int) else None,
            status.error,
        )

    @get(summary="The user's audits, best return first (a leaderboard of the channels audited)")
    async def list_audits(
        self, state: State, request: Request[Principal, object, State]
    ) -> list[AuditSummaryOut]:
        web: WebContext = state.web
        return [summary_out(r) for r in leaderboard(await audits_of(web.core, request.user.user_id))]

    @get("/{audit_id:int}", summary="One audit's report")
    async def read(
        self, state: State, request: Request[Principal, object, State], audit_id: RowId
    ) -> AuditOut:
        web: WebContext = state.web
        return audit_out(await audit_of(web.core, request.user.user_id, audit_id))

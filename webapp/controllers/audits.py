"""Audits of channels: upload a Telegram Desktop export (result.json) to audit it; list and read the reports."""

from dataclasses import dataclass
from typing import Annotated

from litestar import Controller, Request, get, post
from litestar.datastructures import State, UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body, Parameter

from trading.domain.audit_export import MAX_EXPORT_BYTES
from trading.domain.errors import InvalidInput
from trading.usecases.audits import audit_of, audits_of, leaderboard
from webapp.audit_schemas import AuditOut, AuditSummaryOut, audit_out, summary_out
from webapp.auth import Principal
from webapp.context import WebContext

AuditId = Annotated[int, Parameter(ge=1, le=2**31 - 1)]


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
            raise InvalidInput("Audits are not set up on this server.")
        outcome = await web.auditor.audit(request.user.user_id, await data.data.read())
        return audit_out(outcome.record, outcome.hit_rate)

    @get(summary="The user's audits, best return first (a leaderboard of the channels audited)")
    async def list_audits(
        self, state: State, request: Request[Principal, object, State]
    ) -> list[AuditSummaryOut]:
        web: WebContext = state.web
        return [summary_out(r) for r in leaderboard(await audits_of(web.core, request.user.user_id))]

    @get("/{audit_id:int}", summary="One audit's report")
    async def read(
        self, state: State, request: Request[Principal, object, State], audit_id: AuditId
    ) -> AuditOut:
        web: WebContext = state.web
        return audit_out(await audit_of(web.core, request.user.user_id, audit_id))

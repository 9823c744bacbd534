"""A signal source's stop mode over the API: the stop mode (trailing, break-even after a target, moving target,
trailing take-profit) each position its signals open from now on gets; on the same use cases as the chat's
"/source 2 trail 3%"."""

from decimal import Decimal
from typing import Annotated, Literal, cast

import msgspec
from litestar import Controller, Request, get, put
from litestar.datastructures import State
from litestar.params import JSONBody

from trading.domain.signal_records import SignalSource
from trading.domain.stop_modes import StopModeKind
from trading.usecases.signals import signal_source
from trading.usecases.source_stop_modes import set_source_stop_mode
from webapp.auth import Principal, can_trade
from webapp.context import WebContext
from webapp.schemas import RowId

AuthRequest = Request[Principal, object, State]
Kind = Literal["trailing", "break_even", "moving_target", "trailing_take_profit"]


class SourceStopModeSettings(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """`percent`: the trailing distance (trailing, trailing_take_profit), above 0 and at most 50; `after_target`:
    the target after which break_even moves the stop to the entry (1 or 2)."""

    percent: Decimal | None = None
    after_target: Annotated[int, msgspec.Meta(ge=1, le=2)] = 1

    def __post_init__(self) -> None:
        if self.percent is not None and not self.percent.is_finite():
            raise ValueError("the percent must be finite")


class SourceStopModeBody(SourceStopModeSettings, kw_only=True):
    """A source's stop mode. `kind` null: none (each position keeps the signal's stop)."""

    kind: Kind | None = None


class SourceStopModeIn(SourceStopModeSettings, kw_only=True):
    """The stop mode to set; `kind` null: none. "trailing_entry" is taken only to be refused with why (400): a
    source's trailing entry is one of its entry rules (PUT /signals/sources/{id}/entry-rules,
    `trailing_entry_percent`), not a stop mode."""

    kind: Kind | Literal["trailing_entry"] | None = None


class SourceStopModeOut(msgspec.Struct):
    source_id: int
    title: str
    mode: SourceStopModeBody


def _out(source: SignalSource) -> SourceStopModeOut:
    kind = cast(Kind, source.stop_mode.value) if source.stop_mode is not None else None
    mode = SourceStopModeBody(
        kind=kind, percent=source.stop_mode_percent, after_target=source.stop_mode_after_target
    )
    return SourceStopModeOut(source.id, source.title, mode)


class SourceStopModesController(Controller):
    path = "/signals/sources"
    tags = ("signals",)

    @get("/{source_id:int}/stop-mode", summary="A signal source's stop mode")
    async def mode(self, state: State, request: AuthRequest, source_id: RowId) -> SourceStopModeOut:
        web: WebContext = state.web
        return _out(await signal_source(web.core, request.user.user_id, source_id))

    @put(
        "/{source_id:int}/stop-mode",
        guards=[can_trade],
        summary="Set a signal source's stop mode",
        description=(
            "For the positions its signals open from now on (those open already keep theirs). 400 for a "
            "percent missing or out of range or a trailing entry, 404 for a source that is not yours."
        ),
    )
    async def set_mode(
        self, state: State, request: AuthRequest, source_id: RowId, data: JSONBody[SourceStopModeIn]
    ) -> SourceStopModeOut:
        web: WebContext = state.web
        kind = StopModeKind(data.kind) if data.kind is not None else None
        saved = await set_source_stop_mode(
            web.core, request.user.user_id, source_id, kind, data.percent, data.after_target
        )
        return _out(saved)

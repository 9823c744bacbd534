"""The protections of automatic following over the API: their state (the pauses in force, who put each there,
why, until when), pausing and resuming it, and the user's own protections (only ever stricter than the
operator's); on the same use cases as the chat."""

from datetime import datetime
from decimal import Decimal
from typing import Annotated

import msgspec
from litestar import Controller, Request, delete, get, post, put
from litestar.datastructures import State
from litestar.params import JSONBody
from litestar.status_codes import HTTP_200_OK

from trading.domain.protections import FollowPause, ProtectionLimits, ProtectionOverrides
from trading.usecases.core import Core
from trading.usecases.follow_pauses import (
    FollowingState,
    following_state,
    pause_following,
    pause_text,
    resume_following,
)
from trading.usecases.protection_settings import (
    ProtectionSettings,
    protection_settings,
    set_protection_settings,
)
from webapp.auth import Principal, can_trade
from webapp.context import WebContext

AuthRequest = Request[Principal, object, State]
Hours = Annotated[int, msgspec.Meta(ge=1, le=8_760)]
Count = Annotated[int, msgspec.Meta(ge=1, le=1_000)]
Drawdown = Annotated[Decimal, msgspec.Meta(description="A fraction above 0 and below 1 (0.2 is 20%).")]


class ProtectionLimitsOut(msgspec.Struct):
    """`max_drawdown`: the fall from the equity's peak within `drawdown_hours` that pauses automatic following;
    `stoploss_guard` stops hit within `stoploss_guard_hours` cool it down for `cooldown_hours`;
    `losing_streak` signals of a source lost in a row pause that source. 0: off."""

    max_drawdown: Decimal
    drawdown_hours: int
    stoploss_guard: int
    stoploss_guard_hours: int
    cooldown_hours: int
    losing_streak: int


class ProtectionOverridesOut(msgspec.Struct):
    max_drawdown: Decimal | None
    drawdown_hours: int | None
    stoploss_guard: int | None
    stoploss_guard_hours: int | None
    cooldown_hours: int | None
    losing_streak: int | None


class ProtectionsIn(msgspec.Struct, forbid_unknown_fields=True):
    """Your own protections; a missing or null one keeps the operator's. Each may only act sooner (a smaller
    drawdown, fewer stops, a shorter streak) or hold longer (longer windows and cooldown)."""

    max_drawdown: Drawdown | None = None
    drawdown_hours: Hours | None = None
    stoploss_guard: Count | None = None
    stoploss_guard_hours: Hours | None = None
    cooldown_hours: Hours | None = None
    losing_streak: Count | None = None

    def __post_init__(self) -> None:
        share = self.max_drawdown
        if share is not None and not (share.is_finite() and 0 < share < 1):
            raise ValueError("`max_drawdown` must be above 0 and below 1 (0.2 is 20%)")


class PauseOut(msgspec.Struct):
    """A pause in force: `kind` says who put it there (manual: you; drawdown, stoploss_guard, losing_streak:
    a protection); `source_id` null covers every source; `until` null lasts until you resume."""

    kind: str
    reason: str
    text: str
    source_id: int | None
    source_title: str | None
    started_at: datetime
    until: datetime | None


class ProtectionsOut(msgspec.Struct):
    """`paused`: automatic following of every source is paused; `pauses`: each in force; `limits`: the
    protections in force (the stricter of the operator's and your own), `operator`'s, and your `overrides`."""

    paused: bool
    pauses: list[PauseOut]
    limits: ProtectionLimitsOut
    operator: ProtectionLimitsOut
    overrides: ProtectionOverridesOut


def _limits_out(limits: ProtectionLimits) -> ProtectionLimitsOut:
    return ProtectionLimitsOut(
        limits.max_drawdown,
        limits.drawdown_hours,
        limits.stoploss_guard,
        limits.stoploss_guard_hours,
        limits.cooldown_hours,
        limits.losing_streak,
    )


def _pause_out(pause: FollowPause, state: FollowingState) -> PauseOut:
    title = None if pause.source_id is None else state.titles.get(pause.source_id)
    return PauseOut(
        pause.kind.value,
        pause.reason,
        pause_text(pause, title),
        pause.source_id,
        title,
        pause.started_at,
        pause.until,
    )


def protections_out(settings: ProtectionSettings, state: FollowingState) -> ProtectionsOut:
    own = settings.overrides
    return ProtectionsOut(
        state.paused,
        [_pause_out(pause, state) for pause in state.pauses],
        _limits_out(settings.limits),
        _limits_out(settings.operator),
        ProtectionOverridesOut(
            own.max_drawdown,
            own.drawdown_hours,
            own.stoploss_guard,
            own.stoploss_guard_hours,
            own.cooldown_hours,
            own.losing_streak,
        ),
    )


async def _out(core: Core, user_id: int) -> ProtectionsOut:
    return protections_out(await protection_settings(core, user_id), await following_state(core, user_id))


class ProtectionsController(Controller):
    path = "/protections"
    tags = ("protections",)

    @get(summary="The protections of automatic following, and the pauses in force on it")
    async def state(self, state: State, request: AuthRequest) -> ProtectionsOut:
        web: WebContext = state.web
        return await _out(web.core, request.user.user_id)

    @post(
        "/pause",
        guards=[can_trade],
        status_code=HTTP_200_OK,
        summary="Pause automatic following of every source",
        description="Until resumed: signals of the sources you follow automatically are then planned for you "
        "to follow or not, never followed on their own.",
    )
    async def pause(self, state: State, request: AuthRequest) -> ProtectionsOut:
        web: WebContext = state.web
        await pause_following(web.core, request.user.user_id)
        return await _out(web.core, request.user.user_id)

    @post(
        "/resume",
        guards=[can_trade],
        status_code=HTTP_200_OK,
        summary="Resume automatic following: every pause lifted, yours or a protection's",
    )
    async def resume(self, state: State, request: AuthRequest) -> ProtectionsOut:
        web: WebContext = state.web
        await resume_following(web.core, request.user.user_id)
        return await _out(web.core, request.user.user_id)

    @put(
        "/settings",
        guards=[can_trade],
        summary="Set your own protections",
        description="Replaces your own protections with the ones given; a missing or null one keeps the "
        "operator's. One laxer than the operator's is refused with 400, and nothing is changed.",
    )
    async def update(
        self, state: State, request: AuthRequest, data: JSONBody[ProtectionsIn]
    ) -> ProtectionsOut:
        web: WebContext = state.web
        own = ProtectionOverrides(
            data.max_drawdown,
            data.drawdown_hours,
            data.stoploss_guard,
            data.stoploss_guard_hours,
            data.cooldown_hours,
            data.losing_streak,
        )
        await set_protection_settings(web.core, request.user.user_id, own)
        return await _out(web.core, request.user.user_id)

    @delete(
        "/settings",
        guards=[can_trade],
        status_code=HTTP_200_OK,
        summary="Return every protection to the operator's",
    )
    async def reset(self, state: State, request: AuthRequest) -> ProtectionsOut:
        web: WebContext = state.web
        await set_protection_settings(web.core, request.user.user_id, ProtectionOverrides())
        return await _out(web.core, request.user.user_id)

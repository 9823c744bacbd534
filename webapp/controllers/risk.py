"""The signed-in user's risk limits: the operator's, the user's own (only ever tighter), and the effect."""

from litestar import Controller, Request, delete, get, put
from litestar.datastructures import State
from litestar.params import JSONBody
from litestar.status_codes import HTTP_200_OK

from trading.domain.risk import RiskLimits, RiskOverrides
from trading.usecases.risk_settings import (
    RiskSettings,
    check_code_to_loosen,
    reset_risk_settings,
    risk_settings,
    set_risk_settings,
)
from webapp.auth import Principal, can_trade
from webapp.context import WebContext
from webapp.controllers.second_factor import CODE_REFUSALS, SecondFactorCode
from webapp.schemas import RiskIn, RiskLimitsOut, RiskOut, RiskOverridesOut

AuthRequest = Request[Principal, object, State]


def _limits_out(limits: RiskLimits) -> RiskLimitsOut:
    return RiskLimitsOut(
        limits.max_order_value,
        limits.max_position_share,
        limits.max_open_positions,
        limits.daily_loss_limit,
        limits.require_stop_for_leverage,
        limits.max_leverage,
        limits.max_margin_share,
    )


def risk_out(settings: RiskSettings, web: WebContext) -> RiskOut:
    limits, own = settings.limits, settings.overrides
    return RiskOut(
        limits.max_order_value,
        limits.max_position_share,
        limits.max_open_positions,
        limits.daily_loss_limit,
        limits.require_stop_for_leverage,
        int(web.core.config.draft_ttl.total_seconds()),
        _limits_out(settings.operator),
        RiskOverridesOut(
            own.max_order_value,
            own.max_position_share,
            own.max_open_positions,
            own.daily_loss_limit,
            own.require_stop_for_leverage,
            own.max_leverage,
            own.max_margin_share,
        ),
        limits.max_leverage,
        limits.max_margin_share,
    )


class RiskController(Controller):
    path = "/risk"
    tags = ("risk",)

    @get(summary="Your risk limits: the ones previews are checked against, the operator's and your own")
    async def limits(self, state: State, request: AuthRequest) -> RiskOut:
        web: WebContext = state.web
        return risk_out(await risk_settings(web.core, request.user.user_id), web)

    @put(
        guards=[can_trade],
        responses=CODE_REFUSALS,
        summary="Set your own risk limits",
        description=(
            "Replaces your own limits with the ones given; a missing or null limit keeps the operator's. "
            "Each may only be tighter than the operator's (a limit above it is refused with 400, and "
            "nothing is changed). Raising a limit in force takes a second factor's code in X-TOTP, where "
            "it is on."
        ),
    )
    async def update(
        self, state: State, request: AuthRequest, data: JSONBody[RiskIn], totp: SecondFactorCode = None
    ) -> RiskOut:
        web: WebContext = state.web
        overrides = RiskOverrides(
            data.max_order_value,
            data.max_position_share,
            data.max_open_positions,
            data.daily_loss_limit,
            data.require_stop_for_leverage,
            data.max_leverage,
            data.max_margin_share,
        )
        await check_code_to_loosen(web.core, request.user.user_id, overrides, totp)
        return risk_out(await set_risk_settings(web.core, request.user.user_id, overrides), web)

    @delete(
        guards=[can_trade],
        status_code=HTTP_200_OK,
        responses=CODE_REFUSALS,
        summary="Return every limit to the operator's (a second factor's code in X-TOTP, where it is on)",
    )
    async def reset(self, state: State, request: AuthRequest, totp: SecondFactorCode = None) -> RiskOut:
        web: WebContext = state.web
        await check_code_to_loosen(web.core, request.user.user_id, RiskOverrides(), totp)
        return risk_out(await reset_risk_settings(web.core, request.user.user_id), web)

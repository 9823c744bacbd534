"""The signed-in user's second factor: enrol (a secret shown once), confirm with a first code (recovery codes
shown once), read its state, turn it off with a code. Risky routes take their code in the X-TOTP header."""

from typing import Annotated

import msgspec
from litestar import Controller, Request, delete, get, post
from litestar.datastructures import State
from litestar.params import HeaderParameter, JSONBody
from litestar.status_codes import HTTP_200_OK

from trading.usecases.second_factor import (
    CODE_HEADER,
    confirm_enrolment,
    second_factor_state,
    start_enrolment,
    turn_off,
)
from webapp.auth import Principal, can_trade
from webapp.context import WebContext
from webapp.errors import error_responses

AuthRequest = Request[Principal, object, State]
SecondFactorCode = Annotated[
    str | None,
    HeaderParameter(
        name=CODE_HEADER,
        required=False,
        max_length=40,
        description="With your second factor on: a fresh code from your authenticator app, or a recovery code "
        "(each once). 403 when it is needed and missing, wrong or used; 429 after five wrong codes in a row.",
    ),
]
CODE_REFUSALS = error_responses(403, 429)


class SecondFactorOut(msgspec.Struct):
    """`enabled`: risky actions need a code in X-TOTP; `waiting`: enrolled, its first code not yet given."""

    enabled: bool
    waiting: bool
    recovery_codes_left: int


class EnrolmentOut(msgspec.Struct):
    """Shown once: the secret to type into an authenticator app, or the otpauth:// URI that holds it."""

    secret: str
    uri: str


class CodeIn(msgspec.Struct, forbid_unknown_fields=True):
    code: Annotated[str, msgspec.Meta(min_length=1, max_length=40)]


class RecoveryCodesOut(msgspec.Struct):
    """Shown once: each stands in for a code once, when the authenticator app is lost."""

    recovery_codes: list[str]


class SecondFactorController(Controller):
    path = "/second-factor"
    tags = ("second factor",)

    @get(summary="Whether your second factor is on, and how many recovery codes are left")
    async def state(self, state: State, request: AuthRequest) -> SecondFactorOut:
        web: WebContext = state.web
        found = await second_factor_state(web.core, request.user.user_id)
        return SecondFactorOut(found.enabled, found.waiting, found.recovery_codes_left)

    @post(
        "/enrol",
        guards=[can_trade],
        summary="Start enrolling: a TOTP secret and its otpauth:// URI, shown this once",
        description="Nothing is asked of you until a first code confirms it (POST /second-factor/confirm).",
    )
    async def enrol(self, state: State, request: AuthRequest) -> EnrolmentOut:
        web: WebContext = state.web
        user_id = request.user.user_id
        enrolment = await start_enrolment(web.core, user_id, f"user {user_id}")
        return EnrolmentOut(enrolment.secret, enrolment.uri)

    @post(
        "/confirm",
        guards=[can_trade],
        status_code=HTTP_200_OK,
        responses=CODE_REFUSALS,
        summary="Turn the second factor on with its first code; the recovery codes, shown this once",
    )
    async def confirm(self, state: State, request: AuthRequest, data: JSONBody[CodeIn]) -> RecoveryCodesOut:
        web: WebContext = state.web
        return RecoveryCodesOut(await confirm_enrolment(web.core, request.user.user_id, data.code))

    @delete(
        guards=[can_trade], responses=CODE_REFUSALS, summary="Turn the second factor off (a code in X-TOTP)"
    )
    async def turn_off(self, state: State, request: AuthRequest, totp: SecondFactorCode = None) -> None:
        web: WebContext = state.web
        await turn_off(web.core, request.user.user_id, totp)

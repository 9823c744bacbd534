"""Signing in: Mini App init data, Telegram's Login Widget (the dashboard in any browser), a one-time log-in
link from the bot, or a refresh token, each exchanged for a short-lived access token and a single-use refresh
token."""

from datetime import timedelta
from typing import Annotated

import msgspec
from litestar import Controller, get, post
from litestar.datastructures import State
from litestar.exceptions import NotAuthorizedException
from litestar.params import JSONBody

from trading.domain.access import GrantKind
from trading.usecases.access import issue_grant, redeem_grant
from trading.usecases.accounts import register_user
from webapp.auth import issue_access_token, verify_init_data, verify_login_widget
from webapp.context import WebContext
from webapp.schemas import InitDataLogin, LinkLogin, RefreshRequest, Tokens

Text = Annotated[str, msgspec.Meta(max_length=256)]
LARGEST_BIGINT = 2**63 - 1  # the database's BIGINT (a Telegram id has at most 52 bits); a Unix time too


class LoginWidgetIn(msgspec.Struct):
    """The fields Telegram's Login Widget hands the page, as it gives them (https://core.telegram.org/widgets/login)."""

    id: Annotated[int, msgspec.Meta(ge=1, le=LARGEST_BIGINT)]
    auth_date: Annotated[int, msgspec.Meta(ge=0, le=LARGEST_BIGINT)]
    hash: Annotated[str, msgspec.Meta(pattern="^[0-9a-fA-F]{64}$")]
    first_name: Text | None = None
    last_name: Text | None = None
    username: Text | None = None
    photo_url: Annotated[str, msgspec.Meta(max_length=1024)] | None = None


class LoginWidgetOptions(msgspec.Struct):
    """`bot_username`: the bot the Login Widget signs in with (none: no widget); `sandbox`: the local stand-in
    for Telegram signs widget data at POST /sandbox/api/chats/{user_id}/login-widget instead."""

    bot_username: str | None
    sandbox: bool


async def _telegram_user_tokens(
    web: WebContext, telegram_id: int, first: str | None, last: str | None, username: str | None
) -> Tokens:
    name = " ".join(part for part in (first, last) if part) or username or str(telegram_id)
    user, _ = await register_user(web.core, name[:200], telegram_id)
    return await _tokens(web, user.id)


async def _tokens(web: WebContext, user_id: int) -> Tokens:
    refresh = await issue_grant(
        web.core, user_id, GrantKind.REFRESH, timedelta(seconds=web.config.refresh_token_ttl)
    )
    return Tokens(issue_access_token(web.config, user_id), refresh, web.config.access_token_ttl)


class AuthController(Controller):
    path = "/auth"
    tags = ("auth",)

    @post("/telegram", summary="Sign in with Telegram Mini App init data")
    async def telegram(self, state: State, data: JSONBody[InitDataLogin]) -> Tokens:
        web: WebContext = state.web
        parsed = verify_init_data(web.config, data.init_data)
        tg = parsed.user
        assert tg is not None  # verify_init_data refuses init data without a user
        return await _telegram_user_tokens(web, tg.id, tg.first_name, tg.last_name, tg.username)

    @post(
        "/telegram-login",
        summary="Sign in with the fields of Telegram's Login Widget (the dashboard outside Telegram)",
        description="The widget's hash is checked with the bot token as Telegram specifies, and `auth_date` must "
        "be younger than LOGIN_WIDGET_MAX_AGE_SECONDS; 401 with one sentence otherwise.",
    )
    async def telegram_login(self, state: State, data: JSONBody[LoginWidgetIn]) -> Tokens:
        web: WebContext = state.web
        fields = {k: v for k, v in msgspec.structs.asdict(data).items() if k != "hash" and v is not None}
        verify_login_widget(web.config, fields, data.hash)
        return await _telegram_user_tokens(web, data.id, data.first_name, data.last_name, data.username)

    @get(
        "/telegram-login", summary="How the Login Widget is offered here: its bot, or the sandbox's stand-in"
    )
    async def telegram_login_options(self, state: State) -> LoginWidgetOptions:
        web: WebContext = state.web
        return LoginWidgetOptions(web.config.login_widget_bot, web.config.sandbox)

    @post("/link", summary="Sign in with the code of a one-time log-in link from the bot's /dashboard")
    async def link(self, state: State, data: JSONBody[LinkLogin]) -> Tokens:
        web: WebContext = state.web
        user_id = await redeem_grant(web.core, GrantKind.LOGIN_LINK, data.code)
        if user_id is None:
            raise NotAuthorizedException(
                "This log-in link is unknown, used or expired; ask the bot for a new one."
            )
        return await _tokens(web, user_id)

    @post("/refresh", summary="Exchange a refresh token (once) for new tokens")
    async def refresh(self, state: State, data: JSONBody[RefreshRequest]) -> Tokens:
        web: WebContext = state.web
        user_id = await redeem_grant(web.core, GrantKind.REFRESH, data.refresh_token)
        if user_id is None:
            raise NotAuthorizedException("This refresh token is unknown, used or expired; sign in again.")
        return await _tokens(web, user_id)

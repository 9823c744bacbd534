"""Signing in: Mini App init data, a one-time log-in link from the bot, or a refresh token, each exchanged
for a short-lived access token and a single-use refresh token."""

from datetime import timedelta

from litestar import Controller, post
from litestar.datastructures import State
from litestar.exceptions import NotAuthorizedException
from litestar.params import JSONBody

from trading.domain.access import GrantKind
from trading.usecases.access import issue_grant, redeem_grant
from trading.usecases.accounts import register_user
from webapp.auth import issue_access_token, verify_init_data
from webapp.context import WebContext
from webapp.schemas import InitDataLogin, LinkLogin, RefreshRequest, Tokens


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
        name = " ".join(part for part in (tg.first_name, tg.last_name) if part) or tg.username or str(tg.id)
        user, _ = await register_user(web.core, name[:200], tg.id)
        return await _tokens(web, user.id)

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

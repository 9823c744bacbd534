"""Who is calling: a short-lived access token (a JWT signed with a key derived from SECRET_KEY) or a personal
API token (looked up by its hash). Litestar's authentication middleware puts the Principal on the request;
the `can_trade` guard keeps read-only tokens away from what changes things."""

import hmac
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import sentry_sdk
from aiogram.utils.web_app import WebAppInitData, safe_parse_webapp_init_data
from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult
from litestar.security.jwt import Token

from trading.domain.access import TokenScope
from trading.metrics import active_users
from trading.usecases.access import API_TOKEN_PREFIX, authenticate_api_token, user_exists
from webapp.context import WebConfig, WebContext
from webapp.init_data import login_widget_hash

ALGORITHM = "HS256"
AUDIENCE = "tsbot-api"


@dataclass(frozen=True, slots=True)
class Principal:
    user_id: int
    scope: TokenScope
    via: str  # "session" (Mini App, log-in link) or "api_token"


def issue_access_token(config: WebConfig, user_id: int, scope: TokenScope = TokenScope.TRADE) -> str:
    token = Token(
        exp=datetime.now(UTC) + timedelta(seconds=config.access_token_ttl),
        sub=str(user_id),
        aud=AUDIENCE,
        extras={"scope": scope.value},
    )
    return token.encode(config.signing_key, ALGORITHM)


def verify_init_data(config: WebConfig, init_data: str, now: float | None = None) -> WebAppInitData:
    """Telegram's HMAC over the init data with the bot token, then its age. Raises NotAuthorizedException."""
    try:
        parsed = safe_parse_webapp_init_data(config.bot_token, init_data)
    except ValueError:
        raise NotAuthorizedException("The Mini App init data is not signed by this bot.") from None
    age = (now if now is not None else time.time()) - parsed.auth_date.timestamp()
    if age > config.init_data_max_age:
        raise NotAuthorizedException("The Mini App init data is too old; reopen the Mini App.")
    if parsed.user is None:
        raise NotAuthorizedException("The Mini App init data names no user.")
    return parsed


def verify_login_widget(
    config: WebConfig, fields: Mapping[str, object], given_hash: str, now: float | None = None
) -> None:
    """The Login Widget's fields (all but `hash`, `auth_date` among them) signed by this bot, and recent. Raises
    NotAuthorizedException."""
    if not hmac.compare_digest(login_widget_hash(config.bot_token, fields), given_hash.lower()):
        raise NotAuthorizedException("The Telegram log-in data is not signed by this bot.")
    auth_date = fields.get("auth_date")
    if not isinstance(auth_date, int):
        raise NotAuthorizedException("The Telegram log-in data has no auth_date.")
    age = (now if now is not None else time.time()) - auth_date
    if age > config.login_widget_max_age:
        raise NotAuthorizedException("The Telegram log-in data is too old; sign in with Telegram again.")


def _bearer(connection: ASGIConnection[Any, Any, Any, Any]) -> str:
    header = connection.headers.get("authorization", "")
    scheme, _, credentials = header.partition(" ")
    if scheme.lower() != "bearer" or not credentials.strip():
        raise NotAuthorizedException("Sign in first: send 'Authorization: Bearer <token>'.")
    return credentials.strip()


class BearerAuthMiddleware(AbstractAuthenticationMiddleware):
    async def authenticate_request(
        self, connection: ASGIConnection[Any, Any, Any, Any]
    ) -> AuthenticationResult:
        result = await self._authenticated(connection)
        sentry_sdk.set_user({"id": str(result.user.user_id)})  # the id only, on this request's error reports
        active_users().seen(result.user.user_id)
        return result

    async def _authenticated(self, connection: ASGIConnection[Any, Any, Any, Any]) -> AuthenticationResult:
        web: WebContext = connection.app.state.web
        credentials = _bearer(connection)
        if credentials.startswith(API_TOKEN_PREFIX):
            api_token = await authenticate_api_token(web.core, credentials)
            if api_token is None:
                raise NotAuthorizedException("This API token is unknown or revoked.")
            return AuthenticationResult(Principal(api_token.user_id, api_token.scope, "api_token"), api_token)
        now = time.time()
        verified = web.verified_tokens.get(credentials, now)
        if verified is not None:
            return verified
        try:
            token = Token.decode(credentials, web.config.signing_key, ALGORITHM, audience=AUDIENCE)
            principal = Principal(int(token.sub), TokenScope(token.extras.get("scope", "read")), "session")
        except (NotAuthorizedException, ValueError):
            raise NotAuthorizedException(
                "The access token is invalid or has expired; sign in again."
            ) from None
        if not await user_exists(web.core, principal.user_id):
            raise NotAuthorizedException("This access token's user does not exist; sign in again.")
        result = AuthenticationResult(principal, token)
        web.verified_tokens.put(credentials, result, token.exp.timestamp())
        return result


def can_trade(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    principal: Principal = connection.user
    if principal.scope is not TokenScope.TRADE:
        raise PermissionDeniedException("This token may only read; use a token with the 'trade' scope.")

"""Web access: personal API tokens (created and revoked in chat, the CLI or the API), refresh tokens and
one-time log-in links. Secrets are random and long, so a SHA-256 of them is what is stored and looked up."""

import hashlib
import secrets
from collections.abc import Sequence
from datetime import timedelta

from trading.domain.access import ApiToken, GrantKind, TokenScope
from trading.domain.errors import InvalidInput, NotFound
from trading.usecases.core import Core

API_TOKEN_PREFIX = "tsb_"
LARGEST_ID = 2**31 - 1  # the databases' integer keys
MAX_TOKEN_NAME = 100


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


async def create_api_token(core: Core, user_id: int, name: str, scope: TokenScope) -> tuple[ApiToken, str]:
    """A new token and its secret, which is shown this once and never stored."""
    name = name.strip()
    if not name or len(name) > MAX_TOKEN_NAME:
        raise InvalidInput(f"A token needs a name of 1 to {MAX_TOKEN_NAME} characters.")
    secret = API_TOKEN_PREFIX + secrets.token_urlsafe(32)
    async with core.uow() as uow:
        if await uow.users.get(user_id) is None:
            raise NotFound("That user was not found.")
        token = await uow.api_tokens.add(
            user_id, name, scope, secret_hash(secret), secret[:10], core.clock.now()
        )
        await uow.commit()
    return token, secret


async def api_tokens(core: Core, user_id: int) -> Sequence[ApiToken]:
    async with core.uow() as uow:
        return await uow.api_tokens.for_user(user_id)


async def revoke_api_token(core: Core, user_id: int, token_id: int) -> None:
    async with core.uow() as uow:
        if not await uow.api_tokens.revoke(user_id, token_id, core.clock.now()):
            raise NotFound("That API token was not found (or is revoked already).")
        await uow.commit()


async def user_exists(core: Core, user_id: int) -> bool:
    """Whether a signed token's user is one: it may have been deleted, or the token signed for no user at all."""
    if not 1 <= user_id <= LARGEST_ID:
        return False
    async with core.uow(read_only=True) as uow:
        return await uow.users.get(user_id) is not None


async def authenticate_api_token(core: Core, secret: str) -> ApiToken | None:
    """The active token with this secret, or None."""
    if not secret.startswith(API_TOKEN_PREFIX):
        return None
    async with core.uow(read_only=True) as uow:
        return await uow.api_tokens.by_hash(secret_hash(secret))


async def issue_grant(core: Core, user_id: int, kind: GrantKind, ttl: timedelta) -> str:
    """A one-time secret: a refresh token, or the code of a log-in link."""
    secret = secrets.token_urlsafe(32)
    now = core.clock.now()
    async with core.uow() as uow:
        await uow.login_grants.add(kind, user_id, secret_hash(secret), now + ttl, now)
        await uow.commit()
    return secret


async def dashboard_login_link(core: Core, user_id: int, base_url: str, ttl: timedelta) -> str:
    """A one-time link that signs the user in to the dashboard in a browser (the bot's /dashboard)."""
    code = await issue_grant(core, user_id, GrantKind.LOGIN_LINK, ttl)
    return f"{base_url}/app/login?code={code}"


async def redeem_grant(core: Core, kind: GrantKind, secret: str) -> int | None:
    """The user a one-time secret was issued to, the first time it is used before it expires; else None."""
    async with core.uow() as uow:
        user_id = await uow.login_grants.consume(kind, secret_hash(secret), core.clock.now())
        await uow.commit()
    return user_id

"""A verified access token is reused for its session's requests, but never past its own expiry."""

import asyncio
from dataclasses import replace

from litestar.middleware import AuthenticationResult

from tests.webapp.conftest import Api
from webapp.auth import issue_access_token
from webapp.verified_tokens import VerifiedTokens


def test_a_verified_token_is_kept_until_it_expires_and_no_longer() -> None:
    tokens = VerifiedTokens()
    result = AuthenticationResult(user="ada", auth="token")
    tokens.put("abc", result, expires_at=100.0)
    assert tokens.get("abc", now=99.9) is result
    assert tokens.get("abc", now=100.0) is None
    assert tokens.get("abc", now=50.0) is None  # gone, not merely hidden
    assert tokens.get("unknown", now=0.0) is None


def test_the_kept_tokens_stay_within_their_size() -> None:
    tokens = VerifiedTokens(max_entries=3)
    for i in range(10):
        tokens.put(str(i), AuthenticationResult(user=i, auth=None), expires_at=100.0)
    assert sum(tokens.get(str(i), now=0.0) is not None for i in range(10)) <= 3
    assert tokens.get("9", now=0.0) is not None


async def test_a_token_used_before_is_refused_once_it_expires(api: Api) -> None:
    me = await api.json("GET", "/api/v1/me", await api.sign_in(2101))
    short = replace(api.web.config, access_token_ttl=1)
    headers = {"Authorization": f"Bearer {issue_access_token(short, me['id'])}"}
    assert (await api.client.get("/api/v1/me", headers=headers)).status_code == 200
    await asyncio.sleep(1.1)
    answer = await api.client.get("/api/v1/me", headers=headers)
    assert answer.status_code == 401 and "sign in again" in answer.json()["detail"]

"""Authentication failures and ownership: each is refused with a 401/403/404 and a specific sentence."""

import time
from dataclasses import replace

import jwt

from tests.databases import REDIS_URL, delete_redis_keys
from tests.harness import Harness
from tests.webapp.conftest import Api, init_data
from webapp.auth import AUDIENCE, issue_access_token
from webapp.init_data import sign_init_data
from webapp.links import dashboard_link

BOT = "123456:sandbox-token"


async def test_no_token_or_a_malformed_one_is_401(api: Api) -> None:
    for headers in ({}, {"Authorization": "Basic abc"}, {"Authorization": "Bearer not-a-jwt"}):
        answer = await api.client.get("/api/v1/portfolio", headers=headers)
        assert answer.status_code == 401, headers
    assert "Sign in first" in (await api.client.get("/api/v1/portfolio")).json()["detail"]


async def test_init_data_with_a_bad_signature_a_tampered_user_or_stale_date_is_refused(api: Api) -> None:
    good = init_data(2001)
    cases = {
        "another bot's signature": sign_init_data(
            "999:other", {"id": 2001, "first_name": "Ada"}, int(time.time())
        ),
        "a tampered user": good.replace("2001", "2002"),
        "a stale auth_date": init_data(2001, age=api.web.config.init_data_max_age + 60),
        "no hash at all": "auth_date=1&user=%7B%22id%22%3A1%7D",
    }
    before = await api.harness.counts()
    for why, data in cases.items():
        answer = await api.client.post("/api/v1/auth/telegram", json={"init_data": data})
        assert answer.status_code == 401, why
    assert (
        "too old"
        in (
            await api.client.post("/api/v1/auth/telegram", json={"init_data": cases["a stale auth_date"]})
        ).json()["detail"]
    )
    assert await api.harness.counts() == before  # no user was made


async def test_an_expired_or_foreign_access_token_is_401(api: Api) -> None:
    headers = await api.sign_in(2003)
    assert (await api.client.get("/api/v1/me", headers=headers)).status_code == 200
    key = api.web.config.signing_key
    expired = jwt.encode({"sub": "1", "aud": AUDIENCE, "exp": int(time.time()) - 60, "iat": 1}, key, "HS256")
    forged = issue_access_token(replace(api.web.config, signing_key="another-key-of-at-least-32-bytes!!"), 1)
    for token in (expired, forged):
        answer = await api.client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
        assert answer.status_code == 401 and "sign in again" in answer.json()["detail"]


async def test_another_users_order_and_preview_answer_404(api: Api) -> None:
    alice = await api.sign_in(2004, "Alice")
    bob = await api.sign_in(2005, "Bob")
    draft = await api.json(
        "POST", "/api/v1/orders/preview", alice, json={"symbol": "BTC", "side": "buy", "amount": "0.001"}
    )
    stolen = await api.client.post(
        "/api/v1/orders/confirm", headers=bob, json={"draft_id": draft["draft_id"]}
    )
    assert stolen.status_code == 404
    order = await api.json("POST", "/api/v1/orders/confirm", alice, json={"draft_id": draft["draft_id"]})
    assert (await api.client.get(f"/api/v1/orders/{order['id']}", headers=bob)).status_code == 404
    assert (await api.client.post(f"/api/v1/orders/{order['id']}/cancel", headers=bob)).status_code == 404
    accounts = await api.json("GET", "/api/v1/accounts", alice)
    foreign = await api.client.get(f"/api/v1/portfolio?account_id={accounts[0]['id']}", headers=bob)
    assert foreign.status_code == 404
    assert (await api.client.delete(f"/api/v1/accounts/{accounts[0]['id']}", headers=bob)).status_code == 404


async def test_refresh_tokens_and_login_links_work_once(api: Api) -> None:
    answer = await api.client.post("/api/v1/auth/telegram", json={"init_data": init_data(2006)})
    refresh = answer.json()["refresh_token"]
    first = await api.client.post("/api/v1/auth/refresh", json={"refresh_token": refresh})
    assert first.status_code == 201 and first.json()["refresh_token"] != refresh
    assert (await api.client.post("/api/v1/auth/refresh", json={"refresh_token": refresh})).status_code == 401

    headers = {"Authorization": f"Bearer {first.json()['access_token']}"}
    me = await api.json("GET", "/api/v1/me", headers)
    link = api.in_app(dashboard_link, api.web, me["id"])
    assert link.startswith("http://testserver/app/login?code=")
    code = link.split("code=", 1)[1]
    signed_in = await api.client.post("/api/v1/auth/link", json={"code": code})
    assert signed_in.status_code == 201
    assert (await api.client.post("/api/v1/auth/link", json={"code": code})).status_code == 401
    api.harness.clock.advance(api.web.config.login_link_ttl + 1)
    late = (api.in_app(dashboard_link, api.web, me["id"])).split("code=", 1)[1]
    api.harness.clock.advance(api.web.config.login_link_ttl + 1)
    assert (await api.client.post("/api/v1/auth/link", json={"code": late})).status_code == 401


async def test_api_tokens_are_scoped_and_revocable(api: Api) -> None:
    session = await api.sign_in(2007)
    made = await api.json("POST", "/api/v1/tokens", session, json={"name": "script", "scope": "read"})
    secret = made["secret"]
    assert secret.startswith("tsb_") and made["token"]["prefix"] == secret[:10]
    listed = await api.json("GET", "/api/v1/tokens", session)
    assert "secret" not in listed[0] and "token_hash" not in listed[0]
    reader = {"Authorization": f"Bearer {secret}"}
    assert (await api.client.get("/api/v1/portfolio", headers=reader)).status_code == 200
    refused = await api.client.post(
        "/api/v1/orders/preview", headers=reader, json={"symbol": "BTC", "side": "buy", "amount": "0.001"}
    )
    assert refused.status_code == 403 and "only read" in refused.json()["detail"]
    assert (await api.client.post("/api/v1/tokens", headers=reader, json={"name": "x"})).status_code == 403
    assert (
        await api.client.delete(f"/api/v1/tokens/{made['token']['id']}", headers=session)
    ).status_code == 204
    assert (await api.client.get("/api/v1/portfolio", headers=reader)).status_code == 401


async def test_headers_request_ids_docs_and_metrics(api: Api) -> None:
    answer = await api.client.get("/api/v1/ping", headers={"X-Request-ID": "abc-123"})
    assert answer.headers["x-request-id"] == "abc-123"
    csp = answer.headers["content-security-policy"]
    assert (
        "frame-ancestors https://web.telegram.org" in csp and "script-src 'self' https://telegram.org" in csp
    )
    assert answer.headers["x-content-type-options"] == "nosniff"
    generated = await api.client.get("/api/v1/ping", headers={"X-Request-ID": "bad id;drop"})
    assert len(generated.headers["x-request-id"]) == 32
    schema = await api.client.get("/api/v1/openapi.json")
    assert schema.status_code == 200 and "/api/v1/orders/preview" in schema.json()["paths"]
    assert (await api.client.get("/api/v1/docs")).status_code == 200
    metrics = await api.client.get("/metrics")
    assert metrics.status_code == 200 and "tsbot_requests_total" in metrics.text


async def test_rate_limits_per_address_and_per_user_answer_429(harness: Harness) -> None:
    from litestar.testing import AsyncTestClient

    from tests.webapp.conftest import make_web
    from webapp.app import create_app

    async def ok() -> bool:
        return True

    app = create_app(ok, web=make_web(harness, rate_limit_per_ip=3, rate_limit_per_user=0))
    async with AsyncTestClient(app) as client:
        codes = [(await client.get("/api/v1/ping")).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]


async def test_with_redis_web_workers_share_the_rate_limits(harness: Harness) -> None:
    """REDIS_URL set: the limits are counted in Redis, so two workers (two apps here) allow 3 in all, not each."""
    from litestar.testing import AsyncTestClient

    from tests.webapp.conftest import make_web
    from webapp.app import create_app

    async def ok() -> bool:
        return True

    counts = "tsbot:RateLimitMiddleware::*"  # the middleware's counts, in the store's namespace

    await delete_redis_keys(counts)
    web = make_web(harness, rate_limit_per_ip=3, rate_limit_per_user=0, redis_url=REDIS_URL)
    try:
        async with (
            AsyncTestClient(create_app(ok, web=web)) as first,
            AsyncTestClient(create_app(ok, web=web)) as second,
        ):
            codes = [
                (await client.get("/api/v1/ping")).status_code for client in (first, second, first, second)
            ]
        assert codes == [200, 200, 200, 429]
    finally:
        await delete_redis_keys(counts)

"""A second factor for risky actions over the API: enrolled with a secret shown once and confirmed by a first
code, then asked for in X-TOTP by the risky routes; codes taken once, wrong ones counted and locked out, recovery
codes used once, turned off with a code. Time is the harness's clock, moved by the tests; pyotp is asked for the
code of the clock's moment, as an authenticator app would show it then."""

from datetime import timedelta
from typing import Any

import pyotp

from tests.fakes import ManualClock
from tests.webapp.conftest import Api
from tests.webapp.test_api_signal_follow import _signal as signal_for
from trading.usecases.second_factor import LOCKED, MISSING, WRONG

TOKENS = "/api/v1/tokens"
READER = {"name": "reader", "scope": "read"}


def code_at(secret: str, clock: ManualClock, steps: int = 0) -> str:
    return pyotp.TOTP(secret).at(clock.now() + timedelta(seconds=30 * steps))


async def enrolled(api: Api, clock: ManualClock, telegram_id: int) -> tuple[dict[str, str], str, list[str]]:
    """A signed-in user with the second factor on: their headers, secret and recovery codes."""
    headers = await api.sign_in(telegram_id)
    enrolment = await api.json("POST", "/api/v1/second-factor/enrol", headers)
    assert (
        enrolment["uri"].startswith("otpauth://totp/") and f"secret={enrolment['secret']}" in enrolment["uri"]
    )
    secret = enrolment["secret"]
    confirmed = await api.json(
        "POST", "/api/v1/second-factor/confirm", headers, json={"code": code_at(secret, clock)}
    )
    clock.advance(30)  # the confirming code is taken: the next action waits for the next one
    return headers, secret, confirmed["recovery_codes"]


async def _post(api: Api, url: str, headers: dict[str, str], code: str | None = None, **body: Any) -> Any:
    extra = {} if code is None else {"X-TOTP": code}
    return await api.client.post(url, headers=headers | extra, json=body)


async def test_enrolling_takes_a_first_valid_code_before_anything_is_asked(
    api: Api, clock: ManualClock
) -> None:
    headers = await api.sign_in(7001)
    enrolment = await api.json("POST", "/api/v1/second-factor/enrol", headers)
    state = await api.json("GET", "/api/v1/second-factor", headers)
    assert state == {"enabled": False, "waiting": True, "recovery_codes_left": 0}
    assert (await _post(api, TOKENS, headers, **READER)).status_code == 201  # not on yet

    wrong = await api.client.post("/api/v1/second-factor/confirm", headers=headers, json={"code": "000000"})
    assert (wrong.status_code, wrong.json()["detail"]) == (403, WRONG)
    right = code_at(enrolment["secret"], clock)
    confirmed = await api.json("POST", "/api/v1/second-factor/confirm", headers, json={"code": right})
    codes = confirmed["recovery_codes"]
    assert len(codes) == len(set(codes)) == 10
    state = await api.json("GET", "/api/v1/second-factor", headers)
    assert state == {"enabled": True, "waiting": False, "recovery_codes_left": 10}
    again = await api.client.post("/api/v1/second-factor/enrol", headers=headers)
    assert again.status_code == 400  # on already: the secret is not replaced


async def test_a_risky_route_needs_a_fresh_code_taken_once(api: Api, clock: ManualClock) -> None:
    headers, secret, _ = await enrolled(api, clock, 7002)
    missing = await _post(api, TOKENS, headers, **READER)
    assert (missing.status_code, missing.json()["detail"]) == (403, MISSING)
    assert (await _post(api, TOKENS, headers, "123456", **READER)).status_code == 403

    code = code_at(secret, clock)
    assert (await _post(api, TOKENS, headers, code, **READER)).status_code == 201
    replayed = await _post(api, TOKENS, headers, code, **READER)
    assert (replayed.status_code, replayed.json()["detail"]) == (403, WRONG)
    clock.advance(60)
    older = code_at(secret, clock, steps=-2)  # outside the window of one step either side
    assert (await _post(api, TOKENS, headers, older, **READER)).status_code == 403
    ahead = code_at(secret, clock, steps=1)  # an authenticator's clock a little ahead
    assert (await _post(api, TOKENS, headers, ahead, **READER)).status_code == 201
    now = code_at(secret, clock)  # older than a code taken already
    assert (await _post(api, TOKENS, headers, now, **READER)).status_code == 403
    tokens = await api.json("GET", TOKENS, headers)
    assert len(tokens) == 2


async def test_wrong_codes_lock_codes_out_for_a_while(api: Api, clock: ManualClock) -> None:
    headers, secret, _ = await enrolled(api, clock, 7003)
    for _ in range(5):
        assert (await _post(api, TOKENS, headers, "999999", **READER)).status_code == 403
    locked = await _post(api, TOKENS, headers, code_at(secret, clock), **READER)
    assert (locked.status_code, locked.json()["detail"]) == (429, LOCKED)
    clock.advance(15 * 60)
    assert (await _post(api, TOKENS, headers, code_at(secret, clock), **READER)).status_code == 201


async def test_a_recovery_code_stands_in_once_and_turning_off_takes_a_code(
    api: Api, clock: ManualClock
) -> None:
    headers, secret, recovery = await enrolled(api, clock, 7004)
    typed = recovery[0].upper().replace("-", " ")  # as a person might type it
    assert (await _post(api, TOKENS, headers, typed, **READER)).status_code == 201
    assert (await _post(api, TOKENS, headers, recovery[0], **READER)).status_code == 403
    assert (await api.json("GET", "/api/v1/second-factor", headers))["recovery_codes_left"] == 9

    off = await api.client.delete("/api/v1/second-factor", headers=headers)
    assert (off.status_code, off.json()["detail"]) == (403, MISSING)
    off = await api.client.delete(
        "/api/v1/second-factor", headers=headers | {"X-TOTP": code_at(secret, clock)}
    )
    assert off.status_code == 204
    assert (await _post(api, TOKENS, headers, **READER)).status_code == 201  # nothing asked any more
    state = await api.json("GET", "/api/v1/second-factor", headers)
    assert state == {"enabled": False, "waiting": False, "recovery_codes_left": 0}


async def test_raising_a_risk_limit_takes_a_code_and_tightening_does_not(
    api: Api, clock: ManualClock
) -> None:
    headers, secret, _ = await enrolled(api, clock, 7005)
    tighter = {"max_order_value": "100"}
    assert (await api.client.put("/api/v1/risk", headers=headers, json=tighter)).status_code == 200
    raised = await api.client.put("/api/v1/risk", headers=headers, json={"max_order_value": "200"})
    assert (raised.status_code, raised.json()["detail"]) == (403, MISSING)
    assert (await api.json("GET", "/api/v1/risk", headers))["max_order_value"] == "100"
    reset = await api.client.delete("/api/v1/risk", headers=headers)
    assert reset.status_code == 403
    with_code = headers | {"X-TOTP": code_at(secret, clock)}
    assert (
        await api.client.put("/api/v1/risk", headers=with_code, json={"max_order_value": "200"})
    ).is_success
    assert (await api.json("GET", "/api/v1/risk", headers))["max_order_value"] == "200"


async def test_adding_exchange_keys_takes_a_code_and_a_paper_account_does_not(
    api: Api, clock: ManualClock
) -> None:
    headers, _, _ = await enrolled(api, clock, 7006)
    keys = {"exchange": "binance", "label": "main", "api_key": "k", "secret": "s"}
    refused = await _post(api, "/api/v1/accounts", headers, **keys)
    assert (refused.status_code, refused.json()["detail"]) == (403, MISSING)
    before = await api.json("GET", "/api/v1/accounts", headers)
    assert all(a["exchange"] == "paper" for a in before)
    paper = await _post(api, "/api/v1/accounts", headers, exchange="paper", label="practice")
    assert paper.status_code == 201


async def test_the_openapi_document_names_the_code_header_on_risky_routes(api: Api) -> None:
    schema = (await api.client.get("/api/v1/openapi.json")).json()
    for path, method in [
        (TOKENS, "post"),
        ("/api/v1/accounts", "post"),
        ("/api/v1/risk", "put"),
        ("/api/v1/risk", "delete"),
        ("/api/v1/signals/sources/{source_id}/follow", "post"),
        ("/api/v1/second-factor", "delete"),
    ]:
        operation = schema["paths"][path][method]
        headers = [p["name"] for p in operation["parameters"] if p["in"] == "header"]
        assert "X-TOTP" in headers, (path, method)
        assert {"403", "429"} <= set(operation["responses"]), (path, method)


async def test_turning_on_automatic_following_takes_a_code_and_stopping_does_not(
    api: Api, clock: ManualClock
) -> None:
    headers, secret, _ = await enrolled(api, clock, 7007)
    await signal_for(api, headers, "ETH buy now, TP +10%, SL -10%")
    [source] = await api.json("GET", "/api/v1/signals/sources", headers)
    url = f"/api/v1/signals/sources/{source['id']}/follow"
    refused = await _post(api, url, headers, auto_follow=True)
    assert (refused.status_code, refused.json()["detail"]) == (403, MISSING)
    assert (await _post(api, url, headers, code_at(secret, clock), auto_follow=True)).json()["auto_follow"]
    assert (await _post(api, url, headers, auto_follow=False)).json()["auto_follow"] is False

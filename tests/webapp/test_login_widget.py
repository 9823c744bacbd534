"""The dashboard outside Telegram signs in with Telegram's Login Widget: its hash checked with the bot token as
Telegram specifies, its age limited; the tokens are those every other sign-in issues."""

import time
from typing import Any

from tests.webapp.conftest import BOT_TOKEN, Api, init_data
from webapp.init_data import sign_login_widget

URL = "/api/v1/auth/telegram-login"
ADA = {"id": 3001, "first_name": "Ada", "last_name": "Lovelace", "username": "ada"}


def widget(token: str = BOT_TOKEN, age: float = 0, **user: Any) -> dict[str, object]:
    return sign_login_widget(token, ADA | user, int(time.time() - age))


async def test_signed_widget_data_signs_in_as_the_telegram_user(api: Api) -> None:
    answer = await api.client.post(URL, json=widget())
    assert answer.status_code == 201, answer.text
    headers = {"Authorization": f"Bearer {answer.json()['access_token']}"}
    me = await api.json("GET", "/api/v1/me", headers)
    assert me["name"] == "Ada Lovelace"
    again = await api.client.post("/api/v1/auth/telegram", json={"init_data": init_data(3001)})
    assert again.status_code == 201  # the Mini App's sign-in finds the same user
    mini_app = {"Authorization": f"Bearer {again.json()['access_token']}"}
    assert (await api.json("GET", "/api/v1/me", mini_app))["id"] == me["id"]
    refreshed = await api.client.post(
        "/api/v1/auth/refresh", json={"refresh_token": answer.json()["refresh_token"]}
    )
    assert refreshed.status_code == 201


async def test_tampered_foreign_or_stale_widget_data_is_refused_with_a_sentence(api: Api) -> None:
    tampered = widget() | {"id": 3002}
    cases = {
        "not signed by this bot.": [
            tampered,
            widget(token="999:another-bot"),
            widget() | {"username": "eve"},
        ],
        "too old; sign in with Telegram again.": [widget(age=api.web.config.login_widget_max_age + 60)],
    }
    before = await api.harness.counts()
    for sentence, bodies in cases.items():
        for body in bodies:
            answer = await api.client.post(URL, json=body)
            assert answer.status_code == 401, body
            assert answer.json()["detail"].endswith(sentence), answer.text
    assert await api.harness.counts() == before  # no user was made


async def test_the_options_say_which_widget_to_show(api: Api) -> None:
    options = await api.client.get(URL)
    assert options.json() == {"bot_username": None, "sandbox": False}

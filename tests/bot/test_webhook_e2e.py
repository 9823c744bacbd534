"""Webhook mode: the bot registers its webhook (with the sandbox's Bot API stand-in playing Telegram), and the
web app's webhook route takes an update only with Telegram's secret-token header."""

import asyncio
from typing import Any

from bot.telegram.process import build_telegram
from bot.telegram.runtime import SECRET_HEADER, WEBHOOK_PATH
from tests.bot.sandbox import TOKEN, WEBHOOK_SECRET, serve_webhook_bot
from tests.fakes import ManualClock
from tests.harness import Harness, make_harness


async def test_the_bot_registers_its_webhook_with_its_secret_instead_of_polling(harness: Harness) -> None:
    async with serve_webhook_bot(harness) as hook:
        registered = hook.sandbox.state.webhook
        assert registered is not None
        assert registered["url"] == f"{hook.sandbox.base}{WEBHOOK_PATH}"
        assert registered["secret_token"] == WEBHOOK_SECRET
        assert {"message", "callback_query"} <= set(registered["allowed_updates"])
        info = await hook.telegram.bot.get_webhook_info()
        assert info.url == registered["url"]
        # As Telegram does: no polling while a webhook is set (and the bot did not try: it would have failed).
        polled = await hook.sandbox.client.get(f"/sandbox/bot{TOKEN}/getUpdates")
        assert polled.status_code == 409 and "webhook is active" in polled.json()["description"]


async def test_an_update_is_taken_only_with_the_right_secret_header(harness: Harness) -> None:
    async with serve_webhook_bot(harness) as hook:
        chat = hook.sandbox.chat(801)
        for secret in (None, "", "wrong-secret", WEBHOOK_SECRET[:-1], WEBHOOK_SECRET + "x"):
            refused = await hook.deliver(hook.user_update(801, "price of btc"), secret)
            assert refused.status_code in (401, 403), (secret, refused.text)
        await asyncio.sleep(0.3)  # time enough for a wrongly accepted update to be answered
        assert [m["from"] for m in await chat.messages()] == ["user"] * 5
        assert await harness.count("users") == 0  # not even registered: the update never reached the bot

        taken = await hook.deliver(hook.user_update(801, "price of btc"), WEBHOOK_SECRET)
        assert taken.status_code == 200 and taken.json() == {"ok": True}
        chat.seen = 6
        [answer] = await chat.reply()
        assert answer["text"].startswith("BTC/USDT: ") and "24h" in answer["text"]
        assert await harness.count("users") == 1


async def test_an_order_previewed_through_the_webhook(harness: Harness) -> None:
    async with serve_webhook_bot(harness) as hook:
        chat = hook.sandbox.chat(802)
        taken = await hook.deliver(hook.user_update(802, "buy 0.01 btc"), WEBHOOK_SECRET)
        assert taken.status_code == 200
        [preview] = await chat.reply()
        assert "Buy 0.01 BTC" in preview["text"] and preview["reply_markup"] is not None
        malformed = await hook.sandbox.client.post(
            WEBHOOK_PATH, content=b"{not json", headers={SECRET_HEADER: WEBHOOK_SECRET}
        )
        assert malformed.status_code == 400
        not_an_update = await hook.deliver({"message": {"text": "no update id"}}, WEBHOOK_SECRET)
        assert not_an_update.status_code == 400
        again = await hook.deliver(hook.user_update(802, "portfolio"), WEBHOOK_SECRET)
        assert again.status_code == 200
        [summary] = await chat.reply()
        assert "USDT" in summary["text"]


async def test_an_update_posted_again_is_answered_and_handled_once(harness: Harness) -> None:
    """Telegram posts an update again when it saw no 200: the retry is answered, and nothing is done twice."""
    async with serve_webhook_bot(harness) as hook:
        chat = hook.sandbox.chat(804)
        update = hook.user_update(804, "price of btc")
        for _ in range(3):
            taken = await hook.deliver(update, WEBHOOK_SECRET)
            assert taken.status_code == 200 and taken.json() == {"ok": True}
        # Handled before its answer: the reply is there now, and the retries added none.
        assert [m["from"] for m in await chat.messages()] == ["user", "bot"]
        again = await hook.deliver(hook.user_update(804, "price of eth"), WEBHOOK_SECRET)
        assert again.status_code == 200
        assert [m["from"] for m in await chat.messages()] == ["user", "bot", "user", "bot"]


async def test_the_web_apis_rate_limits_spare_the_webhook_and_the_sandbox(harness: Harness) -> None:
    """Telegram posts every update from a few addresses, and the bot's own Bot API calls all come from one:
    the web API's limits per address and per user must not refuse them (the bot's queue keeps Telegram's)."""
    async with serve_webhook_bot(harness, rate_limit_per_ip=5, rate_limit_per_user=5) as hook:
        chat = hook.sandbox.chat(803)
        for _ in range(8):
            assert (await hook.deliver(hook.user_update(803, "price of btc"), "wrong")).status_code == 401
        for _ in range(8):
            assert (await hook.sandbox.client.get("/sandbox/api/chats/803/messages")).status_code == 200
        taken = await hook.deliver(hook.user_update(803, "price of btc"), WEBHOOK_SECRET)
        assert taken.status_code == 200
        chat.seen = 9
        [answer] = await chat.reply()
        assert answer["text"].startswith("BTC/USDT: ")
        api = [(await hook.sandbox.client.get("/api/v1/ping")).status_code for _ in range(8)]
        assert 429 in api  # the limits are on, for the web API


async def test_webhook_mode_from_the_settings_mounts_the_route_and_always_has_a_secret(
    database_url: str, clock: ManualClock, harness: Harness
) -> None:
    """TELEGRAM_BOT_TOKEN and TELEGRAM_WEBHOOK_URL set: the webhook route is mounted, the sandbox is off, and a
    secret is checked even when TELEGRAM_WEBHOOK_SECRET is not set (one is made up and registered on start)."""
    url = "https://bot.example/telegram/webhook"
    for secret, expected in (("given-secret", "given-secret"), (None, None)):
        settings: dict[str, Any] = {"telegram_bot_token": TOKEN, "telegram_webhook_url": url}
        if secret:
            settings["telegram_webhook_secret"] = secret
        made = make_harness(database_url, clock, **settings)
        try:
            process = await build_telegram(made.container)
            try:
                paths = {path for router in process.routers for path in router.route_handler_method_map}
                assert paths == {WEBHOOK_PATH} and process.sandbox is None
                assert process.telegram.webhook_url == url
                given = process.telegram.webhook_secret
                assert given and (expected is None or given == expected)
                assert len(given) >= 32 or expected is not None
            finally:
                await process.telegram.bot.session.close()
        finally:
            await made.close()


async def test_the_webhook_route_is_served_at_the_path_of_its_address(
    database_url: str, clock: ManualClock, harness: Harness
) -> None:
    url = "https://bot.example/hooks/tg-5f2a"
    made = make_harness(database_url, clock, telegram_bot_token=TOKEN, telegram_webhook_url=url)
    try:
        process = await build_telegram(made.container)
        try:
            paths = {path for router in process.routers for path in router.route_handler_method_map}
            assert paths == {"/hooks/tg-5f2a"}
        finally:
            await process.telegram.bot.session.close()
    finally:
        await made.close()


async def test_neither_the_webhook_nor_the_sandbox_is_in_the_web_apis_schema(harness: Harness) -> None:
    async with serve_webhook_bot(harness) as hook:
        schema = (await hook.sandbox.client.get("/api/v1/openapi.json")).json()
    assert "/api/v1/ping" in schema["paths"]
    assert [p for p in schema["paths"] if p.startswith(("/sandbox", hook.webhook_path))] == []

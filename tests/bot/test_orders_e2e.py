"""Orders in chat, end to end through the sandbox."""

import asyncio

from bot.telegram.runtime import TelegramBot
from tests.bot.sandbox import Sandbox, button
from tests.harness import Harness


async def test_an_order_in_chat_is_previewed_confirmed_and_filled(
    sandbox: Sandbox, bot: TelegramBot, harness: Harness
) -> None:
    chat = sandbox.chat(501)
    [preview] = await chat.ask("buy $50 of ETH")
    text = preview["text"]
    assert "Buy" in text and "ETH" in text and "USDT" in text
    for part in ("Price:", "Fee:", "Stop:", "At risk:"):
        assert part in text
    answer = await chat.tap(preview["message_id"], button(preview, "Confirm"))
    assert answer == {"ok": True, "answer": "Order placed."}
    result = await chat.message(preview["message_id"])
    assert result["edit_count"] == 1 and "filled" in result["text"] and result["reply_markup"] is None
    assert await harness.count("orders") == 1


async def test_a_cancelled_preview_places_nothing(
    sandbox: Sandbox, bot: TelegramBot, harness: Harness
) -> None:
    chat = sandbox.chat(502)
    [preview] = await chat.ask("buy 0.01 btc")
    answer = await chat.tap(preview["message_id"], button(preview, "Cancel"))
    assert answer["answer"] == "Cancelled."
    assert "nothing was placed" in (await chat.message(preview["message_id"]))["text"]
    again = await chat.tap(preview["message_id"], button(preview, "Confirm"))
    assert "cancelled" in again["answer"]
    assert await harness.count("orders") == 0


async def test_confirm_tapped_twice_places_one_order(
    sandbox: Sandbox, bot: TelegramBot, harness: Harness
) -> None:
    chat = sandbox.chat(503)
    [preview] = await chat.ask("buy 0.01 btc")
    data = button(preview, "Confirm")
    first, second = await asyncio.gather(
        chat.tap(preview["message_id"], data), chat.tap(preview["message_id"], data)
    )
    answers = sorted([first["answer"], second["answer"]])
    assert answers == ["Order placed.", "This order was already confirmed; it is placed only once."]
    assert await harness.count("orders") == 1


async def test_portfolio_summary_then_its_chart_on_request(
    sandbox: Sandbox, bot: TelegramBot, harness: Harness
) -> None:
    chat = sandbox.chat(504)
    [preview] = await chat.ask("buy 0.01 btc")
    await chat.tap(preview["message_id"], button(preview, "Confirm"))
    [summary] = await chat.ask("portfolio")
    assert "BTC" in summary["text"] and "USDT" in summary["text"] and summary["photo"] is None
    answer = await chat.tap(summary["message_id"], button(summary, "Chart"))
    assert answer["ok"] is True
    [photo] = await chat.reply()
    assert photo["photo"] and photo["text"] == "Equity and allocation"


async def test_dashboard_sends_a_one_time_login_link(
    sandbox: Sandbox, bot: TelegramBot, harness: Harness
) -> None:
    from trading.domain.access import GrantKind
    from trading.usecases.access import redeem_grant

    chat = sandbox.chat(505)
    [answer] = await chat.ask("/dashboard")
    assert "/app/login?code=" in answer["text"] and "expires in 10 minutes" in answer["text"]
    code = answer["text"].split("code=", 1)[1].split()[0]
    user = await redeem_grant(harness.core, GrantKind.LOGIN_LINK, code)
    assert user is not None
    assert await redeem_grant(harness.core, GrantKind.LOGIN_LINK, code) is None  # once only

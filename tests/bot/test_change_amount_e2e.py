"""Change amount on an order preview, end to end through the sandbox: a new amount, a new preview, the old one
dead."""

from decimal import Decimal
from typing import Any

from sqlalchemy import select

from bot.telegram.runtime import TelegramBot
from storage.models import OrderRow
from tests.bot.sandbox import Sandbox, button, start_bot
from tests.harness import Harness


def _line_numbers(preview_text: str) -> tuple[Decimal, Decimal]:
    """The size and the value in the quote currency from a preview's first line, e.g.
    '📝 Buy 0.02 BTC (1,340.07 USDT), market'."""
    head = preview_text.splitlines()[0]
    size = Decimal(head.split()[2])
    value = Decimal(head.split("(", 1)[1].split()[0].replace(",", ""))
    return size, value


async def _orders(harness: Harness) -> list[OrderRow]:
    async with harness.engine.connect() as connection:
        rows = (await connection.execute(select(OrderRow.__table__))).all()
    return list(rows)  # type: ignore[arg-type]


async def test_change_amount_previews_the_new_size_and_places_it(
    sandbox: Sandbox, bot: TelegramBot, harness: Harness
) -> None:
    chat = sandbox.chat(521)
    [old] = await chat.ask("buy 0.01 btc")
    old_size, old_value = _line_numbers(old["text"])
    assert old_size == Decimal("0.01")

    answer = await chat.tap(old["message_id"], button(old, "Change amount"))
    assert answer["ok"] is True
    [prompt] = await chat.reply()
    assert "new amount" in prompt["text"]
    replaced = await chat.message(old["message_id"])
    assert replaced["reply_markup"] is None and replaced["text"].endswith(
        "a new preview follows with the new amount."
    )

    [new] = await chat.ask("0.02")
    new_size, new_value = _line_numbers(new["text"])
    assert new_size == Decimal("0.02")
    # The same market at the same moment: twice the size, about twice the value.
    assert abs(new_value - 2 * old_value) <= old_value * Decimal("0.01")
    assert button(new, "Confirm") != button(old, "Confirm")

    stale = await chat.tap(old["message_id"], button(old, "Confirm"))
    assert "cancelled" in stale["answer"] or "replaced" in stale["answer"]
    assert await harness.count("orders") == 0

    placed = await chat.tap(new["message_id"], button(new, "Confirm"))
    assert placed["answer"] == "Order placed."
    result = await chat.message(new["message_id"])
    assert "filled" in result["text"] and "0.02 BTC" in result["text"]
    [order] = await _orders(harness)
    assert order.quantity == Decimal("0.02") and order.draft_id == button(new, "Confirm").rsplit(":", 1)[1]

    again = await chat.tap(old["message_id"], button(old, "Confirm"))
    assert again["answer"] != "Order placed."
    assert await harness.count("orders") == 1


async def test_change_amount_in_the_quote_currency(
    sandbox: Sandbox, bot: TelegramBot, harness: Harness
) -> None:
    chat = sandbox.chat(522)
    [old] = await chat.ask("buy 0.01 eth")
    await chat.tap(old["message_id"], button(old, "Change amount"))
    await chat.reply()
    [new] = await chat.ask("$100")
    size, value = _line_numbers(new["text"])
    assert "ETH" in new["text"] and abs(value - 100) <= 1 and size > Decimal("0.01")
    assert (await chat.tap(new["message_id"], button(new, "Confirm")))["answer"] == "Order placed."
    [order] = await _orders(harness)
    assert order.quantity == size


async def test_a_wrong_amount_is_refused_in_one_sentence_and_can_be_sent_again(
    sandbox: Sandbox, bot: TelegramBot, harness: Harness
) -> None:
    chat = sandbox.chat(523)
    [old] = await chat.ask("buy 0.01 btc")
    await chat.tap(old["message_id"], button(old, "Change amount"))
    await chat.reply()
    [refusal] = await chat.ask("-3")
    assert refusal["text"] == "The amount must be a number above zero."
    [new] = await chat.ask("0.03")
    assert _line_numbers(new["text"])[0] == Decimal("0.03")
    assert (await chat.tap(new["message_id"], button(new, "Confirm")))["answer"] == "Order placed."
    assert await harness.count("orders") == 1


async def test_change_amount_after_the_preview_was_confirmed_places_nothing_more(
    sandbox: Sandbox, bot: TelegramBot, harness: Harness
) -> None:
    chat = sandbox.chat(524)
    [old] = await chat.ask("buy 0.01 btc")
    await chat.tap(old["message_id"], button(old, "Change amount"))
    await chat.reply()
    assert (await chat.tap(old["message_id"], button(old, "Confirm")))["answer"] == "Order placed."
    [refusal] = await chat.ask("0.05")
    assert refusal["reply_markup"] is None and "Confirm" not in refusal["text"]
    assert await harness.count("orders") == 1


async def test_a_restart_while_the_new_amount_is_awaited_drops_nothing_silently(
    sandbox: Sandbox, harness: Harness, harness_factory: Any
) -> None:
    """The wait for the amount lives in the FSM storage (memory without Redis) and a restart forgets it: the
    amount sent afterwards gets an answer, and the preview is still there to confirm as it was."""
    first = await start_bot(sandbox, harness)
    chat = sandbox.chat(525)
    [old] = await chat.ask("buy 0.01 btc")
    await chat.tap(old["message_id"], button(old, "Change amount"))
    await chat.reply()
    await first.stop()
    restarted = await start_bot(sandbox, harness_factory())
    try:
        [answer] = await chat.ask("0.02")
        # An answer (today: not understood), never a preview of an order nobody asked for.
        assert answer["text"] and answer["reply_markup"] is None and "📝" not in answer["text"]
        assert "tap its Change amount button first" in answer["text"]
        assert await harness.count("orders") == 0
        placed = await chat.tap(old["message_id"], button(old, "Confirm"))
        assert placed["answer"] == "Order placed."
        [order] = await _orders(harness)
        assert order.quantity == Decimal("0.01")
    finally:
        await restarted.stop()

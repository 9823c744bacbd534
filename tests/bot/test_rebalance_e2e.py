"""Rebalancing in chat, end to end: previewed with its trades and fees, confirmed, placed sales first."""

from decimal import Decimal

from bot.telegram.runtime import TelegramBot
from tests.bot.sandbox import Sandbox, button
from tests.harness import Harness
from trading.domain.enums import Side


async def test_a_rebalance_is_previewed_then_placed_sales_first(
    sandbox: Sandbox, bot: TelegramBot, harness: Harness
) -> None:
    chat = sandbox.chat(951)
    [refused] = await chat.ask("rebalance to 50% btc 30% eth")
    assert refused["text"] == "The shares add up to 80%, not 100%: nothing was done."
    await chat.confirmed("buy 0.5 eth")
    [preview] = await chat.ask("rebalance to 5% eth 20% btc 75% usdt")
    text = preview["text"]
    assert text.startswith("📝 Rebalance") and "• sell" in text and "• buy" in text and "Fees in all" in text
    assert text.index("• sell") < text.index("• buy")
    answer = await chat.tap(preview["message_id"], button(preview, "Confirm"))
    assert answer == {"ok": True, "answer": "Rebalanced."}, answer
    done = await chat.message(preview["message_id"])
    assert done["text"].startswith("Rebalanced:"), done["text"]
    async with harness.core.uow(read_only=True) as uow:
        user = await uow.users.by_telegram_id(951)
        assert user is not None
        orders = sorted(await uow.orders.for_user(user.id), key=lambda o: o.id)
    assert [(o.symbol, o.side) for o in orders[1:]] == [("ETH/USDT", Side.SELL), ("BTC/USDT", Side.BUY)]
    assert all(o.filled > Decimal(0) for o in orders)

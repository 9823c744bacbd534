"""'Always follow this source' through the sandbox: later signals from that channel are followed without asking,
as the first was (the stop to the entry after target 1, or not)."""

from decimal import Decimal

import pytest

from bot.telegram.runtime import TelegramBot
from tests.bot.sandbox import Sandbox, button
from tests.harness import Harness

FIRST = "BTC/USDT LONG\nEntry: 67100\nTargets: 68000, 69000\nStop: 65000"
LATER = "ETH/USDT LONG\nEntry: 3510\nTargets: 3600, 3700\nStop: 3300"


@pytest.mark.parametrize("break_even", [True, False])
async def test_later_signals_are_followed_as_the_first_was(
    sandbox: Sandbox, bot: TelegramBot, harness: Harness, break_even: bool
) -> None:
    chat = sandbox.chat(711 if break_even else 712)
    harness.market.set_price("BTC/USDT", Decimal(67000))
    harness.market.set_price("ETH/USDT", Decimal(3500))
    [plan] = await chat.ask(FIRST, forward_from_chat="Crypto Calls")
    if break_even:
        await chat.tap(plan["message_id"], button(plan, "Stop to entry after TP1: off"))
        plan = await chat.message(plan["message_id"])
    answer = await chat.tap(plan["message_id"], button(plan, "Always follow this source"))
    assert answer["answer"] == "Followed."
    note = (await chat.message(plan["message_id"]))["text"]
    assert "Later signals from Crypto Calls will be followed automatically" in note
    assert ("with the stop moved to the entry after target 1" in note) is break_even

    [later] = await chat.ask(LATER, forward_from_chat="Crypto Calls")
    assert "Followed automatically" in later["text"] and "✅ Order #" in later["text"]
    assert ("The stop moves to the entry after target 1" in later["text"]) is break_even
    async with harness.core.uow(read_only=True) as uow:
        user = await uow.users.by_telegram_id(chat.user_id)
        assert user is not None
        orders = await uow.orders.for_user(user.id)
        [eth_entry] = [o for o in orders if o.symbol == "ETH/USDT" and o.parent_id is None]
        assert eth_entry.draft_id is not None
        draft = await uow.drafts.get(eth_entry.draft_id)
    assert draft is not None and draft.move_stop_to_entry is break_even
    [sources] = await chat.ask("/sources")
    assert ("(stop to entry after target 1)" in sources["text"]) is break_even

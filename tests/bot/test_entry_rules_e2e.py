"""A source's entry rules set in chat (/source <id> ...), shown in its next plan, and acted on by the tracker."""

import re
from decimal import Decimal

from bot.server import tracker_pass
from bot.telegram.runtime import TelegramBot
from tests.bot.sandbox import Sandbox, button
from tests.harness import Harness
from trading.domain.enums import OrderStatus

D = Decimal


async def test_entry_rules_set_in_chat_split_the_plan_and_give_up_entries_a_target_outran(
    sandbox: Sandbox, bot: TelegramBot, harness: Harness
) -> None:
    harness.market.set_price("BTC/USDT", D(67000))
    chat = sandbox.chat(561)
    first = "BTC/USDT LONG\nEntry: 66500\nTarget: 68000\nStop: 65000"
    [plan] = await chat.ask(first, forward_from_chat="Crypto Calls")
    assert "Split" not in plan["text"]  # one entry: nothing to split
    [sources] = await chat.ask("/sources")
    found = re.search(r"• #(\d+) ", sources["text"])
    assert found is not None
    source = found.group(1)

    [shown] = await chat.ask(f"/source {source}")
    assert "Split: evenly" in shown["text"] and "Entries expire: never" in shown["text"]
    [saved] = await chat.ask(f"/source {source} entries weighted-first")
    assert saved["text"].startswith("Saved.") and "Split: weighted to the first entry" in saved["text"]
    await chat.ask(f"/source {source} entry close-on-target on")
    [saved] = await chat.ask(f"/source {source} entry expiry 24h")
    assert "Entries expire: 1d" in saved["text"]
    assert "Close if a target is reached before any entry fills: on" in saved["text"]
    [refused] = await chat.ask(f"/source {source} entry grace 50%")
    assert refused["text"] == "The entry grace must be between 0% and 10%."

    ladder = (
        "BTC/USDT LONG\nEntry 1: 66500\nEntry 2: 66000\nEntry 3: 65500\nTargets: 68000, 69000\nStop: 64000"
    )
    [plan] = await chat.ask(ladder, forward_from_chat="Crypto Calls")
    text = plan["text"]
    assert "Split weighted to the first entry (3/2/1)." in text
    assert (
        "Entries not filled expire after 1d, and are cancelled if target 1 is reached before any fills."
        in text
    )
    amounts = [D(a.replace(",", "")) for a in re.findall(r"Entry \d: .*?\(limit\), ([\d,.]+) USDT", text)]
    assert len(amounts) == 3 and amounts[0] > amounts[1] > amounts[2]
    assert (await chat.tap(plan["message_id"], button(plan, "Follow")))["answer"] == "Followed."

    harness.market.set_price("BTC/USDT", D(68100))  # target 1 before any entry
    harness.clock.advance(1)
    await tracker_pass(harness.core, bot.notices)
    told = [m["text"] for m in await chat.messages() if m["text"].startswith("⌛")]
    assert told == [
        "⌛ BTC/USDT buy signal from Crypto Calls: target 1 (68,000.00) was reached before any entry filled, "
        "so its 3 waiting entries (#1, #2, #3) were cancelled."
    ]


async def test_a_trailing_entry_set_in_chat_arms_a_forwarded_ladders_limit_entries(
    sandbox: Sandbox, bot: TelegramBot, harness: Harness
) -> None:
    harness.market.set_price("BTC/USDT", D(67000))
    chat = sandbox.chat(562)
    first = "BTC/USDT LONG\nEntry: 66500\nTarget: 68000\nStop: 65000"
    await chat.ask(first, forward_from_chat="Crypto Calls")
    [sources] = await chat.ask("/sources")
    found = re.search(r"• #(\d+) ", sources["text"])
    assert found is not None
    source = found.group(1)

    [how] = await chat.ask(f"/source {source} trailing entry soon")
    assert how["text"] == (
        "'soon' is not a percentage. Say the percentage, e.g. '/source 1 trailing entry 2%', or "
        "'/source 1 trailing entry off'."
    )
    [wide] = await chat.ask(f"/source {source} trailing entry 80%")
    assert wide["text"] == "A trailing entry needs a percentage above 0 and at most 50."
    [saved] = await chat.ask(f"/source {source} trailing entry 2%")
    assert saved["text"].startswith(
        "✅ Spot buys from Crypto Calls's signals now enter by a trailing entry of 2%: each limit entry is armed "
        "at its price"
    )
    [shown] = await chat.ask(f"/source {source}")
    assert "Trailing entry: 2% (spot buys)" in shown["text"]

    ladder = "BTC/USDT LONG\nEntry 1: 66500\nEntry 2: 66000\nTargets: 68000\nStop: 64000"
    [plan] = await chat.ask(ladder, forward_from_chat="Crypto Calls")
    assert "(trailing entry 2% armed at 66,500.00)" in plan["text"]
    assert "(trailing entry 2% armed at 66,000.00)" in plan["text"]
    assert (await chat.tap(plan["message_id"], button(plan, "Follow")))["answer"] == "Followed."
    [result] = [m for m in await chat.messages() if m["message_id"] == plan["message_id"]]
    assert "🎯 Entry 66,500.00: trailing entry armed" in result["text"]
    assert "🎯 Entry 66,000.00: trailing entry armed" in result["text"]
    async with harness.core.uow(read_only=True) as uow:
        assert list(await uow.orders.with_status(list(OrderStatus))) == []  # armed, nothing placed
    [listed] = await chat.ask("orders")
    assert listed["text"].startswith("You have no open orders.\n\nTrailing entries waiting:\n• BTC/USDT: ")
    assert listed["text"].count("; while its signal's plan waits") == 2

    [off] = await chat.ask(f"/source {source} trailing entry off")
    assert off["text"] == (
        "✅ Trailing entry off for Crypto Calls: its signals' limit entries rest at their prices again."
    )

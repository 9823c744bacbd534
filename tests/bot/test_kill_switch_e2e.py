"""The kill switch and the pause of automatic following through the sandbox: "close all positions" previews
every sale and close with the orders cancelled first, then Confirm closes them once; "cancel all my orders"
warns of the stops it lifts; "pause auto follow" keeps a signal of a source followed automatically waiting for
a tap, and "resume auto follow" follows the next one again; /risk shows and changes the protections."""

from decimal import Decimal

from bot.telegram.runtime import TelegramBot
from tests.bot.sandbox import Sandbox, UserChat, button
from tests.harness import Harness
from trading.domain.enums import OPEN_STATUSES

D = Decimal
LATER = "ETH/USDT LONG\nEntry: 3010\nTargets: 3200, 3300\nStop: 2800"


async def confirm(chat: UserChat, text: str) -> None:
    [preview] = await chat.ask(text)
    answer = await chat.tap(preview["message_id"], button(preview, "Confirm"))
    assert answer["answer"] == "Order placed.", (preview["text"], answer)


async def user_id(harness: Harness, telegram_id: int) -> int:
    async with harness.core.uow(read_only=True) as uow:
        user = await uow.users.by_telegram_id(telegram_id)
    assert user is not None
    return user.id


async def test_close_all_positions_is_previewed_then_confirmed_once(
    sandbox: Sandbox, bot: TelegramBot, harness: Harness
) -> None:
    chat = sandbox.chat(931)
    harness.market.set_price("ETH/USDT", D(3000))
    [nothing] = await chat.ask("close all positions")
    assert nothing["text"] == "You hold no positions: there is nothing to close."
    await confirm(chat, "buy 0.2 eth sl 2800 tp 3300")
    await confirm(chat, "short 0.1 eth 5x sl 3300")

    [preview] = await chat.ask("close all positions")
    text = preview["text"]
    assert text.startswith("🛑 Close all your positions, at market:"), text
    assert "• sell 0.2 ETH (ETH/USDT), ≈ " in text and "first cancelled: #" in text and "stop loss" in text
    assert "• close the ETH short of 0.1 (ETH/USDT:USDT, a buy reduce-only), ≈ " in text
    assert "USDT in all, before fees." in text and "Confirm within 120 seconds." in text
    answer = await chat.tap(preview["message_id"], button(preview, "Confirm"))
    assert answer == {"ok": True, "answer": "Done."}, answer
    done = (await chat.message(preview["message_id"]))["text"]
    assert done.startswith("🛑 Close all:") and done.count("✅ Order #") == 2, done
    assert "Cancelled on ETH/USDT: #" in done

    again = await chat.tap(preview["message_id"], button(preview, "Confirm"))
    assert "confirmed already" in again["answer"], again
    [portfolio] = await chat.ask("portfolio")
    assert "ETH short" not in portfolio["text"]
    async with harness.core.uow(read_only=True) as uow:
        left = await uow.orders.for_user(await user_id(harness, 931), OPEN_STATUSES)
    assert left == []


async def test_cancel_all_orders_warns_of_the_stops_it_lifts(
    sandbox: Sandbox, bot: TelegramBot, harness: Harness
) -> None:
    chat = sandbox.chat(932)
    harness.market.set_price("ETH/USDT", D(3000))
    await confirm(chat, "buy 0.2 eth sl 2800 tp 3300")
    await confirm(chat, "buy 0.1 eth at 2500")
    [preview] = await chat.ask("cancel all my orders")
    text = preview["text"]
    assert text.startswith("🧹 Cancel all 3 open orders:"), text
    assert "⚠️ 1 of them is a stop protecting a position" in text and "Nothing is sold." in text
    kept = await chat.tap(preview["message_id"], button(preview, "Keep them"))
    assert kept["ok"]
    assert (await chat.message(preview["message_id"]))[
        "text"
    ] == "All right: nothing was closed or cancelled."

    [preview] = await chat.ask("/cancelall")
    await chat.tap(preview["message_id"], button(preview, "Confirm"))
    done = (await chat.message(preview["message_id"]))["text"]
    assert done.startswith("🧹 Cancelled 3 orders: #"), done
    [empty] = await chat.ask("cancel all orders")
    assert empty["text"] == "You have no open orders: there is nothing to cancel."


async def test_pause_auto_follow_keeps_signals_for_a_tap_until_resumed(
    sandbox: Sandbox, bot: TelegramBot, harness: Harness
) -> None:
    chat = sandbox.chat(933)
    harness.market.set_price("ETH/USDT", D(3000))
    [plan] = await chat.ask(
        "BTC/USDT LONG\nEntry: 67100\nTargets: 68000\nStop: 65000", forward_from_chat="Calls"
    )
    answer = await chat.tap(plan["message_id"], button(plan, "Always follow this source"))
    assert answer["answer"] == "Followed."

    [paused] = await chat.ask("pause auto follow")
    assert paused["text"].startswith("⏸ Automatic following is paused"), paused["text"]
    orders = await harness.count("orders")
    [held] = await chat.ask(LATER, forward_from_chat="Calls")
    assert "Not followed automatically: automatic following is paused: you paused it." in held["text"]
    assert button(held, "Follow") and await harness.count("orders") == orders

    [resumed] = await chat.ask("resume auto follow")
    assert resumed["text"] == "▶️ Automatic following resumes. Lifted: you paused it."
    [followed] = await chat.ask(LATER.replace("3010", "3005"), forward_from_chat="Calls")
    assert "Followed automatically" in followed["text"] and "✅ Order #" in followed["text"]
    [again] = await chat.ask("/resume")
    assert again["text"] == "Automatic following was not paused: nothing to resume."


async def test_the_protections_are_shown_and_changed_under_risk(
    sandbox: Sandbox, bot: TelegramBot, harness: Harness
) -> None:
    chat = sandbox.chat(934)
    [shown] = await chat.ask("/risk")
    assert "Protections of automatic following" in shown["text"] and "• Pause: off" in shown["text"]
    [saved] = await chat.ask("/risk drawdown 15%")
    assert "• Pause: at a fall of 15% from the equity's peak within 48 hours (yours)" in saved["text"]
    [cooldown] = await chat.ask("/risk cooldown 1h")
    assert "must be from 4 hours (the operator's)" in cooldown["text"], cooldown["text"]
    [back] = await chat.ask("/risk drawdown default")
    assert "• Pause: off" in back["text"]
    [stopouts] = await chat.ask("/risk stopouts 2")
    assert "• Cooldown: 4 hours after 2 stops hit within 24 hours (yours)" in stopouts["text"]
    [streak] = await chat.ask("/risk streak 2")
    assert "• A source paused after 2 of its signals lost in a row (yours)" in streak["text"], streak["text"]

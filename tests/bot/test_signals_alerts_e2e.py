"""Signals and alerts, end to end through the sandbox."""

from decimal import Decimal

import pytest

from bot.telegram.runtime import TelegramBot
from handlers.keyboards import PlanAction
from tests.bot.sandbox import Sandbox, button
from tests.harness import Harness
from trading.domain.enums import OrderRole, OrderType
from trading.usecases.alerts import set_alert
from trading.usecases.execution import cancel_order

SIGNAL = "BTC/USDT LONG\nEntry: 67100-66900\nTargets: 68000, 69000\nStop: 65000"


async def test_a_forwarded_signal_is_planned_and_followed_into_orders(
    sandbox: Sandbox, bot: TelegramBot, harness: Harness
) -> None:
    chat = sandbox.chat(601)
    [plan] = await chat.ask(SIGNAL, forward_from_chat="Crypto Calls")
    text = plan["text"]
    assert "Crypto Calls" in text and "Entry 1" in text and "Target 2" in text and "Stop: 65,000.00" in text
    assert "at risk" in text
    answer = await chat.tap(plan["message_id"], button(plan, "Follow"))
    assert answer["answer"] == "Followed."
    followed = await chat.message(plan["message_id"])
    assert followed["text"].count("✅ Order #") == 2  # one order per entry (their stop and targets are armed)
    [again] = await chat.ask(SIGNAL, forward_from_chat="Crypto Calls")
    assert "already" in again["text"]
    [stats] = await chat.ask("/sources")
    assert "Crypto Calls: 1 signals, 1 followed" in stats["text"]


async def test_a_signal_whose_stop_and_targets_are_distances_is_planned_with_their_prices(
    sandbox: Sandbox, bot: TelegramBot, harness: Harness
) -> None:
    chat = sandbox.chat(611)
    [plan] = await chat.ask("ETH/USDT LONG\nEntry: 3000\nTP: 5% 10%\nSL: 4%", forward_from_chat="Pct Calls")
    text = plan["text"]
    assert "Stop: 2,880.00" in text and "Target 1: 3,150.00 (50%)" in text and "Target 2: 3,300.00" in text


async def test_a_target_hit_report_opens_nothing(
    sandbox: Sandbox, bot: TelegramBot, harness: Harness
) -> None:
    chat = sandbox.chat(602)
    [reply] = await chat.ask("BTC target 1 hit! +5% profit", forward_from_chat="Crypto Calls")
    assert reply["text"] == (
        "Crypto Calls says: a target hit, about a signal you do not follow. Nothing was traded."
    )
    assert reply["reply_markup"] is None
    assert await harness.count("order_drafts") == 0 and await harness.count("orders") == 0


async def test_an_alert_fires_once(sandbox: Sandbox, bot: TelegramBot, harness: Harness) -> None:
    chat = sandbox.chat(603)
    [reply] = await chat.ask("alert me if SOL drops below 120")
    assert reply["text"].startswith("🔔 Alert set: SOL/USDT below 120.00 (now ")
    assert await bot.watcher.tick() == 0
    harness.market.set_price("SOL/USDT", Decimal(110))
    assert await bot.watcher.tick() == 1
    [fired] = await chat.reply()
    assert "SOL/USDT is below 120.00" in fired["text"]
    assert await bot.watcher.tick() == 0
    [listing] = await chat.ask("/alerts")
    assert listing["text"].startswith("You have no alerts")


async def test_an_alert_on_a_move_in_percent_is_priced_from_the_price_now(
    sandbox: Sandbox, bot: TelegramBot, harness: Harness
) -> None:
    harness.market.set_price("ETH/USDT", Decimal(3000))
    chat = sandbox.chat(606)
    [reply] = await chat.ask("notify me if eth goes up 5%")
    assert reply["text"].startswith("🔔 Alert set: ETH/USDT above 3,150.00 (now ")
    [which_way] = await chat.ask("alert me if eth moves 5%")
    assert "Say which way the move is" in which_way["text"]
    harness.market.set_price("ETH/USDT", Decimal(3151))
    assert await bot.watcher.tick() == 1
    [fired] = await chat.reply()
    assert "ETH/USDT is above 3,150.00" in fired["text"]


async def test_an_alert_set_outside_the_chat_fires_in_it(
    sandbox: Sandbox, bot: TelegramBot, harness: Harness
) -> None:
    """Set through the web app (this use case is what its route calls) or by another process: the watcher of
    this one reads it from the database and fires it."""
    chat = sandbox.chat(605)
    await chat.ask("/start")
    async with harness.core.uow(read_only=True) as uow:
        user = await uow.users.by_telegram_id(chat.user_id)
    assert user is not None
    await set_alert(harness.core, user.id, "SOL", "below", Decimal(120))
    harness.market.set_price("SOL/USDT", Decimal(110))
    assert await bot.watcher.tick() == 1
    [fired] = await chat.reply()
    assert "SOL/USDT is below 120.00" in fired["text"]
    assert await bot.watcher.tick() == 0


async def test_alerts_are_listed_and_deleted_with_buttons(
    sandbox: Sandbox, bot: TelegramBot, harness: Harness
) -> None:
    chat = sandbox.chat(604)
    await chat.ask("alert when btc above 90000")
    [listing] = await chat.ask("/alerts")
    assert "BTC/USDT above 90,000.00" in listing["text"]
    answer = await chat.tap(listing["message_id"], button(listing, "BTC/USDT"))
    assert answer["answer"] == "Alert deleted."
    assert (await chat.message(listing["message_id"]))["text"].startswith("You have no alerts")
    harness.market.set_price("BTC/USDT", Decimal(95000))
    assert await bot.watcher.tick() == 0


async def test_a_leveraged_signal_is_planned_on_futures_at_its_leverage_and_followed(
    sandbox: Sandbox, bot: TelegramBot, harness: Harness
) -> None:
    """Most signals carry a leverage: the plan takes it, on the futures account, with its liquidation price."""
    chat = sandbox.chat(612)
    signal = "ETHUSDT LONG\nEntry: 3000\nTP1 3300\nTP2 3600\nSL 2800\nLev 10x"
    [plan] = await chat.ask(signal, forward_from_chat="Lev Calls")
    assert "long ETH/USDT:USDT (futures)" in plan["text"] and "Leverage: 10x isolated" in plan["text"]
    assert "Liquidation: 2," in plan["text"] and "% beyond the stop" in plan["text"]
    follow = button(plan, "Follow")
    answer = await chat.tap(plan["message_id"], follow)
    assert answer["answer"] == "Followed."
    assert "✅ Order #" in (await chat.message(plan["message_id"]))["text"]
    async with harness.core.uow(read_only=True) as uow:
        [draft] = await uow.drafts.in_group(PlanAction.unpack(follow).group_id)
    assert draft.leverage == Decimal(10) and draft.symbol == "ETH/USDT:USDT"


async def test_a_signal_forwarded_again_before_it_is_followed_is_planned_afresh_and_traded_once(
    sandbox: Sandbox, bot: TelegramBot, harness: Harness
) -> None:
    chat = sandbox.chat(613)
    [first] = await chat.ask(SIGNAL, forward_from_chat="Twice Calls")
    [second] = await chat.ask(SIGNAL, forward_from_chat="Twice Calls")
    assert second["text"].startswith("You had this signal from Twice Calls already, not followed")
    assert "Entry 1" in second["text"]
    stale = await chat.tap(first["message_id"], button(first, "Follow"))
    assert "cancelled" in stale["answer"]
    assert await harness.count("orders") == 0
    assert (await chat.tap(second["message_id"], button(second, "Follow")))["answer"] == "Followed."
    [third] = await chat.ask(SIGNAL, forward_from_chat="Twice Calls")
    assert "already (followed)" in third["text"] and third["reply_markup"] is None


async def test_small_talk_is_answered_in_kind(sandbox: Sandbox, bot: TelegramBot, harness: Harness) -> None:
    chat = sandbox.chat(614)
    [hello] = await chat.ask("hi")
    assert hello["text"].startswith("Hi! Tell me what to do in plain words")
    [welcome] = await chat.ask("thanks!")
    assert welcome["text"].startswith("You're welcome.")
    [unknown] = await chat.ask("asdf qwerty zxcv")
    assert "did not understand" in unknown["text"] or "not sure" in unknown["text"]
    assert await harness.count("order_drafts") == 0


async def test_a_doubtful_reading_is_asked_back_and_acted_on_only_as_chosen(
    sandbox: Sandbox, bot: TelegramBot, harness: Harness
) -> None:
    chat = sandbox.chat(615)
    [asked] = await chat.ask("buy 1 eth at 3000 sl 3100")
    assert asked["text"].startswith("I am not sure what you mean. Did you want to:")
    assert "stop 3100 is not below the entry 3000 of a buy" in asked["text"]
    assert await harness.count("order_drafts") == 0
    answer = await chat.tap(asked["message_id"], button(asked, "Place an order"))
    assert answer["ok"]
    assert (await chat.message(asked["message_id"]))["text"] == "Reading it as: Place an order."
    [refused] = await chat.reply()  # the core says, in its own words, what the reading got wrong
    assert refused["text"] == "A stop loss for a buy must be below the price (3,000.00)."
    assert await harness.count("order_drafts") == 0


async def test_a_minus_sign_on_an_amount_is_asked_to_be_sent_again_not_dropped(
    sandbox: Sandbox, bot: TelegramBot, harness: Harness
) -> None:
    chat = sandbox.chat(616)
    [asked] = await chat.ask("buy -5 eth")
    assert asked["text"] == (
        "Send it again, written as you mean it:\n• -5 has a minus sign, and no amount or price is below zero"
    )
    assert asked["reply_markup"] is None and await harness.count("order_drafts") == 0


async def test_a_pasted_signal_is_planned_as_a_forwarded_one_from_the_source_pasted(
    sandbox: Sandbox, bot: TelegramBot, harness: Harness
) -> None:
    chat = sandbox.chat(620)
    [plan] = await chat.ask(SIGNAL)  # typed or pasted: no channel behind it
    assert (
        plan["text"].startswith("📡 Signal from pasted: buy BTC/USDT") and "Stop: 65,000.00" in plan["text"]
    )
    answer = await chat.tap(plan["message_id"], button(plan, "Follow"))
    assert answer["answer"] == "Followed."
    async with harness.core.uow(read_only=True) as uow:
        user = await uow.users.by_telegram_id(chat.user_id)
        assert user is not None
        [(source, signals)] = await uow.signals.for_user(user.id)
    assert (source.external_id, source.title, len(signals)) == ("pasted", "pasted", 1)


async def test_two_orders_in_one_message_are_asked_to_be_sent_one_at_a_time(
    sandbox: Sandbox, bot: TelegramBot, harness: Harness
) -> None:
    [asked] = await sandbox.chat(617).ask("buy 0.05 eth and 0.001 btc")
    assert asked["text"] == (
        "Send it again, written as you mean it:\n"
        "• it names a second order (0.001 btc): I take one order at a time, so send each on its own"
    )
    assert asked["reply_markup"] is None and await harness.count("order_drafts") == 0


async def test_a_language_not_read_is_answered_in_the_trader_s_own_and_never_traded(
    sandbox: Sandbox, bot: TelegramBot, harness: Harness
) -> None:
    sandbox.state.chat(618).user["language_code"] = "es"
    [answer] = await sandbox.chat(618).ask("kaufen 0,5 eth")
    assert answer["text"] == (
        "No pude leer todo el mensaje: leo inglés, ruso, español, portugués y turco.\nNo leído: kaufen"
    )
    assert answer["reply_markup"] is None and await harness.count("order_drafts") == 0


async def test_a_command_in_russian_is_previewed_as_in_english(
    sandbox: Sandbox, bot: TelegramBot, harness: Harness
) -> None:
    [preview] = await sandbox.chat(619).ask("купи 0,001 btc")
    assert "Buy 0.001 BTC" in preview["text"] and button(preview, "Confirm")


@pytest.mark.parametrize(("keep", "followed"), [(Decimal(75), True), (Decimal(25), False)])
async def test_a_signal_is_followed_only_where_an_entry_was_placed(
    sandbox: Sandbox, bot: TelegramBot, harness: Harness, keep: Decimal, followed: bool
) -> None:
    """As the API has it (tests/webapp/test_api_signal_follow.py): one entry of two refused is followed, both
    refused is not, and the same post then plans it afresh."""
    chat = sandbox.chat(615 if followed else 616)
    harness.market.set_price("BTC/USDT", Decimal(67000))  # the first entry at the market, the second below
    [plan] = await chat.ask(SIGNAL, forward_from_chat="Thin Calls")
    async with harness.core.uow(read_only=True) as uow:
        user = await uow.users.by_telegram_id(chat.user_id)
    assert user is not None
    holding = await harness.hold_all_but(user.id, keep)  # 100 USDT a signal: about 50 each entry

    answer = await chat.tap(plan["message_id"], button(plan, "Follow"))
    assert answer["answer"] == ("Followed." if followed else "Not followed: nothing was placed.")
    text = (await chat.message(plan["message_id"]))["text"]
    assert (text.count("✅ Order #"), text.count("not placed")) == ((1, 1) if followed else (0, 2))
    [stats] = await chat.ask("/sources")
    assert f"Thin Calls: 1 signals, {int(followed)} followed" in stats["text"]
    await cancel_order(harness.core, user.id, holding.id)
    [again] = await chat.ask(SIGNAL, forward_from_chat="Thin Calls")
    assert ("already (followed)" in again["text"]) is followed
    assert (
        again["text"].startswith("You had this signal from Thin Calls already, not followed") is not followed
    )


async def test_a_recurring_order_is_previewed_as_a_plan_not_placed_as_a_single_one(
    sandbox: Sandbox, bot: TelegramBot, harness: Harness
) -> None:
    [asked] = await sandbox.chat(619).ask("buy 50 usdt of btc every monday")
    assert asked["text"].startswith("📝 Buy 50 USDT of BTC every Monday"), asked["text"]
    assert "Confirm" in str(asked["reply_markup"]) and await harness.count("orders") == 0


async def test_a_breakout_signal_enter_above_is_followed_as_a_stop_entry_waiting_for_its_level(
    sandbox: Sandbox, bot: TelegramBot, harness: Harness
) -> None:
    harness.market.set_price("SOL/USDT", Decimal("14.5"))
    chat = sandbox.chat(611)
    post = "SOL/USDT LONG\nEnter above 15.2\nTargets: 16, 17\nStop: 14"
    [plan] = await chat.ask(post, forward_from_chat="Breakout Calls")
    assert "Breakout Calls" in plan["text"] and "15.20" in plan["text"], plan["text"]
    await chat.tap(plan["message_id"], button(plan, "Follow"))
    async with harness.core.uow() as uow:
        found = await uow.users.by_telegram_id(611)
        assert found is not None
        orders = await uow.orders.for_user(found.id)
    [entry] = [o for o in orders if o.role is OrderRole.ENTRY]
    assert (entry.order_type, entry.price, entry.filled) == (OrderType.STOP, Decimal("15.2"), Decimal(0))

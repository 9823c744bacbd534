"""Orders in chat, end to end through the sandbox."""

import asyncio
from dataclasses import replace
from decimal import Decimal

from bot.server import reconcile
from bot.telegram.runtime import TelegramBot
from tests.bot.sandbox import Sandbox, button, start_bot
from tests.harness import FailingExchanges, Harness, answer_lost
from trading.domain.enums import OrderRole, OrderStatus
from trading.usecases.tracking import IN_FLIGHT_AT_MOST


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


async def test_a_stop_said_as_a_percentage_is_shown_as_its_price_and_armed_with_the_order(
    sandbox: Sandbox, bot: TelegramBot, harness: Harness
) -> None:
    chat = sandbox.chat(531)
    [preview] = await chat.ask("buy $50 of eth with a 5% stop")
    stop_line = next(line for line in preview["text"].splitlines() if line.startswith("Stop:"))
    assert stop_line != "Stop: none" and stop_line.endswith("(5.00% away)")
    stop = Decimal(stop_line.split()[1].replace(",", ""))
    await chat.tap(preview["message_id"], button(preview, "Confirm"))
    async with harness.core.uow() as uow:
        user = await uow.users.by_telegram_id(531)
        assert user is not None
        [entry, leg] = sorted(await uow.orders.for_user(user.id), key=lambda order: order.id)
    assert entry.status is OrderStatus.FILLED and leg.parent_id == entry.id
    assert (leg.role, leg.status, leg.price) == (OrderRole.STOP_LOSS, OrderStatus.ARMED, stop)
    confirmation = (await chat.message(preview["message_id"]))["text"].splitlines()
    assert confirmation[-1].startswith(f"🛑 Stop: sell {leg.quantity.normalize()} ETH at ")
    assert confirmation[-1].endswith(f"(#{leg.id}, held by the bot)")


async def test_closing_a_position_sells_all_of_it_and_says_so_when_there_is_none(
    sandbox: Sandbox, bot: TelegramBot, harness: Harness
) -> None:
    chat = sandbox.chat(532)
    assert [m["text"] for m in await chat.ask("close my eth")] == ["You have no ETH free to sell."]
    assert [m["text"] for m in await chat.ask("sell half my eth")] == ["You have no ETH free to sell."]
    [which] = await chat.ask("close my position")
    assert which["text"].startswith("Which position should I close?")
    [nothing] = await chat.ask("close all my positions")  # the kill switch, with nothing held to close
    assert nothing["text"] == "You hold no positions: there is nothing to close."
    await chat.confirmed("buy 0.01 eth")
    [closing] = await chat.ask("close my eth")
    assert closing["text"].startswith("📝 Sell 0.01 ETH") and closing["reply_markup"] is not None


async def test_a_stop_for_coins_held_is_a_stop_order_to_sell_them_previewed_and_confirmed(
    sandbox: Sandbox, bot: TelegramBot, harness: Harness
) -> None:
    chat = sandbox.chat(533)
    await chat.confirmed("buy 0.01 eth")
    bid = (await harness.market.ticker("ETH/USDT")).bid
    [refused] = await chat.ask(f"set my eth stop to {int(bid) + 100}")
    assert "it would sell at once" in refused["text"] and refused["reply_markup"] is None
    stop = int(bid * Decimal("0.9"))
    [preview] = await chat.ask(f"set my eth stop to {stop}")
    assert preview["text"].startswith("📝 Sell 0.01 ETH") and f"stop at {stop:,}.00" in preview["text"]
    assert await chat.tap(preview["message_id"], button(preview, "Confirm")) == {
        "ok": True,
        "answer": "Order placed.",
    }
    [listed] = await chat.ask("orders")
    assert "ETH" in listed["text"] and listed["reply_markup"] is not None  # resting, with its cancel button
    [which] = await chat.ask("set a stop to 3000")
    assert which["text"].startswith("Say the coin and the stop price")


async def test_setting_the_stop_again_moves_the_one_resting_rather_than_adding_a_second(
    sandbox: Sandbox, bot: TelegramBot, harness: Harness
) -> None:
    chat = sandbox.chat(534)
    await chat.confirmed("buy 0.01 eth")
    stop = int((await harness.market.ticker("ETH/USDT")).bid * Decimal("0.9"))
    await chat.confirmed(f"set my eth stop to {stop}")
    [preview] = await chat.ask(f"set my eth stop to {stop - 10}")
    assert preview["text"].startswith(f"📝 Move your ETH stop: {stop:,}.00 → {stop - 10:,}.00 USDT")
    assert "Sells 0.01 ETH once the bid falls to" in preview["text"]
    assert "Change amount" not in str(preview["reply_markup"])
    assert await chat.tap(preview["message_id"], button(preview, "Confirm")) == {
        "ok": True,
        "answer": "Stop moved.",
    }
    moved = await chat.message(preview["message_id"])
    assert moved["text"].startswith(f"✅ Your ETH stop is now at {stop - 10:,}.00 USDT: it sells 0.01 ETH")
    async with harness.core.uow() as uow:
        user = await uow.users.by_telegram_id(534)
        assert user is not None
        [_, first, second] = sorted(await uow.orders.for_user(user.id), key=lambda order: order.id)
    assert (first.status, first.price) == (OrderStatus.CANCELLED, Decimal(stop))
    assert (second.status, second.price, second.quantity) == (
        OrderStatus.OPEN,
        Decimal(stop - 10),
        Decimal("0.01"),
    )
    [again] = await chat.ask(f"set my eth stop to {stop - 10}")
    assert again["text"] == f"Your ETH stop is already at {stop - 10:,.2f}." and again["reply_markup"] is None


async def test_the_stop_armed_with_a_buy_is_moved_in_place_and_a_move_the_market_passed_is_refused(
    sandbox: Sandbox, bot: TelegramBot, harness: Harness
) -> None:
    chat = sandbox.chat(535)
    await chat.confirmed("buy 0.01 eth with a 5% stop")
    bid = (await harness.market.ticker("ETH/USDT")).bid
    [refused] = await chat.ask(f"set my eth stop to {int(bid) + 100}")
    assert "it would sell at once" in refused["text"] and refused["reply_markup"] is None
    target = int(bid * Decimal("0.98"))
    [preview] = await chat.ask(f"move my eth stop to {target}")
    assert (
        preview["text"].startswith("📝 Move your ETH stop: ") and f"→ {target:,}.00 USDT" in preview["text"]
    )
    await chat.tap(preview["message_id"], button(preview, "Confirm"))
    async with harness.core.uow() as uow:
        user = await uow.users.by_telegram_id(535)
        assert user is not None
        [entry, leg] = sorted(await uow.orders.for_user(user.id), key=lambda order: order.id)
    assert leg.parent_id == entry.id and (leg.role, leg.status) == (OrderRole.STOP_LOSS, OrderStatus.ARMED)
    assert (leg.price, leg.quantity) == (Decimal(target), entry.filled)  # the same leg, at its new price


async def test_a_move_confirmed_after_its_stop_went_away_moves_nothing_and_says_so(
    sandbox: Sandbox, bot: TelegramBot, harness: Harness
) -> None:
    chat = sandbox.chat(536)
    await chat.confirmed("buy 0.01 eth with a 5% stop")
    target = int((await harness.market.ticker("ETH/USDT")).bid * Decimal("0.98"))
    [preview] = await chat.ask(f"set my eth stop to {target}")
    async with harness.core.uow() as uow:  # the leg cancelled in the meantime ('orders', Cancel)
        user = await uow.users.by_telegram_id(536)
        assert user is not None
        [_, leg] = sorted(await uow.orders.for_user(user.id), key=lambda order: order.id)
        assert await uow.orders.transition(leg.id, OrderStatus.ARMED, OrderStatus.CANCELLED)
        await uow.commit()
    answer = await chat.tap(preview["message_id"], button(preview, "Confirm"))
    assert "no longer open" in answer["answer"] and "nothing was moved" in answer["answer"]
    assert (await chat.message(preview["message_id"]))["text"].startswith("✖️ Not moved: ")
    async with harness.core.uow() as uow:
        assert (await uow.orders.get(leg.id)) == replace(leg, status=OrderStatus.CANCELLED)


async def test_two_stops_on_one_coin_are_not_guessed_between(
    sandbox: Sandbox, bot: TelegramBot, harness: Harness
) -> None:
    chat = sandbox.chat(537)
    await chat.confirmed("buy 0.01 eth with a 5% stop")
    await chat.confirmed("buy 0.01 eth with a 6% stop")
    [asked] = await chat.ask("set my eth stop to 3000")
    assert asked["text"].startswith("You have 2 stops on ETH (at ") and asked["reply_markup"] is None
    assert "cancel the ones you no longer want first ('orders' lists them)" in asked["text"]


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
    await chat.confirmed("buy 0.01 btc")
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


async def test_an_order_the_exchange_did_not_answer_is_looked_up_and_the_trader_told(
    sandbox: Sandbox, harness: Harness
) -> None:
    """Placed, but its answer lost: the preview says it may have been placed, not that it was not; once no
    longer in flight, the tracker's look finds it at the exchange and the trader is told it filled."""
    unanswering = replace(harness.core, exchanges=FailingExchanges(harness, answer_lost, after_sending=True))
    bot = await start_bot(sandbox, harness, core=unanswering)
    try:
        chat = sandbox.chat(506)
        [preview] = await chat.ask("buy 0.01 btc")
        answer = await chat.tap(preview["message_id"], button(preview, "Confirm"))
        assert "It may have been placed" in answer["answer"]
        waiting = await chat.message(preview["message_id"])
        assert waiting["text"].startswith(
            "⏳ The exchange did not confirm the order. It may have been placed"
        )
        assert "Not placed" not in waiting["text"] and waiting["reply_markup"] is None

        assert (await reconcile(harness.core)).found == 0  # it may still be in flight in some process
        harness.clock.advance(IN_FLIGHT_AT_MOST.total_seconds() + 1)
        assert (await reconcile(harness.core)).found == 1
        assert await bot.notices.deliver() == 1
        [told] = await chat.reply()
        assert told["text"].startswith("✅ Order #") and "buy 0.01 BTC, filled: 0.01 at" in told["text"]
        assert told["text"].endswith(". Checked with the exchange, which had not answered at first.")
        assert await harness.count("orders") == 1
    finally:
        await bot.stop()


async def test_an_order_named_by_its_number_is_offered_for_cancelling(
    sandbox: Sandbox, bot: TelegramBot, harness: Harness
) -> None:
    chat = sandbox.chat(530)
    price = (await harness.market.ticker("ETH/USDT")).bid * Decimal("0.8")
    await chat.confirmed(f"buy 0.01 eth at {price:.2f}")
    async with harness.core.uow(read_only=True) as uow:
        user = await uow.users.by_telegram_id(chat.user_id)
        assert user is not None
        [resting] = await uow.orders.for_user(user.id, (OrderStatus.OPEN,), 10)
    [offer] = await chat.ask(f"cancel order {resting.id}")
    assert f"#{resting.id}" in offer["text"]
    answer = await chat.tap(offer["message_id"], button(offer, f"Cancel #{resting.id}"))
    assert answer["answer"] == f"Order #{resting.id} cancelled."
    [unknown] = await chat.ask(f"cancel order {resting.id + 100}")
    assert unknown["text"].startswith(f"Order #{resting.id + 100} is not open")


async def test_the_coins_a_trader_can_trade_are_listed(
    sandbox: Sandbox, bot: TelegramBot, harness: Harness
) -> None:
    [answer] = await sandbox.chat(531).ask("what coins can I trade?")
    listed = {m.base for m in (await harness.market.markets()).values() if m.quote == "USDT"}
    assert answer["text"].startswith(f"Your paper account trades {len(listed)} coins: ")
    assert all(coin in answer["text"] for coin in listed)


async def test_pnl_shows_the_open_positions_unrealised_beside_the_realised(
    sandbox: Sandbox, bot: TelegramBot, harness: Harness
) -> None:
    chat = sandbox.chat(532)
    await chat.confirmed("buy 0.01 eth")
    harness.market.set_price("ETH/USDT", (await harness.market.ticker("ETH/USDT")).last * 2)
    [answer] = await chat.ask("/pnl")
    lines = answer["text"].splitlines()
    assert lines[0].startswith("Unrealised P&L now: +") and lines[0].endswith(" USDT")
    assert lines[1].startswith("• ETH/USDT: +")
    assert lines[2] == "No realised P&L in the last 30 days."

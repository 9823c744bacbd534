"""Stops that move, in the chat through the sandbox: a trailing stop previewed and confirmed, a stop at a
distance from the price, the stop to break-even, a signal source's stop mode, and trailing entries."""

import re
from decimal import Decimal

from bot.telegram.runtime import TelegramBot
from handlers.keyboards import StopModeAction
from handlers.stop_modes import KEPT
from tests.bot.sandbox import Sandbox, button
from tests.bot.test_auto_follow_e2e import FIRST
from tests.harness import Harness
from trading.domain.enums import DraftStatus, OrderRole, OrderStatus
from trading.domain.orders import Order
from trading.domain.stop_modes import StopModeKind
from trading.usecases.stop_mode_setting import stop_modes_of
from trading.usecases.trailing_entries import ENTRY_LIFE, TrailingEntries


async def legs_of(harness: Harness, telegram_id: int) -> tuple[int, Order, Order]:
    async with harness.core.uow() as uow:
        user = await uow.users.by_telegram_id(telegram_id)
        assert user is not None
        [entry, leg] = sorted(await uow.orders.for_user(user.id), key=lambda order: order.id)
    return user.id, entry, leg


async def test_trail_my_stop_is_previewed_confirmed_and_moves_the_stop_at_once(
    sandbox: Sandbox, bot: TelegramBot, harness: Harness
) -> None:
    chat = sandbox.chat(541)
    await chat.confirmed("buy 0.01 eth with a 5% stop")
    [preview] = await chat.ask("trail my eth stop 3%")
    assert preview["text"].startswith("📝 From now on, your ETH stop trails 3% below the highest price")
    assert "It moves now: " in preview["text"]
    _, _, before = await legs_of(harness, 541)
    await chat.tap(preview["message_id"], button(preview, "Confirm"))
    assert (await chat.message(preview["message_id"]))["text"].startswith("✅ Done: your ETH stop trails 3%")
    user, entry, leg = await legs_of(harness, 541)
    assert entry.average_price is not None
    bid = (await harness.market.ticker("ETH/USDT")).bid
    assert (leg.id, leg.role, leg.status) == (before.id, OrderRole.STOP_LOSS, OrderStatus.ARMED)
    assert leg.price is not None and before.price is not None and before.price < leg.price < bid
    high = max(entry.average_price, bid)  # the highest price since entry: the fill's, or the bid now
    assert leg.price == (high * Decimal("0.97")).quantize(Decimal("0.01"), "ROUND_FLOOR")
    [mode] = await stop_modes_of(harness.core, user)
    assert (mode.mode.kind, mode.mode.percent) == (StopModeKind.TRAILING, Decimal(3))
    answer = await chat.tap(preview["message_id"], button(preview, "Confirm"))
    assert "already in force" in answer["answer"]


async def test_a_stop_at_a_percentage_and_to_break_even_are_moves_previewed_like_any(
    sandbox: Sandbox, bot: TelegramBot, harness: Harness
) -> None:
    chat = sandbox.chat(542)
    await chat.confirmed("buy 0.01 eth with a 5% stop")
    bid = (await harness.market.ticker("ETH/USDT")).bid
    [preview] = await chat.ask("set stop on eth at 2%")
    at = (bid * Decimal("0.98")).quantize(Decimal("0.01"))
    assert preview["text"].startswith("📝 Move your ETH stop: ") and f"→ {at:,} USDT" in preview["text"]
    await chat.tap(preview["message_id"], button(preview, "Confirm"))
    assert (await legs_of(harness, 542))[2].price == at

    harness.market.set_price("ETH/USDT", bid * Decimal("1.05"))  # in profit: break-even is below the price
    [even] = await chat.ask("move my eth stop to break even")
    _, entry, _ = await legs_of(harness, 542)
    assert entry.average_price is not None
    assert f"→ {entry.average_price.quantize(Decimal('0.01')):,} USDT" in even["text"]
    await chat.tap(even["message_id"], button(even, "Confirm"))
    assert (await legs_of(harness, 542))[2].price == entry.average_price.quantize(Decimal("0.01"))


async def test_a_sources_stop_mode_is_set_with_source_and_shown_by_sources(
    sandbox: Sandbox, bot: TelegramBot, harness: Harness
) -> None:
    chat = sandbox.chat(543)
    [none] = await chat.ask("/source 1 trail 3%")
    assert none["text"] == "That signal source was not found."
    harness.market.set_price("BTC/USDT", Decimal(67000))
    await chat.ask(FIRST, forward_from_chat="Crypto Calls")
    [sources] = await chat.ask("/sources")
    found = re.search(r"• #(\d+) Crypto Calls", sources["text"])
    assert found is not None
    number = found.group(1)
    [how] = await chat.ask(f"/source {number} trail three")
    assert how["text"].startswith("Say the source's number and the stop mode")
    [entry] = await chat.ask(f"/source {number} trailing entry 2%")  # an entry rule, beside the stop mode
    assert entry["text"].startswith(
        "✅ Spot buys from Crypto Calls's signals now enter by a trailing entry of 2%"
    )
    [wide] = await chat.ask(f"/source {number} trail 80%")
    assert wide["text"] == "A trailing stop needs a percentage above 0 and at most 50."
    [done] = await chat.ask(f"/source {number} trail 3%")
    assert done["text"] == "✅ Positions from Crypto Calls's signals get the stop trailing 3% from now on."
    [sources] = await chat.ask("/sources")
    assert "its positions get the stop trailing 3%" in sources["text"]
    [shown] = await chat.ask(f"/source {number}")
    assert "Its positions get the stop trailing 3%." in shown["text"]
    [even] = await chat.ask(f"/source {number} break even 2")
    assert even["text"].endswith("get the stop to the entry after target 2 from now on.")


async def test_a_moving_target_and_break_even_after_a_target_are_modes_previewed_then_confirmed(
    sandbox: Sandbox, bot: TelegramBot, harness: Harness
) -> None:
    chat = sandbox.chat(545)
    harness.market.set_price("ETH/USDT", Decimal(3000))
    await chat.confirmed("buy 0.01 eth with stop 2800 and targets 3300 3600")
    [moving] = await chat.ask("moving target on my eth stop")
    assert moving["text"].startswith("📝 From now on, your ETH stop moves behind each target reached")
    assert "It stays at 2,800.00 until the market moves it." in moving["text"]
    await chat.tap(moving["message_id"], button(moving, "Confirm"))
    async with harness.core.uow() as uow:
        found = await uow.users.by_telegram_id(545)
    assert found is not None
    user = found.id
    [mode] = await stop_modes_of(harness.core, user)
    assert mode.mode.kind is StopModeKind.MOVING_TARGET
    assert mode.mode.targets == (Decimal(3300), Decimal(3600))

    [even] = await chat.ask("move my eth stop to break even after target 2")
    assert even["text"].startswith(
        "📝 From now on, your ETH stop moves to your entry once target 2 is reached"
    )
    await chat.tap(even["message_id"], button(even, "Confirm"))
    [mode] = await stop_modes_of(harness.core, user)  # a new mode takes the old one's place
    assert (mode.mode.kind, mode.mode.after_target) == (StopModeKind.BREAK_EVEN, 2)

    [tp] = await chat.ask("set a trailing take profit of 3% on eth")
    assert "ETH" in tp["text"], tp["text"]
    for said in ("trailing tp 3% on my eth", "trailing take profit 3% on eth"):  # said short: the same mode
        [short] = await chat.ask(said)
        assert short["text"].split("\n")[0] == tp["text"].split("\n")[0], short["text"]
        await chat.tap(short["message_id"], button(short, "Keep"))
    await chat.tap(tp["message_id"], button(tp, "Confirm"))
    [mode] = await stop_modes_of(harness.core, user)
    assert (mode.mode.kind, mode.mode.percent) == (StopModeKind.TRAILING_TAKE_PROFIT, Decimal(3))


async def test_a_trailing_buy_is_a_trailing_entry_previewed_confirmed_listed_and_gone_a_week_on(
    sandbox: Sandbox, bot: TelegramBot, harness: Harness
) -> None:
    chat = sandbox.chat(546)
    harness.market.set_price("ETH/USDT", Decimal(3000))
    [asked] = await chat.ask("trailing buy 0.1 eth")
    assert asked["text"].startswith("How far should the price turn back up before buying?")
    [preview] = await chat.ask("trailing buy 0.1 eth 2%")
    assert preview["text"].startswith("📝 Trailing entry: ETH is bought once it turns back up 2% from a low")
    assert "It buys 0.1 ETH at market then" in preview["text"]
    await chat.tap(preview["message_id"], button(preview, "Confirm"))
    assert (await chat.message(preview["message_id"]))["text"].startswith("✅ Done: ETH is bought once")
    async with harness.core.uow() as uow:
        user = await uow.users.by_telegram_id(546)
        assert user is not None
        assert await uow.orders.for_user(user.id) == []  # nothing bought until the price turns
    [mode] = await stop_modes_of(harness.core, user.id)
    assert (mode.mode.kind, mode.mode.percent) == (StopModeKind.TRAILING_ENTRY, Decimal(2))
    [listed] = await chat.ask("orders")
    until = (harness.clock.now() + ENTRY_LIFE).strftime("%Y-%m-%d %H:%M UTC")
    assert listed["text"].startswith(
        "You have no open orders.\n\nTrailing entries waiting:\n• ETH/USDT: ETH is"
    )
    assert listed["text"].endswith(f"; until {until}")

    harness.clock.advance(ENTRY_LIFE.total_seconds())  # a week on, never bought
    await TrailingEntries(harness.core, harness.container.prices).refresh()
    # What the trader is told then: tests/integration/test_trailing_entries.py.
    [emptied] = await chat.ask("orders")
    assert emptied["text"] == "You have no open orders."


async def test_a_trailing_buy_at_its_own_level_waits_for_it_then_buys_on_the_turn(
    sandbox: Sandbox, bot: TelegramBot, harness: Harness
) -> None:
    chat = sandbox.chat(547)
    harness.market.set_price("ETH/USDT", Decimal(3000))
    [asked] = await chat.ask("trailing buy 0.1 eth at 2900")
    assert asked["text"].startswith("How far should the price turn back up before buying?")
    [refused] = await chat.ask("trailing buy 0.1 eth above 2900 2%")
    assert refused["text"].startswith("A trailing entry waits for the price to fall to a level")
    [above] = await chat.ask("trailing buy 0.1 eth at 3100 2%")
    assert "3,100.00 is at or above the market (" in above["text"] and "armed at once" in above["text"]
    [preview] = await chat.ask("trailing buy 0.1 eth below 2900 2%")
    assert preview["text"].startswith(
        "📝 Trailing entry: ETH is bought once it turns back up 2% from a low below 2,900.00."
    )
    assert "It waits for the price to reach 2,900.00 first (the market is at " in preview["text"]
    await chat.tap(preview["message_id"], button(preview, "Confirm"))
    async with harness.core.uow() as uow:
        user = await uow.users.by_telegram_id(547)
    assert user is not None
    [mode] = await stop_modes_of(harness.core, user.id)  # the one confirmed; the other preview lapses
    assert (mode.mode.entry, mode.mode.percent) == (Decimal(2900), Decimal(2))
    entries = TrailingEntries(harness.core, harness.container.prices)
    await entries.refresh()
    for price, bought in (("2960", 0), ("3030", 0), ("2880", 0), ("2930", 0), ("2940", 1)):
        harness.market.set_price("ETH/USDT", Decimal(price))  # up 2% from 2,880 (the ask) buys
        assert await entries.on_price(await harness.market.ticker("ETH/USDT")) == bought, price
    async with harness.core.uow() as uow:
        [order] = await uow.orders.for_user(user.id)
    assert (order.status, order.quantity) == (OrderStatus.FILLED, Decimal("0.1"))


async def test_a_trailing_entry_is_cancelled_from_the_orders_list_its_buy_with_it(
    sandbox: Sandbox, bot: TelegramBot, harness: Harness
) -> None:
    chat = sandbox.chat(548)
    harness.market.set_price("ETH/USDT", Decimal(3000))
    await chat.confirmed("buy 0.01 eth at 2500")
    [preview] = await chat.ask("trailing buy 0.1 eth 2%")
    mode_id = StopModeAction.unpack(button(preview, "Confirm")).mode_id
    await chat.tap(preview["message_id"], button(preview, "Confirm"))
    [listed] = await chat.ask("orders")
    assert (
        listed["text"].startswith("Open orders:\n#")
        and "\n\nTrailing entries waiting:\n• ETH/USDT" in listed["text"]
    )
    cancel_order = button(listed, "buy ETH/USDT")
    answer = await chat.tap(listed["message_id"], button(listed, "Cancel trailing buy ETH/USDT"))
    assert answer["answer"] == "Your trailing entry on ETH/USDT is off: nothing will be bought."
    after = await chat.message(listed["message_id"])
    assert after["text"].startswith("Open orders:\n#") and "Trailing entries" not in after["text"]
    assert [b["callback_data"] for [b] in after["reply_markup"]["inline_keyboard"]] == [cancel_order]
    async with harness.core.uow() as uow:
        user = await uow.users.by_telegram_id(548)
        assert user is not None
        draft = await uow.drafts.get(mode_id)
    assert draft is not None and draft.status is DraftStatus.CANCELLED  # its buy ended with it
    assert await stop_modes_of(harness.core, user.id) == []
    again = await chat.tap(listed["message_id"], button(listed, "Cancel trailing buy ETH/USDT"))
    assert again["answer"].startswith("That trailing entry is off already")


async def test_a_forged_trailing_entry_off_naming_a_positions_mode_is_refused_and_changes_nothing(
    sandbox: Sandbox, bot: TelegramBot, harness: Harness
) -> None:
    chat = sandbox.chat(549)
    await chat.confirmed("buy 0.01 eth with a 5% stop")
    [preview] = await chat.ask("trail my eth stop 3%")
    mode_id = StopModeAction.unpack(button(preview, "Confirm")).mode_id
    await chat.tap(preview["message_id"], button(preview, "Confirm"))
    [listed] = await chat.ask("orders")
    forged = StopModeAction(action="off", mode_id=mode_id).pack()  # the orders list's Cancel, on this mode
    answer = await chat.tap(listed["message_id"], forged)
    assert answer["answer"] == (
        "That is your trailing stop on ETH/USDT, not a trailing entry: it stays as it was."
    )
    user, _, _ = await legs_of(harness, 549)
    [mode] = await stop_modes_of(harness.core, user)
    assert (mode.id, mode.mode.kind, mode.mode.percent) == (mode_id, StopModeKind.TRAILING, Decimal(3))
    assert (await chat.message(listed["message_id"]))["text"] == listed["text"]


async def test_keep_on_a_trailing_entry_preview_cancels_its_buy_and_the_preview_with_it(
    sandbox: Sandbox, bot: TelegramBot, harness: Harness
) -> None:
    chat = sandbox.chat(550)
    harness.market.set_price("ETH/USDT", Decimal(3000))
    [preview] = await chat.ask("trailing buy 0.1 eth 2%")
    confirm = button(preview, "Confirm")
    mode_id = StopModeAction.unpack(confirm).mode_id
    await chat.tap(preview["message_id"], button(preview, "Keep"))
    assert (await chat.message(preview["message_id"]))["text"] == KEPT
    async with harness.core.uow() as uow:
        user = await uow.users.by_telegram_id(550)
        draft = await uow.drafts.get(mode_id)
        kept = await uow.stop_modes.get(mode_id)
    assert user is not None and kept is None
    assert draft is not None and draft.status is DraftStatus.CANCELLED  # no buy left pending for a week
    # The declined preview's Confirm (its buttons are gone: a forged tap) sets nothing.
    answer = await chat.tap(preview["message_id"], confirm)
    assert answer["answer"] == "That stop mode preview was not found."
    assert await stop_modes_of(harness.core, user.id) == []

"""A channel the trader made the bot an administrator of, through the sandbox: it becomes the trader's source,
its posts are planned in the trader's chat, and an edited post is planned again (a signal not yet followed) or
its change told, with nothing traded (a signal followed)."""

from decimal import Decimal

from bot.telegram.runtime import TelegramBot
from tests.bot.sandbox import Sandbox, SandboxChannel, UserChat, button
from tests.harness import Harness
from trading.domain.enums import OrderRole
from trading.domain.orders import Order

TITLE = "Crypto Calls"
SIGNAL = "BTC/USDT LONG\nEntry: 67100-66900\nTargets: 68000, 69000\nStop: 65000"


async def linked(sandbox: Sandbox, harness: Harness, user_id: int) -> tuple[UserChat, SandboxChannel]:
    """The trader made the bot an administrator of the channel, and was told so."""
    harness.market.set_price("BTC/USDT", Decimal(67000))
    chat, channel = sandbox.chat(user_id), sandbox.channel(TITLE)
    await channel.make_admin(user_id)
    [told] = await chat.reply()
    assert told["text"].startswith(
        "📡 I am an administrator of Crypto Calls now: its posts will now be read"
    ), told
    return chat, channel


async def orders_of(harness: Harness, telegram_id: int) -> list[Order]:
    async with harness.core.uow(read_only=True) as uow:
        user = await uow.users.by_telegram_id(telegram_id)
        assert user is not None
        return list(await uow.orders.for_user(user.id))


async def test_the_trader_who_made_the_bot_an_admin_gets_the_channel_s_signals(
    sandbox: Sandbox, bot: TelegramBot, harness: Harness
) -> None:
    chat, channel = await linked(sandbox, harness, 801)
    await channel.post(SIGNAL)
    [plan] = await chat.reply()
    assert plan["text"].startswith("📡 Signal from Crypto Calls: buy BTC/USDT")
    answer = await chat.tap(plan["message_id"], button(plan, "Follow"))
    assert answer["answer"] == "Followed."
    [sources] = await chat.ask("/sources")
    assert "Crypto Calls" in sources["text"]


async def test_an_edited_signal_not_yet_followed_is_planned_again_and_only_the_new_plan_follows(
    sandbox: Sandbox, bot: TelegramBot, harness: Harness
) -> None:
    chat, channel = await linked(sandbox, harness, 802)
    post = await channel.post(SIGNAL)
    [plan] = await chat.reply()
    await channel.edit(post, SIGNAL.replace("Stop: 65000", "Stop: 65500").replace("69000", "69500"))
    [again] = await chat.reply()
    assert again["text"].startswith(
        "✏️ Crypto Calls edited its BTC signal: targets 68,000, 69,000 → 68,000, 69,500; stop 65,000 → 65,500. "
        "Here is a new plan in its place; the earlier plan places nothing now."
    ), again["text"]
    assert "Stop: 65,500.00" in again["text"] and "Target 2: 69,500.00" in again["text"]
    old = await chat.tap(plan["message_id"], button(plan, "Follow"))
    assert old["answer"] == "This plan was cancelled: a newer plan of the signal replaced it."
    assert await orders_of(harness, 802) == []
    new = await chat.tap(again["message_id"], button(again, "Follow"))
    assert new["answer"] == "Followed."
    entries = [o for o in await orders_of(harness, 802) if o.role is OrderRole.ENTRY]
    assert len(entries) == 2


async def test_an_edit_that_changes_nothing_tradable_is_a_short_note(
    sandbox: Sandbox, bot: TelegramBot, harness: Harness
) -> None:
    chat, channel = await linked(sandbox, harness, 803)
    post = await channel.post(SIGNAL)
    await chat.reply()
    await channel.edit(post, SIGNAL + "\n\nGood luck everyone! 🚀")
    [note] = await chat.reply()
    assert note["text"] == "✏️ Crypto Calls edited its BTC post: nothing tradable changed."
    assert note["reply_markup"] is None


async def test_an_edit_of_a_post_never_read_is_read_as_a_new_post(
    sandbox: Sandbox, bot: TelegramBot, harness: Harness
) -> None:
    harness.market.set_price("BTC/USDT", Decimal(67000))
    channel = sandbox.channel(TITLE)
    post = await channel.post("Good morning, traders! Signals later today.")  # nobody follows it yet
    chat, channel = await linked(sandbox, harness, 804)
    await channel.edit(post, SIGNAL)
    [plan] = await chat.reply()
    assert plan["text"].startswith("📡 Signal from Crypto Calls: buy BTC/USDT")
    assert button(plan, "Follow")


async def test_an_edited_signal_already_followed_is_told_and_its_stop_move_offered_not_made(
    sandbox: Sandbox, bot: TelegramBot, harness: Harness
) -> None:
    chat, channel = await linked(sandbox, harness, 805)
    post = await channel.post(SIGNAL)
    [plan] = await chat.reply()
    assert (await chat.tap(plan["message_id"], button(plan, "Follow")))["answer"] == "Followed."
    before = await orders_of(harness, 805)
    await channel.edit(post, SIGNAL.replace("Stop: 65000", "Stop: 66000"))
    told, move = await chat.reply(2)
    assert told["text"] == (
        "✏️ Crypto Calls edited its BTC signal, which you follow: stop 65,000 → 66,000. Your orders stay as you "
        "followed it: nothing was traded.\nIts new stop, for your position, is below: confirm it or leave it."
    )
    assert "Move your BTC stop: 65,000.00 → 66,000.00" in move["text"]
    assert await orders_of(harness, 805) == before
    answer = await chat.tap(move["message_id"], button(move, "Confirm"))
    assert answer["answer"] == "Stop moved."
    [stop] = [
        o for o in await orders_of(harness, 805) if o.role is OrderRole.STOP_LOSS and o.price is not None
    ]
    assert stop.price == Decimal(66000)


async def test_a_signal_edited_into_no_signal_has_its_plan_withdrawn(
    sandbox: Sandbox, bot: TelegramBot, harness: Harness
) -> None:
    chat, channel = await linked(sandbox, harness, 806)
    post = await channel.post(SIGNAL)
    [plan] = await chat.reply()
    await channel.edit(post, "Sorry, wrong chart: no trade today.")
    [note] = await chat.reply()
    assert note["text"] == (
        "✏️ Crypto Calls edited its BTC post, which no longer reads as a signal: its plan was withdrawn, and "
        "nothing was traded."
    )
    answer = await chat.tap(plan["message_id"], button(plan, "Follow"))
    assert answer["answer"] == "That signal was ignored already."
    assert await orders_of(harness, 806) == []


async def test_a_post_refused_for_one_follower_still_reaches_the_others(
    sandbox: Sandbox, bot: TelegramBot, harness: Harness
) -> None:
    poor, channel = await linked(sandbox, harness, 807)
    rich, _ = await linked(sandbox, harness, 808)
    async with harness.core.uow(read_only=True) as uow:
        user = await uow.users.by_telegram_id(807)
    assert user is not None
    await harness.hold_all_but(user.id, Decimal(20))  # less than a plan of signal_amount (100 USDT) costs
    await channel.post(SIGNAL)
    [refused] = await poor.reply()
    assert refused["text"].startswith("📡 Crypto Calls: This plan needs") and refused["reply_markup"] is None
    [plan] = await rich.reply()
    assert button(plan, "Follow")

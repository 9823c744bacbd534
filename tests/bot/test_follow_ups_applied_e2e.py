"""Follow-ups from a source the trader follows automatically are carried out on that signal's own orders, from
a channel post or a forward alike: the stop moved, the position closed, the waiting entries cancelled; the
trader is told what was done. A follow-up never opens a trade. From a source not followed automatically, an
instruction is only told (or previewed, forwarded)."""

from decimal import Decimal

from bot.telegram.runtime import TelegramBot
from tests.bot.sandbox import Sandbox, SandboxChannel, UserChat, button
from tests.harness import Harness
from trading.domain.enums import OrderRole, OrderStatus
from trading.domain.orders import Order

TITLE = "Crypto Calls"
SIGNAL = "BTC/USDT LONG\nEntry: 67100-66900\nTargets: 68000, 69000\nStop: 65000"
APPLIED = "Crypto Calls says: {what} on BTC. Done for you, as you follow Crypto Calls automatically:"


async def following(
    sandbox: Sandbox, harness: Harness, user_id: int, auto: bool = True
) -> tuple[UserChat, SandboxChannel]:
    """The trader made the bot an admin of the channel and followed its signal (and the source automatically,
    where `auto`): the entry at 67,100 filled at the market, the one at 66,900 rests."""
    harness.market.set_price("BTC/USDT", Decimal(67000))
    chat, channel = sandbox.chat(user_id), sandbox.channel(TITLE)
    await channel.make_admin(user_id)
    await chat.reply()
    await channel.post(SIGNAL)
    [plan] = await chat.reply()
    label = "Always follow this source" if auto else "Follow"
    assert (await chat.tap(plan["message_id"], button(plan, label)))["answer"] == "Followed."
    return chat, channel


async def orders_of(harness: Harness, telegram_id: int) -> list[Order]:
    async with harness.core.uow(read_only=True) as uow:
        user = await uow.users.by_telegram_id(telegram_id)
        assert user is not None
        return sorted(await uow.orders.for_user(user.id), key=lambda order: order.id)


def entries(orders: list[Order]) -> tuple[Order, Order]:
    filled, waiting = (o for o in orders if o.role is OrderRole.ENTRY)
    assert filled.status is OrderStatus.FILLED and waiting.status is OrderStatus.OPEN
    return filled, waiting


def stop_of(orders: list[Order], entry: Order) -> Order:
    [stop] = [o for o in orders if o.parent_id == entry.id and o.role is OrderRole.STOP_LOSS]
    return stop


async def test_a_stop_to_the_entry_is_moved_to_what_the_entry_paid(
    sandbox: Sandbox, bot: TelegramBot, harness: Harness
) -> None:
    chat, channel = await following(sandbox, harness, 821)
    harness.market.set_price("BTC/USDT", Decimal(68500))
    before = await orders_of(harness, 821)
    filled, _ = entries(before)
    await channel.post("Move SL to entry")
    [told] = await chat.reply()
    after = await orders_of(harness, 821)
    stop = stop_of(after, filled)
    assert filled.average_price is not None and stop.price == filled.average_price
    assert told["text"] == (
        APPLIED.format(what="move the stop to the entry")
        + f"\n• Stop #{stop.id} moved: 65,000.00 → {filled.average_price:,.2f}"
    )
    assert len(after) == len(before)  # nothing opened


async def test_a_forwarded_stop_move_is_applied_and_the_waiting_entry_arms_it_when_it_fills(
    sandbox: Sandbox, bot: TelegramBot, harness: Harness
) -> None:
    chat, _ = await following(sandbox, harness, 822)
    filled, waiting = entries(await orders_of(harness, 822))
    [told] = await chat.ask("Move SL to 66,000", forward_from_chat=TITLE)
    stop = stop_of(await orders_of(harness, 822), filled)
    assert stop.price == Decimal(66000)
    assert told["text"] == (
        APPLIED.format(what="move the stop")
        + f"\n• Stop #{stop.id} moved: 65,000.00 → 66,000.00"
        + "\n• Entries not filled yet (1) arm their stop at the new price when they fill"
    )
    async with harness.core.uow(read_only=True) as uow:
        assert waiting.draft_id is not None
        draft = await uow.drafts.get(waiting.draft_id)
    assert draft is not None and draft.stop_loss == Decimal(66000)


async def test_close_sells_the_signal_s_position_cancels_the_rest_and_is_done_once(
    sandbox: Sandbox, bot: TelegramBot, harness: Harness
) -> None:
    chat, channel = await following(sandbox, harness, 823)
    filled, waiting = entries(await orders_of(harness, 823))
    await channel.post("Close BTC now")
    [told] = await chat.reply()
    orders = await orders_of(harness, 823)
    [sale] = [o for o in orders if o.id > max(p.id for p in (filled, waiting)) and o.parent_id is None]
    assert (sale.side.value, sale.filled, sale.status) == ("sell", filled.filled, OrderStatus.FILLED)
    assert told["text"].startswith(
        APPLIED.format(what="close the trade")
        + f"\n• Entry #{waiting.id} cancelled (0 of {waiting.quantity.normalize()} had filled)"
        + "\n• Its position sold at market: ✅"
    ), told["text"]
    assert all(o.status.is_final for o in orders), orders  # the legs too: nothing left to trade
    [again] = await chat.ask("Close BTC now", forward_from_chat=TITLE)
    assert again["text"] == (
        "Crypto Calls says: close the trade, about a signal you do not follow. Nothing was traded."
    )
    assert len(await orders_of(harness, 823)) == len(orders)


async def test_cancel_cancels_the_waiting_entry_and_keeps_what_filled(
    sandbox: Sandbox, bot: TelegramBot, harness: Harness
) -> None:
    chat, channel = await following(sandbox, harness, 824)
    filled, waiting = entries(await orders_of(harness, 824))
    await channel.post("Cancel the BTC signal, not triggered")
    [told] = await chat.reply()
    assert told["text"] == (
        APPLIED.format(what="cancel the signal")
        + f"\n• Entry #{waiting.id} cancelled (0 of {waiting.quantity.normalize()} had filled)"
    )
    orders = await orders_of(harness, 824)
    assert [o.status for o in orders if o.id == waiting.id] == [OrderStatus.CANCELLED]
    assert not stop_of(orders, filled).status.is_final  # what filled keeps its stop


async def test_a_report_changes_nothing_even_from_a_source_followed_automatically(
    sandbox: Sandbox, bot: TelegramBot, harness: Harness
) -> None:
    chat, channel = await following(sandbox, harness, 825)
    before = await orders_of(harness, 825)
    await channel.post("#BTC Target 1 ✅ reached")
    [told] = await chat.reply()
    assert told["text"].startswith("Crypto Calls reports a target hit on BTC.")
    assert await orders_of(harness, 825) == before


async def test_a_follow_up_about_no_followed_signal_opens_nothing(
    sandbox: Sandbox, bot: TelegramBot, harness: Harness
) -> None:
    chat, channel = await following(sandbox, harness, 826)
    before = await orders_of(harness, 826)
    for post in ("Close ETH now", "Move SL to entry on SOL", "Cancel the ETH signal"):
        await channel.post(post)
        [told] = await chat.reply()
        assert "about a signal you do not follow. Nothing was traded." in told["text"], post
    assert await orders_of(harness, 826) == before


async def test_an_instruction_from_a_source_not_followed_automatically_is_only_told(
    sandbox: Sandbox, bot: TelegramBot, harness: Harness
) -> None:
    chat, channel = await following(sandbox, harness, 827, auto=False)
    before = await orders_of(harness, 827)
    await channel.post("Move SL to 66,000")
    [told] = await chat.reply()
    assert told["text"] == (
        "Crypto Calls says: move the stop on BTC. Forward the post to me to preview it; nothing was traded."
    )
    assert await orders_of(harness, 827) == before

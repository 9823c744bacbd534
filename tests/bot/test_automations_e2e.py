"""Automations in chat, end to end through the sandbox: a DCA previewed, confirmed, run on the clock and told;
listed, paused, resumed and stopped in words; a TWAP sliced and stopped on the trader's word. The bot runs the
job queue itself, on the harness's manual clock: the test moves time, never waits it out."""

from datetime import timedelta

from bot.telegram.runtime import TelegramBot
from tests.bot.sandbox import Sandbox, button, start_bot
from tests.fakes import ManualClock
from tests.harness import Harness
from trading.domain.automations import PlanStatus
from trading.usecases.automations import user_plans


async def plan_statuses(harness: Harness, telegram_id: int) -> list[PlanStatus]:
    async with harness.core.uow(read_only=True) as uow:
        user = await uow.users.by_telegram_id(telegram_id)
    assert user is not None
    every = (PlanStatus.ACTIVE, PlanStatus.PAUSED, PlanStatus.STOPPED, PlanStatus.DONE)
    return [plan.status for plan in await user_plans(harness.core, user.id, every)]


async def test_a_dca_is_previewed_confirmed_run_and_told_then_paused_resumed_and_stopped(
    sandbox: Sandbox, bot: TelegramBot, harness: Harness, clock: ManualClock
) -> None:
    chat = sandbox.chat(801)
    [preview] = await chat.ask("dca 100 usdt into eth weekly for 10 weeks")
    text = preview["text"]
    assert text.startswith("📝 Buy 100 USDT of ETH every week"), text
    assert "Runs: 10, in all 1000 USDT of ETH" in text and "fee" in text
    assert await harness.count("orders") == 0
    await chat.tap(preview["message_id"], button(preview, "Confirm"))
    set_up = await chat.message(preview["message_id"])
    assert set_up["text"].startswith("✅ Plan #1 is set up")
    [first_run] = await chat.reply()  # due at once: the bot's queue runs it and tells
    assert first_run["text"].startswith("🔁 Plan #1") and "filled" in first_run["text"]
    [listed] = await chat.ask("my automations")
    assert "Plan #1: buy 100 USDT of ETH every week — active, runs 1/10" in listed["text"]
    [paused] = await chat.ask("pause plan 1")
    assert paused["text"].startswith("⏸ Plan #1")
    clock.advance(timedelta(weeks=1).total_seconds())
    [resumed] = await chat.ask("resume plan 1")
    assert "active" in resumed["text"]
    [stopped] = await chat.ask("stop plan 1")
    assert stopped["text"] == "⏹ Plan #1 is stopped: nothing more runs."
    assert await harness.count("orders") == 1
    assert await plan_statuses(harness, 801) == [PlanStatus.STOPPED]


async def test_a_plan_cancelled_at_its_preview_never_runs(
    sandbox: Sandbox, bot: TelegramBot, harness: Harness
) -> None:
    chat = sandbox.chat(802)
    [preview] = await chat.ask("buy 0.01 eth every day at 9:00")
    assert "every day at 09:00 UTC" in preview["text"]
    await chat.tap(preview["message_id"], button(preview, "Cancel"))
    assert (await chat.message(preview["message_id"]))["text"] == "All right, nothing was set up."
    assert await plan_statuses(harness, 802) == [PlanStatus.STOPPED]


async def test_a_twap_sells_in_slices_and_stops_on_the_word(
    sandbox: Sandbox, bot: TelegramBot, harness: Harness, clock: ManualClock
) -> None:
    chat = sandbox.chat(803)
    await chat.confirmed("buy 0.5 eth")
    [preview] = await chat.ask("sell 0.2 eth over 5 minutes")
    assert preview["text"].startswith("📝 TWAP: sell 0.2 ETH in 5 slices every 1 min"), preview["text"]
    await chat.tap(preview["message_id"], button(preview, "Confirm"))
    [first] = await chat.reply()
    assert first["text"].startswith("🔁 TWAP #1") and "sell 0.04 ETH" in first["text"]
    [stopped] = await chat.ask("stop the twap")
    assert stopped["text"] == "⏹ TWAP #1 is stopped: nothing more runs."
    clock.advance(600)
    assert await harness.count("orders") == 2


async def test_a_daily_pnl_report_is_set_up_and_sent_when_due(
    sandbox: Sandbox, bot: TelegramBot, harness: Harness, clock: ManualClock
) -> None:
    chat = sandbox.chat(804)
    [preview] = await chat.ask("every day at 9 send my pnl")
    assert (
        preview["text"]
        == "📝 Report #1: your P&L, every day at 09:00 UTC. Until you stop it ('stop plan 1')."
    )
    await chat.tap(preview["message_id"], button(preview, "Confirm"))
    assert (await chat.message(preview["message_id"]))["text"].startswith(
        "✅ Report #1 is set up: first run Tue"
    )
    clock.advance(timedelta(hours=23, minutes=31).total_seconds())  # past 9:00 the next day
    [report] = await chat.reply()
    assert report["text"].startswith("📊 Report #1\n")


async def test_a_weekly_summary_comes_with_the_portfolio_chart(
    sandbox: Sandbox, bot: TelegramBot, harness: Harness, clock: ManualClock
) -> None:
    chat = sandbox.chat(807)
    [preview] = await chat.ask("send me a weekly summary every monday at 8")
    assert preview["text"].startswith("📝 Report #1: a summary of your portfolio and P&L, every Monday")
    await chat.tap(preview["message_id"], button(preview, "Confirm"))
    clock.advance(timedelta(weeks=1).total_seconds())
    summary, chart = await chat.reply(2)
    assert summary["text"].startswith("📊 Report #1: your week\n") and summary["photo"] is None
    assert chart["text"] == "Equity and allocation" and chart["photo"] is not None
    png = await sandbox.client.get(chart["photo"])
    assert png.content.startswith(b"\x89PNG")


async def test_the_job_queue_is_shown_to_the_bot_s_admins_only(sandbox: Sandbox, harness: Harness) -> None:
    telegram = await start_bot(sandbox, harness, admins=frozenset({805}), allowed=frozenset({806}))
    try:
        [status] = await sandbox.chat(805).ask("/jobs")
        assert status["text"].startswith("queue local: ")
        assert "cron:automations_due  automations_due  queued" in status["text"]
        [refused] = await sandbox.chat(806).ask("/jobs")
        assert refused["text"] == "Only the bot's admins see its job queue."
    finally:
        await telegram.stop()

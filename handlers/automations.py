"""Automations in the chat: a recurring order, DCA or TWAP previewed as a plan with Confirm and Cancel; the list
of plans with Pause, Resume and Stop; "pause plan 3", "stop the twap"."""

from decimal import Decimal

from aiogram import Router
from aiogram.filters import Command
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

from handlers.automations_render import (
    WHEN,
    plan_line,
    plan_preview,
    plans_text,
    queue_status_text,
    rebalance_preview,
    report_preview,
)
from handlers.config import BotConfig
from handlers.keyboards import RowId
from handlers.replies import edit, reply
from nlp.automation_commands import AutomationCommand
from nlp.rebalance import RebalanceWhen
from nlp.result import ParseResult
from nlp.schedules import Repeat
from trading.domain.accounts import User
from trading.domain.automations import Plan, PlanKind, PlanStatus, Schedule
from trading.domain.enums import OrderType
from trading.domain.intents import OrderIntent
from trading.ports.jobs import JobQueue
from trading.usecases.automations import (
    PlanRequest,
    confirm_plan,
    pause_plan,
    propose_plan,
    propose_report,
    resume_plan,
    stop_plan,
    twap_request,
    user_plans,
)
from trading.usecases.core import Core
from trading.usecases.rebalance_plans import propose_rebalance_plan

MARKET_ONLY = (
    "A recurring or spread order is placed at the market price each time: send it without a price, stop, "
    "targets or leverage, e.g. 'buy 50 usdt of btc every monday' or 'sell 1 eth over 2 hours'."
)
WHICH_PLAN = "Which one? Say e.g. 'stop plan 3'; 'my automations' lists them."


class AutomationAction(CallbackData, prefix="m"):
    action: str  # confirm | cancel | pause | resume | stop
    plan_id: RowId


def _button(text: str, action: str, plan_id: int) -> InlineKeyboardButton:
    return InlineKeyboardButton(
        text=text, callback_data=AutomationAction(action=action, plan_id=plan_id).pack()
    )


def setup_keyboard(plan_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[[_button("✅ Confirm", "confirm", plan_id), _button("✖️ Cancel", "cancel", plan_id)]]
    )


def plans_keyboard(plans: list[Plan]) -> InlineKeyboardMarkup | None:
    rows = []
    for plan in plans:
        toggle = ("⏸ Pause", "pause") if plan.status is PlanStatus.ACTIVE else ("▶️ Resume", "resume")
        rows.append(
            [
                _button(f"{toggle[0]} #{plan.id}", toggle[1], plan.id),
                _button(f"⏹ Stop #{plan.id}", "stop", plan.id),
            ]
        )
    return InlineKeyboardMarkup(inline_keyboard=rows) if rows else None


def plan_request(parsed: ParseResult, intent: OrderIntent) -> PlanRequest | None:
    """The plan a recurring or spread order asks for; None where it carries more than a market amount."""
    plain = intent.order_type is OrderType.MARKET and intent.price is None and intent.leverage is None
    if (
        not plain
        or intent.stop_loss is not None
        or intent.take_profits
        or intent.stop_loss_percent is not None
    ):
        return None
    if parsed.spread_over is not None:
        return twap_request(
            intent.side, intent.symbol, intent.amount, intent.amount_unit, parsed.spread_over, intent.quote
        )
    repeat = parsed.repeat
    assert repeat is not None
    schedule = schedule_of(repeat)
    return PlanRequest(
        PlanKind.RECURRING,
        intent.side,
        intent.symbol,
        intent.amount,
        intent.amount_unit,
        schedule,
        repeat.runs,
        intent.quote,
    )


async def preview_plan(
    message: Message, parsed: ParseResult, intent: OrderIntent, core: Core, user: User
) -> None:
    request = plan_request(parsed, intent)
    if request is None:
        await reply(message, MARKET_ONLY)
        return
    preview = await propose_plan(core, user.id, request)
    await reply(message, plan_preview(preview), reply_markup=setup_keyboard(preview.plan.id))


def schedule_of(repeat: Repeat) -> Schedule:
    return Schedule(repeat.every, repeat.interval, repeat.weekday, repeat.at)


async def preview_report(message: Message, report: str, repeat: Repeat, core: Core, user: User) -> None:
    plan = await propose_report(core, user.id, report, schedule_of(repeat))
    await reply(message, report_preview(plan), reply_markup=setup_keyboard(plan.id))


async def preview_rebalance_plan(
    message: Message, shares: dict[str, Decimal], when: RebalanceWhen, core: Core, user: User
) -> None:
    """ "rebalance to 50% btc 50% eth every monday" or "... when drift over 5%": its trades now, with Confirm."""
    repeat = when.repeat
    schedule, runs = (None, None) if repeat is None else (schedule_of(repeat), repeat.runs)
    preview = await propose_rebalance_plan(core, user.id, shares, schedule, when.drift, runs)
    await reply(message, rebalance_preview(preview), reply_markup=setup_keyboard(preview.plan.id))


async def on_command(
    message: Message, command: AutomationCommand, core: Core, user: User, jobs: JobQueue
) -> None:
    plans = await user_plans(core, user.id)
    if command.action == "list":
        await reply(message, plans_text(plans), reply_markup=plans_keyboard(plans))
        return
    chosen = [
        p
        for p in plans
        if p.id == command.plan_id
        or (command.plan_id is None and (command.kind is None or p.kind.value == command.kind))
    ]
    if len(chosen) != 1:
        await reply(
            message, WHICH_PLAN if chosen or command.plan_id is None else "That automation was not found."
        )
        return
    await reply(message, await _act(command.action, chosen[0].id, core, user, jobs))


async def _act(action: str, plan_id: int, core: Core, user: User, jobs: JobQueue) -> str:
    if action == "confirm":
        plan = await confirm_plan(core, jobs, user.id, plan_id)
        assert plan.next_due_at is not None
        return f"✅ {plan.label} is set up: first run {plan.next_due_at:{WHEN}}. 'my automations' lists it."
    if action == "pause":
        return f"⏸ {plan_line(await pause_plan(core, user.id, plan_id))}"
    if action == "resume":
        return f"▶️ {plan_line(await resume_plan(core, jobs, user.id, plan_id))}"
    plan = await stop_plan(core, user.id, plan_id)
    return (
        f"⏹ {plan.label} is stopped: nothing more runs."
        if action == "stop"
        else "All right, nothing was set up."
    )


async def on_action(
    query: CallbackQuery, callback_data: AutomationAction, core: Core, user: User, jobs: JobQueue
) -> None:
    text = await _act(callback_data.action, callback_data.plan_id, core, user, jobs)
    if callback_data.action in ("confirm", "cancel"):
        await edit(query, text)
    elif isinstance(query.message, Message):
        await query.message.answer(text)
    await query.answer()


async def on_jobs(message: Message, jobs: JobQueue, config: BotConfig) -> None:
    """The job queue's status, for the bot's admins (TELEGRAM_ADMINS)."""
    if message.from_user is None or message.from_user.id not in config.admins:
        await reply(message, "Only the bot's admins see its job queue.")
        return
    await reply(message, queue_status_text(await jobs.queue_status(20)))


def make_router() -> Router:
    router = Router(name="automations")
    router.message.register(on_jobs, Command("jobs"))
    router.callback_query.register(on_action, AutomationAction.filter())
    return router

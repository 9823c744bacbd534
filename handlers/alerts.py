"""Alerts: set in chat, listed with a delete button each; the watcher fires them."""

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message

from handlers.keyboards import AlertAction, alerts_keyboard
from handlers.render import alert_set, alerts_text
from handlers.replies import reply
from nlp.result import ParseResult
from trading.domain.accounts import User
from trading.domain.alert_index import AlertIndex
from trading.usecases.alerts import delete_alert, list_alerts, set_alert
from trading.usecases.core import Core


async def add_alert(
    message: Message, parsed: ParseResult, core: Core, user: User, alert_index: AlertIndex
) -> None:
    if parsed.symbol is None or (parsed.threshold is None and parsed.threshold_percent is None):
        await reply(message, "Which coin and what price? Say e.g. 'alert me if SOL drops below 120'.")
        return
    alert, price = await set_alert(
        core, user.id, parsed.symbol, parsed.condition, parsed.threshold, parsed.threshold_percent
    )
    alert_index.add(alert)
    await reply(message, alert_set(alert, price))


async def show_alerts(message: Message, core: Core, user: User) -> None:
    alerts = await list_alerts(core, user.id)
    await reply(message, alerts_text(alerts), reply_markup=alerts_keyboard(alerts))


async def remove_alert(
    query: CallbackQuery, callback_data: AlertAction, core: Core, user: User, alert_index: AlertIndex
) -> None:
    await delete_alert(core, user.id, callback_data.alert_id)
    alert_index.remove(callback_data.alert_id)
    alerts = await list_alerts(core, user.id)
    if isinstance(query.message, Message):
        await query.message.edit_text(alerts_text(alerts), reply_markup=alerts_keyboard(alerts))
    await query.answer("Alert deleted.")


def make_router() -> Router:
    router = Router(name="alerts")
    router.message.register(show_alerts, Command("alerts"))
    router.callback_query.register(remove_alert, AlertAction.filter(F.action == "delete"))
    return router

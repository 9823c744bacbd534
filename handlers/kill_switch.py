"""The kill switch and automatic following in the chat: "close all positions" and "cancel all orders" preview
what they would do, with Confirm and Keep; "pause auto follow" and "resume auto follow" act at once (no money
moves)."""

from aiogram import Router
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

from handlers.kill_switch_render import (
    cancel_all_preview,
    cancel_all_result,
    close_all_preview,
    close_all_result,
    paused_text,
    resumed_text,
)
from handlers.replies import edit, reply
from nlp.kill_switch import KillSwitchCommand
from trading.domain.accounts import User
from trading.domain.errors import DraftExpired, TradingError
from trading.usecases.core import Core
from trading.usecases.follow_pauses import pause_following, resume_following
from trading.usecases.kill_switch import (
    CANCEL_ALL,
    CLOSE_ALL,
    CancelAllPreview,
    CloseAllPreview,
    cancel_all,
    close_all,
    preview_cancel_all,
    preview_close_all,
)

NOTHING_DONE = "All right: nothing was closed or cancelled."


class KillSwitchAction(CallbackData, prefix="k"):
    action: str  # close_all | cancel_all | keep
    confirmation_id: str


def confirm_keyboard(action: str, confirmation_id: str) -> InlineKeyboardMarkup:
    label = "✅ Confirm: close them all" if action == CLOSE_ALL else "✅ Confirm: cancel them all"
    buttons = [
        InlineKeyboardButton(
            text=label, callback_data=KillSwitchAction(action=action, confirmation_id=confirmation_id).pack()
        ),
        InlineKeyboardButton(
            text="✖️ Keep them",
            callback_data=KillSwitchAction(action="keep", confirmation_id=confirmation_id).pack(),
        ),
    ]
    return InlineKeyboardMarkup(inline_keyboard=[[button] for button in buttons])


async def on_command(message: Message, command: KillSwitchCommand, core: Core, user: User) -> None:
    ttl = int(core.config.draft_ttl.total_seconds())
    if command == "pause":
        await reply(message, paused_text(await pause_following(core, user.id)))
    elif command == "resume":
        await reply(message, resumed_text(await resume_following(core, user.id)))
    elif command == "close_all":
        closing = await preview_close_all(core, user.id)
        await reply(message, close_all_preview(closing, ttl), reply_markup=_keyboard(CLOSE_ALL, closing))
    else:
        cancelling = await preview_cancel_all(core, user.id)
        await reply(
            message, cancel_all_preview(cancelling, ttl), reply_markup=_keyboard(CANCEL_ALL, cancelling)
        )


def _keyboard(action: str, preview: CloseAllPreview | CancelAllPreview) -> InlineKeyboardMarkup | None:
    """Confirm and Keep, where there is something to confirm."""
    if preview.confirmation_id is None:
        return None
    return confirm_keyboard(action, preview.confirmation_id)


async def on_action(query: CallbackQuery, callback_data: KillSwitchAction, core: Core, user: User) -> None:
    action, confirmation_id = callback_data.action, callback_data.confirmation_id
    if action not in (CLOSE_ALL, CANCEL_ALL):
        await edit(query, NOTHING_DONE)
        await query.answer()
        return
    try:
        if action == CLOSE_ALL:
            text = close_all_result(await close_all(core, user.id, confirmation_id))
        else:
            text = cancel_all_result(await cancel_all(core, user.id, confirmation_id))
    except TradingError as error:  # expired, or confirmed already (a second tap): nothing more is done
        if isinstance(error, DraftExpired):
            await edit(query, f"⌛ {error.message}")
        await query.answer(error.message, show_alert=True)
        return
    await edit(query, text)
    await query.answer("Done.")


def make_router() -> Router:
    router = Router(name="kill-switch")
    router.callback_query.register(on_action, KillSwitchAction.filter())
    return router

"""Inline keyboards and the callback data they carry (aiogram's CallbackData factories, under 64 bytes)."""

from collections.abc import Iterable, Sequence
from functools import cache
from typing import Annotated, Literal

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder
from pydantic import Field

from nlp.result import Intent
from trading.domain.accounts import ExchangeAccount
from trading.domain.alerts import Alert
from trading.domain.enums import Side
from trading.domain.money import price_text
from trading.domain.orders import Order, OrderDraft
from trading.domain.stop_modes import PositionStopMode
from trading.usecases.access import LARGEST_ID

# A row's id in callback data: within the databases' integer keys, so that a forged one is a stale button, never
# a query the database refuses.
RowId = Annotated[int, Field(ge=1, le=LARGEST_ID)]


class DraftAction(CallbackData, prefix="d"):
    action: (
        str  # confirm | move (a stop moved) | amount | cancel | breakout | market (a limit placed otherwise)
    )
    draft_id: str


class OrderAction(CallbackData, prefix="o"):
    action: str  # cancel
    order_id: RowId


class StopModeAction(CallbackData, prefix="t"):
    action: str  # set | keep (a preview) | off (a trailing entry in the orders list)
    mode_id: str


class PlanAction(CallbackData, prefix="p"):
    action: str  # follow | ignore | auto | be_on | be_off (stop to entry after the first target)
    group_id: str
    signal_id: RowId


class AlertAction(CallbackData, prefix="a"):
    action: str  # delete
    alert_id: RowId


class AskBack(CallbackData, prefix="q"):
    intent: Intent | Literal["none"]  # a reading to act on, or none of them
    ref: str  # key of the message kept in the chat's state


class ChartRequest(CallbackData, prefix="c"):
    """The portfolio chart, drawn on request only: drawing it takes far more CPU than the summary."""


class AccountAction(CallbackData, prefix="x"):
    action: str  # add | remove | sync | testnet | live
    account_id: Annotated[int, Field(ge=0, le=LARGEST_ID)] = 0  # 0: none (add)


INTENT_LABELS: dict[Intent, str] = {
    "place_order": "Place an order",
    "close_position": "Close a position",
    "cancel_order": "Cancel an order",
    "set_alert": "Set an alert",
    "set_stop_loss": "Set a stop loss",
    "price": "Show a price",
    "portfolio": "Show my portfolio",
    "orders": "Show my orders",
    "pnl": "Show my P&L",
    "help": "Show help",
    "signal": "Read it as a signal",
}


def _draft_button(text: str, action: str, draft_id: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=DraftAction(action=action, draft_id=draft_id).pack())


def draft_keyboard(draft_id: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [_draft_button("✅ Confirm", "confirm", draft_id)],
            [
                _draft_button("✏️ Change amount", "amount", draft_id),
                _draft_button("✖️ Cancel", "cancel", draft_id),
            ],
        ]
    )


def fills_at_once_keyboard(draft: OrderDraft) -> InlineKeyboardMarkup:
    """A limit order the market would fill at once: placed as a breakout (stop) entry at its price, or now at
    market; never confirmed as it stands."""
    assert draft.price is not None
    verb, until = ("Buy", "rises") if draft.side is Side.BUY else ("Sell", "falls")
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [_draft_button(f"🚀 {verb} once it {until} to {price_text(draft.price)}", "breakout", draft.id)],
            [_draft_button(f"⚡ {verb} at market now", "market", draft.id)],
            [_draft_button("✖️ Cancel", "cancel", draft.id)],
        ]
    )


def stop_move_keyboard(draft_id: str) -> InlineKeyboardMarkup:
    """A stop being moved keeps its amount: Confirm and Cancel only."""
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [_draft_button("✅ Confirm", "move", draft_id), _draft_button("✖️ Cancel", "cancel", draft_id)]
        ]
    )


@cache
def portfolio_keyboard() -> InlineKeyboardMarkup:
    """The same for everyone: made once (nothing changes a keyboard once it is made)."""
    builder = InlineKeyboardBuilder()
    builder.button(text="📈 Chart", callback_data=ChartRequest())
    return builder.as_markup()


def plan_keyboard(group_id: str, signal_id: int, stop_to_entry: bool | None = None) -> InlineKeyboardMarkup:
    """Follow, Ignore, Always follow; and, where the plan has a stop and more than one target
    (`stop_to_entry` not None), a toggle of break-even after the first target that shows its state."""
    buttons = [("✅ Follow", "follow"), ("✖️ Ignore", "ignore"), ("🔁 Always follow this source", "auto")]
    if stop_to_entry is not None:
        state, flip = ("on", "be_off") if stop_to_entry else ("off", "be_on")
        buttons.append((f"🛡 Stop to entry after TP1: {state}", flip))
    builder = InlineKeyboardBuilder()
    for text, action in buttons:
        builder.button(
            text=text, callback_data=PlanAction(action=action, group_id=group_id, signal_id=signal_id)
        )
    builder.adjust(2, 1, 1)
    return builder.as_markup()


def orders_keyboard(
    orders: Sequence[Order], entries: Sequence[PositionStopMode] = ()
) -> InlineKeyboardMarkup | None:
    """A Cancel button for each open order, then for each trailing entry waiting to buy."""
    cancels: list[tuple[str, CallbackData]] = [
        (f"Cancel #{o.id} {o.side.value} {o.symbol}", OrderAction(action="cancel", order_id=o.id))
        for o in orders
    ]
    cancels.extend(
        (f"Cancel trailing buy {r.symbol}", StopModeAction(action="off", mode_id=r.id)) for r in entries
    )
    return _column(cancels)


def alerts_keyboard(alerts: Sequence[Alert]) -> InlineKeyboardMarkup | None:
    return _column(
        (
            f"🗑 {a.symbol} {a.condition.value} {price_text(a.threshold)}",
            AlertAction(action="delete", alert_id=a.id),
        )
        for a in alerts
    )


def _column(buttons: Iterable[tuple[str, CallbackData]]) -> InlineKeyboardMarkup | None:
    """One button a row; None when there are none (a message without a keyboard)."""
    rows = list(buttons)
    if not rows:
        return None
    builder = InlineKeyboardBuilder()
    for text, data in rows:
        builder.button(text=text, callback_data=data)
    builder.adjust(1)
    return builder.as_markup()


def ask_back_keyboard(readings: Sequence[Intent], ref: str) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for intent in readings:
        builder.button(text=INTENT_LABELS.get(intent, intent), callback_data=AskBack(intent=intent, ref=ref))
    builder.button(text="Neither: never mind", callback_data=AskBack(intent="none", ref=ref))
    builder.adjust(1)
    return builder.as_markup()


def accounts_keyboard(accounts: Sequence[ExchangeAccount]) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for account in accounts:
        if not account.is_paper:
            builder.button(
                text=f"🔄 Sync balances of {account.label}",
                callback_data=AccountAction(action="sync", account_id=account.id),
            )
        builder.button(
            text=f"🗑 Remove {account.label}",
            callback_data=AccountAction(action="remove", account_id=account.id),
        )
    builder.button(text="➕ Add an account", callback_data=AccountAction(action="add"))
    builder.adjust(1)
    return builder.as_markup()


def testnet_keyboard() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text="Testnet", callback_data=AccountAction(action="testnet"))
    builder.button(text="Live", callback_data=AccountAction(action="live"))
    return builder.as_markup()

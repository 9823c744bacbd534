"""/risk: the limits every preview is checked against, and the user's own (only ever tighter).

`/risk` shows them; `/risk max_order 500`, `/risk share 20%`, `/risk positions 3`, `/risk daily_loss 200`,
`/risk stop on`, `/risk leverage 10`, `/risk margin 50%` change one; `/risk max_order default` returns one to the operator's; `/risk reset` all.
The protections of automatic following are shown and changed here too (handlers.protections)."""

from decimal import Decimal, InvalidOperation

from aiogram import Router
from aiogram.filters import Command, CommandObject
from aiogram.types import Message

from handlers.protections import PROTECTION_NAMES, change_protection, protections_block
from handlers.replies import reply
from trading.domain.accounts import User
from trading.domain.risk import RiskOverrides
from trading.usecases.core import Core
from trading.usecases.risk_settings import (
    LimitName,
    RiskSettings,
    change_risk_limits,
    reset_risk_settings,
    risk_settings,
)

NAMES: dict[str, LimitName] = {
    "max_order": "max_order_value",
    "order": "max_order_value",
    "share": "max_position_share",
    "position_share": "max_position_share",
    "positions": "max_open_positions",
    "daily_loss": "daily_loss_limit",
    "loss": "daily_loss_limit",
    "stop": "require_stop_for_leverage",
    "leverage": "max_leverage",
    "margin": "max_margin_share",
}
USAGE = (
    "Change one with e.g. /risk max_order 500, /risk share 20%, /risk positions 3, /risk daily_loss 200, "
    "/risk stop on, /risk leverage 10, /risk margin 50%; /risk max_order default returns one to the operator's, /risk reset all "
    "of them."
)
DEFAULTS = ("default", "operator", "none", "off-limit")


def risk_text(settings: RiskSettings, quote: str) -> str:
    limits, own = settings.limits, settings.overrides

    def mark(value: object) -> str:
        return " (yours)" if value is not None else ""

    return "\n".join(
        (
            "Your risk limits (each preview is checked against them):",
            f"• Per order: {limits.max_order_value:,.2f} {quote}{mark(own.max_order_value)}",
            f"• Share of the portfolio in one market: {limits.max_position_share:.0%}"
            f"{mark(own.max_position_share)}",
            f"• Open positions: {limits.max_open_positions}{mark(own.max_open_positions)}",
            f"• Daily loss: {limits.daily_loss_limit:,.2f} {quote}{mark(own.daily_loss_limit)}",
            "• Stop loss on leveraged trades: "
            + ("required" if limits.require_stop_for_leverage else "optional")
            + mark(own.require_stop_for_leverage),
            f"• Leverage on futures: up to {limits.max_leverage:f}x{mark(own.max_leverage)}",
            f"• Futures margin in use: up to {limits.max_margin_share:.0%} of equity{mark(own.max_margin_share)}",
            "",
            USAGE,
        )
    )


def parse_change(name: LimitName, text: str) -> RiskOverrides:
    """The change as the limit wants it; ValueError with the sentence to show."""
    word = text.strip().lower().replace(",", "")
    if name == "require_stop_for_leverage":
        if word in ("on", "yes", "true", "required"):
            return RiskOverrides(require_stop_for_leverage=True)
        if word in ("off", "no", "false", "optional"):
            return RiskOverrides(require_stop_for_leverage=False)
        raise ValueError("Say /risk stop on or /risk stop off.")
    try:
        number = Decimal(word.rstrip("%x").lstrip("$"))
    except InvalidOperation:
        raise ValueError(f"{text!r} is not a number. {USAGE}") from None
    if not number.is_finite():
        raise ValueError(f"{text!r} is not a number.")
    if name == "max_open_positions":
        if number != number.to_integral_value():
            raise ValueError("The number of open positions must be a whole number.")
        return RiskOverrides(max_open_positions=int(number))
    share = number / 100 if word.endswith("%") or number > 1 else number  # 20% or 20 or 0.2
    if name == "max_position_share":
        return RiskOverrides(max_position_share=share)
    if name == "max_margin_share":
        return RiskOverrides(max_margin_share=share)
    if name == "max_order_value":
        return RiskOverrides(max_order_value=number)
    if name == "max_leverage":  # 10 or 10x
        return RiskOverrides(max_leverage=number)
    return RiskOverrides(daily_loss_limit=number)


async def risk(message: Message, command: CommandObject, core: Core, user: User) -> None:
    quote = core.config.paper_quote
    words = (command.args or "").split()
    if not words:
        shown = risk_text(await risk_settings(core, user.id), quote)
        await reply(message, shown + "\n\n" + await protections_block(core, user.id))
        return
    if words[0].lower() in PROTECTION_NAMES:  # the protections of automatic following
        await change_protection(message, words, core, user)
        return
    if words == ["reset"]:
        settings = await reset_risk_settings(core, user.id)
        await reply(message, "Back to the operator's limits.\n\n" + risk_text(settings, quote))
        return
    name = NAMES.get(words[0].lower())
    if name is None or len(words) != 2:
        await reply(message, f"I know these limits: {', '.join(sorted(NAMES))}. {USAGE}")
        return
    if words[1].lower() in DEFAULTS:
        settings = await change_risk_limits(core, user.id, RiskOverrides(), restore=(name,))
    else:
        try:
            change = parse_change(name, words[1])
        except ValueError as error:
            await reply(message, str(error))
            return
        settings = await change_risk_limits(core, user.id, change)
    await reply(message, "Saved.\n\n" + risk_text(settings, quote))


def make_router() -> Router:
    router = Router(name="risk")
    router.message.register(risk, Command("risk"))
    return router

"""The feature routers, in the order updates try them."""

from aiogram import Router

from handlers import (
    accounts,
    alerts,
    audits,
    automations,
    chat,
    errors,
    kill_switch,
    notify,
    orders,
    portfolio,
    rebalance,
    risk,
    signals,
    sources,
    start,
    stop_modes,
)


def make_routers() -> list[Router]:
    """Plain text straight to the chat and the order buttons to theirs; then the features, FSM conversations
    first, the catch-all chat after them and the last word (errors, stale buttons, what is not text) last."""
    return [
        chat.make_plain_router(),
        orders.make_buttons_router(),
        *(
            module.make_router()
            for module in (
                start,
                accounts,
                risk,
                notify,
                orders,
                automations,
                kill_switch,
                stop_modes,
                rebalance,
                signals,
                sources,
                audits,
                alerts,
                portfolio,
                chat,
                errors,
            )
        ),
    ]

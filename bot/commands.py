"""The CLI's commands over the core, without Telegram: for operations, demos and benchmarks."""

import argparse
import asyncio
from collections.abc import Awaitable, Callable
from decimal import Decimal

from bot.container import Container, build_container, secret_keys
from bot.settings import Settings
from storage.crypto import CredentialCipher
from storage.key_rotation import rotate_secrets
from trading.domain.enums import AmountUnit, OrderType, Side
from trading.domain.intents import OrderIntent
from trading.domain.money import canonical
from trading.domain.orders import Order, OrderDraft
from trading.usecases.accounts import deposit, register_user
from trading.usecases.drafting import draft_order
from trading.usecases.execution import cancel_order, confirm_draft
from trading.usecases.portfolio import portfolio
from trading.usecases.quotes import open_orders
from trading.usecases.tracking import reconcile_submitted

Command = Callable[[Container, argparse.Namespace], Awaitable[None]]


def run_with_container(settings: Settings, command: Command, args: argparse.Namespace) -> None:
    async def main() -> None:
        container = build_container(settings)
        try:
            await command(container, args)
        finally:
            await container.close()

    asyncio.run(main())


def _order_line(order: Order) -> str:
    price = f" @ {canonical(order.price)}" if order.price is not None else ""
    filled = ""
    if order.filled and order.average_price is not None:
        filled = f" ({canonical(order.filled)} filled at {canonical(order.average_price)})"
    error = f" ({order.error})" if order.error else ""
    return (
        f"#{order.id} {order.side.value} {canonical(order.quantity)} {order.symbol} {order.order_type.value}{price}"
        f" [{order.role.value}] {order.status.value.replace('_', ' ')}{filled}{error}"
    )


def _draft_lines(draft: OrderDraft) -> str:
    p = draft.preview
    quote = draft.symbol.split("/", 1)[1]
    lines = [
        f"Preview {draft.id}: {draft.side.value} {canonical(p.quantity)} {draft.symbol} ({draft.order_type.value})",
        f"  price {canonical(p.price)} {quote}, cost {p.cost:,.2f}, fee {p.fee:,.2f}, at risk {p.at_risk:,.2f}",
    ]
    if p.stop_distance is not None and p.stop_distance_pct is not None:
        lines.append(f"  stop {canonical(draft.stop_loss or Decimal(0))}: {p.stop_distance_pct:.2f}% away")
    if draft.take_profits:
        lines.append("  targets " + ", ".join(str(canonical(t)) for t in draft.take_profits))
    lines.append(
        f"  expires {draft.expires_at:%H:%M:%S} UTC; confirm with: tsbot confirm --user {draft.user_id} {draft.id}"
    )
    return "\n".join(lines)


async def user_create(container: Container, args: argparse.Namespace) -> None:
    user, account = await register_user(container.core, args.name, args.telegram_id)
    print(f"user {user.id} ({user.name}), account {account.id} ({account.exchange})")


async def user_deposit(container: Container, args: argparse.Namespace) -> None:
    await deposit(container.core, args.user, args.account, args.asset.upper(), args.amount)
    print(f"deposited {canonical(args.amount)} {args.asset.upper()}")


async def show_portfolio(container: Container, args: argparse.Namespace) -> None:
    view = await portfolio(container.core, args.user, args.account)
    q = view.quote
    print(f"Equity {view.equity:,.2f} {q}   cash {view.cash:,.2f}   deposits {view.deposits:,.2f}")
    print(
        f"P&L realised {view.realised_pnl:,.2f}, unrealised {view.unrealised_pnl:,.2f}, fees {view.fees_paid:,.2f}"
    )
    for p in view.positions:
        print(
            f"  {p.symbol:<12} {canonical(p.quantity)} at {p.average_cost:,.4f}, now {canonical(p.price)}:"
            f" {p.value:,.2f} {q} ({p.unrealised_pnl:+,.2f}, {p.unrealised_pct:+.2f}%)"
        )


async def list_orders(container: Container, args: argparse.Namespace) -> None:
    if args.all:
        async with container.core.uow(read_only=True) as uow:
            orders = await uow.orders.for_user(args.user)
    else:
        orders = await open_orders(container.core, args.user)
    print("\n".join(_order_line(o) for o in orders) or "no orders")


def intent_from(args: argparse.Namespace) -> OrderIntent:
    order_type = OrderType.STOP if args.stop_price else OrderType.LIMIT if args.price else OrderType.MARKET
    return OrderIntent(
        symbol=args.symbol,
        side=Side(args.side),
        amount=args.amount,
        amount_unit=AmountUnit(args.unit),
        order_type=order_type,
        price=args.stop_price or args.price,
        stop_loss=args.sl,
        take_profits=tuple(args.tp or ()),
    )


async def place(container: Container, args: argparse.Namespace) -> None:
    draft = await draft_order(container.core, args.user, intent_from(args), args.account)
    print(_draft_lines(draft))
    if args.yes:
        print(_order_line(await confirm_draft(container.core, args.user, draft.id)))


async def confirm(container: Container, args: argparse.Namespace) -> None:
    print(_order_line(await confirm_draft(container.core, args.user, args.draft)))


async def cancel(container: Container, args: argparse.Namespace) -> None:
    print(_order_line(await cancel_order(container.core, args.user, args.order)))


async def reconcile(container: Container, args: argparse.Namespace) -> None:
    report = await reconcile_submitted(container.core)
    print(f"found {report.found}, never arrived {report.never_arrived}, unreachable {report.unreachable}")


async def rotate_keys(container: Container, args: argparse.Namespace) -> None:
    cipher = CredentialCipher(secret_keys(container.settings))
    done = await rotate_secrets(container.engine, cipher)
    print(
        f"Re-encrypted the secrets of {done.rotated} row(s) under SECRET_KEY; {done.current} were under it "
        "already."
    )
    if done.unreadable:
        print(
            f"{done.unreadable} row(s) decrypt under none of SECRET_KEY and OLD_SECRET_KEYS and were left as "
            "they are: add the key they were stored under to OLD_SECRET_KEYS and run this again."
        )
    else:
        print("Once every process runs with this SECRET_KEY, OLD_SECRET_KEYS can be removed.")

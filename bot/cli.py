"""The `tsbot` command. Each sub-command imports what it needs when it runs, so `tsbot parse` starts fast."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from decimal import Decimal, InvalidOperation


def _decimal(text: str) -> Decimal:
    try:
        value = Decimal(text.replace(",", "").replace("_", ""))
    except InvalidOperation:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not value.is_finite():
        raise argparse.ArgumentTypeError(f"{text!r} is not a finite number")
    return value


def _add_trading(add_parser: Callable[..., argparse.ArgumentParser]) -> None:
    """`add_parser`: the sub-commands' own, so that these sit beside the others."""

    def with_user(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
        parser.add_argument("--user", type=int, required=True, help="user id")
        parser.add_argument("--account", type=int, help="exchange account id (default: the user's first)")
        return parser

    user = add_parser("user", help="create a user, fund a paper account").add_subparsers(
        dest="action", required=True
    )
    create = user.add_parser("create", help="a new user with a funded paper account")
    create.add_argument("name")
    create.add_argument("--telegram-id", type=int)
    fund = with_user(user.add_parser("deposit", help="deposit into a paper account"))
    fund.add_argument("amount", type=_decimal)
    fund.add_argument("asset", nargs="?", default="USDT")

    with_user(add_parser("portfolio", help="balances, positions and P&L"))
    orders = with_user(add_parser("orders", help="open orders (--all for every order)"))
    orders.add_argument("--all", action="store_true")
    order = with_user(add_parser("order", help="preview an order (and confirm it with --yes)"))
    order.add_argument("side", choices=["buy", "sell"])
    order.add_argument("amount", type=_decimal)
    order.add_argument("symbol", help="BTC or BTC/USDT")
    order.add_argument(
        "--unit", choices=["base", "quote", "percent", "risk"], default="base", help="risk: percent of equity"
    )
    order.add_argument("--price", type=_decimal, help="limit price")
    order.add_argument("--stop-price", type=_decimal, help="stop (trigger) price of a stop order")
    order.add_argument("--sl", type=_decimal, help="stop loss")
    order.add_argument("--tp", type=_decimal, action="append", help="take-profit target (repeatable)")
    order.add_argument("--yes", action="store_true", help="confirm right away")
    with_user(add_parser("confirm", help="confirm a previewed order")).add_argument("draft")
    with_user(add_parser("cancel", help="cancel an open order")).add_argument("order", type=int)
    add_parser("reconcile", help="check unacknowledged orders with their exchanges")
    audit = with_user(add_parser("audit", help="audit a channel: its Telegram Desktop export (result.json)"))
    audit.add_argument("file", help="the export's result.json")
    audit.add_argument("--chart", help="write the equity chart to this PNG file")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="tsbot", description="A Telegram trading bot and its tools.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    parse = sub.add_parser("parse", help="read trading text into intent and entities")
    parse.add_argument(
        "--jsonl", action="store_true", help='read {"id","text"} lines on stdin, write results'
    )
    parse.add_argument("text", nargs="?", help="a message to read and explain")

    sub.add_parser("run", help="start the bot, the web app and the order tracker")
    sub.add_parser("web", help="serve the web API and the Mini App alone (beside one `tsbot run`)")
    sub.add_parser("worker", help="run jobs (automations, notices) from the queue on Redis (REDIS_URL)")
    jobs = sub.add_parser("jobs", help="the job queue's status on Redis; a job's by --key; --cancel KEY")
    jobs.add_argument("--key", help="one job's status")
    jobs.add_argument("--cancel", metavar="KEY", help="abort a waiting or running job")
    jobs.add_argument("--limit", type=int, default=20, help="how many waiting and running jobs to list")
    tokens = sub.add_parser("token", help="personal API tokens").add_subparsers(dest="action", required=True)
    token_create = tokens.add_parser("create", help="a new token; its secret is printed once")
    token_create.add_argument("--user", type=int, required=True, help="user id")
    token_create.add_argument("--scope", choices=["read", "trade"], default="read")
    token_create.add_argument("name")
    tokens.add_parser("list", help="a user's tokens").add_argument("--user", type=int, required=True)
    token_revoke = tokens.add_parser("revoke", help="revoke a token by its id")
    token_revoke.add_argument("--user", type=int, required=True)
    token_revoke.add_argument("token", type=int)
    keys = sub.add_parser("keys", help="encryption keys").add_subparsers(dest="action", required=True)
    keys.add_parser("rotate", help="re-encrypt every stored secret under SECRET_KEY (safe to stop and rerun)")
    db = sub.add_parser("db", help="database migrations").add_subparsers(dest="action", required=True)
    db.add_parser("upgrade", help="migrate to the latest schema")
    _add_trading(sub.add_parser)
    return parser


def _trading_command(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    from bot import audits, commands

    table = {
        ("audit", None): audits.audit_command,
        ("user", "create"): commands.user_create,
        ("user", "deposit"): commands.user_deposit,
        ("portfolio", None): commands.show_portfolio,
        ("orders", None): commands.list_orders,
        ("order", None): commands.place,
        ("confirm", None): commands.confirm,
        ("cancel", None): commands.cancel,
        ("reconcile", None): commands.reconcile,
        ("keys", "rotate"): commands.rotate_keys,
    }
    return table[(args.command, getattr(args, "action", None))]


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "parse":
        from nlp.cli import parse_command

        return int(parse_command(jsonl=args.jsonl, text=args.text))

    from bot.migrate import NotMigrated
    from bot.observability import configure_logging, start_sentry
    from bot.settings import SettingsError, load_settings, require_database
    from bot.sole_run import AnotherRun
    from trading.domain.errors import TradingError

    try:
        settings = load_settings()
        configure_logging(settings)
        start_sentry(settings)
        require_database(settings)  # one line naming it, at once, rather than a traceback from deep inside
        if args.command == "db":
            from bot.migrate import upgrade

            upgrade(settings)
        elif args.command == "web":
            from bot.container import build_container
            from bot.serving import run_fast
            from bot.web import serve_web

            async def web() -> None:
                container = build_container(settings)
                try:
                    await serve_web(container)
                finally:
                    await container.close()

            run_fast(web())
        elif args.command == "worker":
            import asyncio

            from bot.container import build_container
            from bot.migrate import require_current_schema
            from bot.worker import require_redis, run_worker

            require_redis(settings)

            async def work() -> None:
                container = build_container(settings)
                try:
                    await require_current_schema(container.engine, settings.database_url)
                    await run_worker(container)
                finally:
                    await container.close()

            asyncio.run(work())
        elif args.command == "jobs":
            from bot.commands import run_with_container
            from bot.worker import jobs_command

            run_with_container(settings, jobs_command, args)
        elif args.command == "token":
            from bot.commands import run_with_container
            from bot.web import token_command

            run_with_container(settings, token_command, args)
        elif args.command == "run":
            import asyncio

            from bot.container import build_container
            from bot.server import serve

            async def run() -> None:
                container = build_container(settings)
                try:
                    await serve(container)
                finally:
                    await container.close()

            asyncio.run(run())
        else:
            from bot.commands import run_with_container

            run_with_container(settings, _trading_command(args), args)
    except (SettingsError, NotMigrated, AnotherRun) as error:
        print(f"tsbot: {error}", file=sys.stderr)
        return 2
    except TradingError as error:
        print(f"tsbot: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())

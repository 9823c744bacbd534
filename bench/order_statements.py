"""Where the order path's time goes: its transactions and statements, stage by stage, with their wall time.

    python -m bench.order_statements [--orders 200] [--database URL] [--show]

One spot order (a buy, then a sale of it) from draft to filled, and after it what the chat's portfolio reply
reads: the trader's (who has the paper futures account every new user gets) and that of a user who trades spot
only; on a fresh database beside the one `--database` names (PostgreSQL; dropped afterwards) or on a SQLite file
when it names none. Counted through SQLAlchemy's
documented engine events: `begin` (transactions, each a BEGIN and a COMMIT or ROLLBACK sent; none where a
connection runs in autocommit), `commit`, `before_cursor_execute` (statements sent to the driver);
`--show` prints each distinct statement of one order, with the stage that sent it.
"""

import argparse
import asyncio
import statistics
import tempfile
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, event

from bench.databases import scratch_postgres
from bench.order_path import funded_trader, percentile
from bot.container import Container
from bot.migrate import upgrade
from bot.settings import Settings
from trading.domain.enums import OrderStatus, Side
from trading.domain.futures import MarketType
from trading.domain.intents import OrderIntent
from trading.usecases.accounts import register_user
from trading.usecases.core import Core, account_of
from trading.usecases.drafting import draft_order
from trading.usecases.exchange_accounts import remove_account
from trading.usecases.execution import confirm_draft
from trading.usecases.portfolio import portfolio_and_futures

WARM_UP = 20


@dataclass
class Tally:
    """What the engines were sent while `stage` was set."""

    stage: str = ""
    transactions: Counter[str] = field(default_factory=Counter)
    commits: Counter[str] = field(default_factory=Counter)
    statements: Counter[str] = field(default_factory=Counter)
    texts: dict[str, list[str]] = field(default_factory=dict)

    @contextmanager
    def during(self, stage: str) -> Iterator[None]:
        self.stage = stage
        try:
            yield
        finally:
            self.stage = ""

    def listen(self, container: Container) -> None:
        engines = [container.engine] + ([container.read_engine] if container.read_engine is not None else [])
        for engine in engines:
            event.listen(engine.sync_engine, "begin", self._on_begin)
            event.listen(engine.sync_engine, "before_cursor_execute", self._on_statement)
            event.listen(engine.sync_engine, "commit", self._on_commit)

    def _on_begin(self, connection: Connection) -> None:
        if connection.get_execution_options().get("isolation_level") == "AUTOCOMMIT":
            return  # no BEGIN is sent: each statement commits on its own
        self.transactions[self.stage] += 1
        self.texts.setdefault(self.stage, []).append("BEGIN")

    def _on_commit(self, _connection: Any) -> None:
        self.commits[self.stage] += 1
        self.texts.setdefault(self.stage, []).append("COMMIT")

    def _on_statement(self, _conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        self.statements[self.stage] += 1
        self.texts.setdefault(self.stage, []).append(" ".join(statement.split())[:150])


async def spot_only_trader(core: Core) -> int:
    """A new user whose paper futures account is removed."""
    user, _account = await register_user(core, "spot only")
    async with core.uow(read_only=True) as uow:
        futures = await account_of(uow, user.id, None, MarketType.FUTURES)
    await remove_account(core, user.id, futures.id)
    return user.id


async def measure(url: str, orders: int, show: bool) -> None:
    tally = Tally()
    times: dict[str, list[float]] = {"draft": [], "confirm": [], "portfolio": [], "portfolio, spot only": []}
    async with funded_trader(url) as (container, user_id):
        core = container.core
        spot_only = await spot_only_trader(core)

        async def stage(name: str, step: Callable[[], Awaitable[Any]]) -> Any:
            loop = asyncio.get_running_loop()
            started = loop.time()
            with tally.during(name):
                result = await step()
            times[name].append((loop.time() - started) * 1000)
            return result

        async def one_order(i: int) -> None:
            intent = OrderIntent("ETH", Side.BUY if i % 2 == 0 else Side.SELL, Decimal("0.01"))
            draft = await stage("draft", lambda: draft_order(core, user_id, intent))
            order = await stage("confirm", lambda: confirm_draft(core, user_id, draft.id))
            assert order.status is OrderStatus.FILLED, order
            # What the chat's portfolio reply reads (handlers.portfolio.show_portfolio).
            await stage("portfolio", lambda: portfolio_and_futures(core, user_id))
            await stage("portfolio, spot only", lambda: portfolio_and_futures(core, spot_only))

        for i in range(WARM_UP):
            await one_order(i)
        if show:
            tally.listen(container)
            for i in range(2):  # a buy and a sale
                await one_order(i)
            for name, texts in tally.texts.items():
                print(f"-- {name}: the statements of a buy and a sale")
                for text in texts:
                    print(f"   {text}")
            return
        for values in times.values():
            values.clear()
        tally.listen(container)
        for i in range(orders):
            await one_order(i)
        for name, values in times.items():
            print(
                f"{name:<20} transactions {tally.transactions[name] / orders:5.1f}  "
                f"commits {tally.commits[name] / orders:5.1f}  "
                f"statements {tally.statements[name] / orders:5.1f}  "
                f"p50 {statistics.median(values):7.2f} ms  p99 {percentile(values, 0.99):7.2f} ms"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=200)
    parser.add_argument("--database", help="a PostgreSQL database on the server to make the run's beside")
    parser.add_argument("--show", action="store_true", help="print the statements of one buy and one sale")
    args = parser.parse_args()
    if args.database is None:
        with tempfile.TemporaryDirectory() as folder:
            url = f"sqlite:///{Path(folder) / 'bench.db'}"
            upgrade(Settings(database_url=url))
            asyncio.run(measure(url, args.orders, args.show))
        return
    with scratch_postgres(args.database, "statements") as url:
        upgrade(Settings(database_url=url, secret_key="bench"))
        asyncio.run(measure(url, args.orders, args.show))


if __name__ == "__main__":
    main()

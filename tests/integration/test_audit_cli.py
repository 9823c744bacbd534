"""`tsbot audit FILE` through the real command line, on the embedded default: the simulated market's history
kept in the SQL table, the report printed and kept, the chart written; a file that is no export is one line."""

import asyncio
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.audits import candle_source
from bot.settings import Settings
from tests.audit.exports import export, message
from tests.cli import cli_env, run_tsbot
from tests.databases import sqlite_copy

AT = datetime(2025, 6, 2, 9, tzinfo=UTC)


def btc_export() -> bytes:
    """A BTC long entered at its simulated price of the hour, with targets 2% and 4% above and a 3% stop."""
    source = candle_source(Settings(_env_file=None))
    [candle] = asyncio.run(source.history("BTC/USDT", "1h", AT - timedelta(hours=1), AT))
    price = candle.close
    targets = f"{price * 102 / 100:.2f}, {price * 104 / 100:.2f}"
    text = f"#BTC/USDT LONG\nEntry: {price:.2f}\nTargets: {targets}\nStop loss: {price * 97 / 100:.2f}"
    return export([message(1, AT, text), message(2, AT + timedelta(hours=3), "Move SL to entry", 1)])


def test_an_export_is_audited_from_the_command_line(tmp_path: Path, sqlite_template: Path) -> None:
    database = sqlite_copy(sqlite_template, tmp_path, "cli")
    dropped = ("DATABASE_", "REDIS_", "INFLUX_", "EXCHANGE")
    env = cli_env(dropped, DATABASE_URL=database, DATA_DIR=str(tmp_path / "data"))

    def tsbot(*args: str) -> subprocess.CompletedProcess[str]:
        return run_tsbot(env, tmp_path, *args, timeout=300)

    assert tsbot("user", "create", "alice").returncode == 0
    (tmp_path / "result.json").write_bytes(btc_export())
    done = tsbot("audit", "result.json", "--user", "1", "--chart", "equity.png")
    assert done.returncode == 0, done.stderr
    assert "Posts 2 · signals found 1 · read 2 · simulated 1 · entered 1" in done.stdout
    assert "candle requests to paper:" in done.stdout
    assert (tmp_path / "equity.png").read_bytes().startswith(b"\x89PNG")
    (tmp_path / "notes.txt").write_text("not an export")
    refused = tsbot("audit", "notes.txt", "--user", "1")
    assert refused.returncode == 1 and "not a Telegram channel export" in refused.stderr

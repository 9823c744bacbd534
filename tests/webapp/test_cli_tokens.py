"""`tsbot token create|list|revoke`, through the real command line."""

import re
import subprocess
from pathlib import Path

from tests.cli import cli_env, run_tsbot
from tests.databases import sqlite_copy


def test_token_created_listed_and_revoked_from_the_cli(tmp_path: Path, sqlite_template: Path) -> None:
    database = sqlite_copy(sqlite_template, tmp_path, "cli")
    env = cli_env(("DATABASE_", "REDIS_"), DATABASE_URL=database, DATA_DIR=str(tmp_path / "data"))

    def tsbot(*args: str) -> subprocess.CompletedProcess[str]:
        return run_tsbot(env, tmp_path, *args, timeout=120)

    assert tsbot("user", "create", "alice").returncode == 0
    made = tsbot("token", "create", "--user", "1", "--scope", "trade", "my script")
    assert made.returncode == 0, made.stderr
    match = re.search(r"token (\d+) \(trade\) my script: (tsb_\S+)", made.stdout)
    assert match is not None, made.stdout
    token_id, secret = match.groups()
    listed = tsbot("token", "list", "--user", "1").stdout
    assert "active" in listed and secret[:10] in listed and secret not in listed
    assert tsbot("token", "revoke", "--user", "1", token_id).returncode == 0
    assert "revoked" in tsbot("token", "list", "--user", "1").stdout
    again = tsbot("token", "revoke", "--user", "1", token_id)
    assert again.returncode == 1 and "not found" in again.stderr

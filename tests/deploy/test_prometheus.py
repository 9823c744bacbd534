"""The metrics as Prometheus sees them: Debian's Prometheus scrapes a `tsbot run` through a scripted session (an
order, a refusal, a signal, alerts) and every metric is read back through its HTTP API; the alert rules load
and pass promtool's checks and tests; every panel of the Grafana dashboard is a query Prometheus answers."""

import json
import subprocess
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path

import httpx
import pytest

from tests.deploy.prometheus import DEPLOY, RULES, binary, prometheus_scraping, query, values, wait_for
from tests.patience import PATIENCE_S
from tests.webapp.browser import ask_bot, button
from tests.webapp.live import live_server

pytestmark = pytest.mark.skipif(
    binary("prometheus") is None or binary("promtool") is None,
    reason="prometheus is not installed and could not be (`make prometheus` installs it)",
)
DASHBOARD = DEPLOY / "grafana" / "tsbot.json"
TRADER = 7301
SIGNAL = "BTC/USDT LONG\nEntry: 60000\nTargets: 62000, 64000\nStop loss: 58000"

At = Callable[[float], bool]


def at_least(n: float) -> At:
    return lambda value: value >= n


def any_value(_: float) -> bool:
    return True


# Each metric after the session: a query and what one of its series' values must be.
EXPECTED: list[tuple[str, At]] = [
    ('tsbot_orders_placed_total{venue="paper"}', at_least(1)),
    ('tsbot_orders_filled_total{venue="paper"}', at_least(1)),
    ('tsbot_orders_refused_total{venue="paper", reason="RiskRejected"}', at_least(1)),
    ('tsbot_order_ack_seconds_count{venue="paper"}', at_least(1)),
    ('tsbot_order_fill_seconds_count{venue="paper"}', at_least(1)),
    ('tsbot_fill_slippage_bps_count{venue="paper"}', at_least(1)),
    ("tsbot_reconciliations_total", at_least(1)),  # at start-up
    ('tsbot_reconciled_orders_total{outcome="lost"}', any_value),
    ("tsbot_tracker_last_pass_timestamp_seconds", at_least(1)),
    ("tsbot_alerts_fired_total", at_least(1)),
    ("tsbot_alert_delay_seconds_count", at_least(1)),
    ('tsbot_readings_total{intent="place_order"}', at_least(2)),
    ('tsbot_readings_total{intent="signal"}', at_least(1)),
    ('tsbot_readings_total{intent="set_alert"}', at_least(2)),
    ("tsbot_reading_confidence_count", at_least(5)),
    ("tsbot_readings_asked_back_total", at_least(1)),
    ('tsbot_llm_calls_total{outcome="answered"}', any_value),  # no LLM configured: its series at 0
    ("tsbot_llm_call_seconds_count", any_value),
    ('tsbot_telegram_retry_after_total{method="sendMessage"}', any_value),
    ("tsbot_telegram_outgoing_queued", any_value),
    ('tsbot_jobs{state="queued"}', any_value),
    ('tsbot_job_runs{outcome="failed"}', any_value),
    ('tsbot_users_active{window="1h"}', at_least(1)),
    ("tsbot_requests_total", at_least(1)),
]


@pytest.fixture
def scraped(tmp_path: Path, sqlite_template: Path) -> Iterator[tuple[str, str]]:
    """A `tsbot run` and a Prometheus scraping it: their base URLs."""
    with (
        live_server(sqlite_template, tmp_path, command="run") as app,
        prometheus_scraping(app.removeprefix("http://"), tmp_path) as prometheus,
    ):
        yield app, prometheus


def session(app: str) -> None:
    """An order confirmed, one refused by the risk limits, a forwarded signal, a reading asked back, and two
    alerts a tick apart from the price, one of which the simulated market's next steps fire."""
    preview = ask_bot(app, TRADER, "buy $50 of eth")
    confirmed = httpx.post(
        f"{app}/sandbox/api/chats/{TRADER}/callbacks",
        json={"message_id": preview["message_id"], "data": button(preview, "Confirm")},
        timeout=PATIENCE_S,
    )
    assert confirmed.json()["answer"] == "Order placed.", confirmed.text
    refused = ask_bot(app, TRADER, "buy $9000 of btc")
    assert "limit" in refused["text"], refused
    ask_bot(app, TRADER, SIGNAL, forward_from_chat="Crypto Calls")
    ask_bot(app, TRADER, "buy 1 eth at 3000 stop loss 3100")  # a stop above the price: asked back
    for move in ("rises", "drops"):  # the answer may be the other alert's firing already
        assert "ETH/USDT" in ask_bot(app, TRADER, f"alert me if eth {move} 0.01%")["text"]


def test_each_metric_is_read_back_through_prometheus(scraped: tuple[str, str]) -> None:
    app, prometheus = scraped
    session(app)
    for expr, expected in EXPECTED:
        wait_for(partial(_holds, prometheus, expr, expected), expr)


def test_the_alert_rules_load_and_every_dashboard_panel_is_a_working_query(scraped: tuple[str, str]) -> None:
    _, prometheus = scraped
    wait_for(lambda: all(rule["health"] != "unknown" for rule in _rules(prometheus)), "the rules' first run")
    assert {rule["name"]: rule["health"] for rule in _rules(prometheus) if rule["health"] != "ok"} == {}
    exprs = [target["expr"] for panel in _panels() for target in panel["targets"]]
    answers = {expr: query(prometheus, expr) for expr in exprs}
    assert {expr: answer for expr, answer in answers.items() if answer["status"] != "success"} == {}
    # The rows the dashboard promises, and queries in each.
    rows = [panel["title"] for panel in json.loads(DASHBOARD.read_text())["panels"] if panel["type"] == "row"]
    assert rows == ["Trading", "Reader", "Bot", "System"]


def test_promtool_checks_and_tests_the_alert_rules() -> None:
    promtool = binary("promtool")
    assert promtool is not None
    for command in (["check", "rules", str(RULES)], ["test", "rules", "rules_test.yml"]):
        done = subprocess.run(
            [promtool, *command], cwd=RULES.parent, capture_output=True, text=True, timeout=PATIENCE_S
        )
        assert done.returncode == 0, done.stdout + done.stderr


def _holds(prometheus: str, expr: str, expected: At) -> bool:
    return any(map(expected, values(prometheus, expr)))


def _rules(prometheus: str) -> list[dict[str, str]]:
    answer = httpx.get(f"{prometheus}/api/v1/rules", timeout=PATIENCE_S).json()
    assert answer["status"] == "success", answer
    rules = [rule for group in answer["data"]["groups"] for rule in group["rules"]]
    assert rules, "no rules loaded"
    return rules


def _panels() -> list[dict[str, list[dict[str, str]]]]:
    return [panel for panel in json.loads(DASHBOARD.read_text())["panels"] if panel["type"] != "row"]

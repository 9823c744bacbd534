"""What an order preview and the portfolio read over HTTP: the user's accounts, risk limits, ledgers and the
day's P&L in one statement (the paper venue's own reads aside)."""

from decimal import Decimal

from tests.statements import statements_sent
from tests.webapp.conftest import Api


async def signed_in(api: Api, telegram_id: int) -> dict[str, str]:
    """Headers of a user whose token has been used once: its user is looked up on its first use only
    (webapp.verified_tokens)."""
    headers = await api.sign_in(telegram_id)
    await api.json("GET", "/api/v1/orders", headers)
    return headers


def core_statements(sent: list[str]) -> list[str]:
    """The first word of each statement but the paper venue's (which stands in for an exchange)."""
    return [s.split()[0] for s in sent if "paper_" not in s]


async def test_a_spot_buy_preview_reads_once_then_keeps_the_draft(api: Api) -> None:
    headers = await signed_in(api, 1401)
    body = {"symbol": "BTC", "side": "buy", "amount": "0.01"}
    with statements_sent(api.served) as sent:
        draft = await api.json("POST", "/api/v1/orders/preview", headers, json=body)
    assert Decimal(draft["preview"]["quantity"]) == Decimal("0.01")
    # PostgreSQL: the draft is kept without waiting for the WAL flush (SET LOCAL synchronous_commit).
    relaxed = ["SET"] if api.served.engine.dialect.name == "postgresql" else []
    assert core_statements(sent) == ["SELECT", *relaxed, "INSERT"], sent


async def test_the_portfolio_is_one_read(api: Api) -> None:
    headers = await signed_in(api, 1402)
    draft = await api.json(
        "POST", "/api/v1/orders/preview", headers, json={"symbol": "BTC", "side": "buy", "amount": "0.01"}
    )
    await api.json("POST", "/api/v1/orders/confirm", headers, json={"draft_id": draft["draft_id"]})
    with statements_sent(api.served) as sent:
        view = await api.json("GET", "/api/v1/portfolio", headers)
    assert [p["symbol"] for p in view["positions"]] == ["BTC/USDT"]
    assert core_statements(sent) == ["SELECT"], sent

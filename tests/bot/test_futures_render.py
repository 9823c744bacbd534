"""What the bot says of futures: a futures order's preview, a close's, and the futures part of the portfolio."""

from datetime import UTC, datetime
from decimal import Decimal

from handlers.render import draft_preview, portfolio_text
from trading.domain.enums import OrderType, Side
from trading.domain.futures import FuturesPosition, MarginMode, PositionSide
from trading.domain.futures_orders import FuturesTerms
from trading.domain.orders import OrderDraft, Preview
from trading.usecases.futures_portfolio import FuturesPortfolio
from trading.usecases.portfolio import Portfolio

D = Decimal
NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
ETH = "ETH/USDT:USDT"


def _draft(side: Side, preview: Preview, **more: object) -> OrderDraft:
    return OrderDraft(
        "d1",
        1,
        2,
        ETH,
        side,
        OrderType.MARKET,
        preview.quantity,
        None,
        preview,
        NOW,
        NOW,
        **more,  # type: ignore[arg-type]
    )


def test_a_short_shows_side_leverage_margin_stop_liquidation_funding_and_risk() -> None:
    terms = FuturesTerms(
        PositionSide.SHORT,
        D(5),
        MarginMode.ISOLATED,
        D("299.99"),
        liquidation_price=D("3585.48"),
        funding_rate=D("0.000318"),
    )
    preview = Preview(
        D("2999.85"), D("0.5"), D("1499.93"), D("0.75"), D("101.62"), D("200.15"), D("6.67"), terms
    )
    text = draft_preview(_draft(Side.SELL, preview, stop_loss=D(3200), take_profits=(D(2800),)), 120)
    assert text.splitlines() == [
        "📝 Short 0.5 ETH (1,499.93 USDT) at 5x, market (futures)",
        "Price: 2,999.85 USDT",
        "Leverage: 5x isolated",
        "Margin: 299.99 USDT",
        "Fee: ~0.75 USDT",
        "Stop: 3,200.00 (6.67% away)",
        "Liquidation: 3,585.48 (12.05% beyond the stop)",
        "Targets: 2,800.00",
        "Funding: 0.0318% every 8 hours (you receive it at this rate)",
        "At risk: 101.62 USDT",
        "This preview expires in 2 min.",
    ]


def test_a_close_buys_the_short_back_and_says_so() -> None:
    terms = FuturesTerms(PositionSide.SHORT, D(5), MarginMode.ISOLATED, D(0), reduce_only=True, closes=True)
    preview = Preview(D("2789.49"), D("0.25"), D("697.37"), D("0.35"), D("0.35"), futures=terms)
    text = draft_preview(_draft(Side.BUY, preview), 120)
    assert text.splitlines()[:3] == [
        "📝 Close your ETH short: buy back 0.25 ETH (697.37 USDT), market",
        "Price: 2,789.49 USDT",
        "Fee: ~0.35 USDT",
    ]
    half = FuturesTerms(
        PositionSide.LONG, D(10), MarginMode.ISOLATED, D(0), reduce_only=True, liquidation_price=D(2700)
    )
    reduced = draft_preview(_draft(Side.SELL, Preview(D(3000), D(1), D(3000), D(1), D(1), futures=half)), 60)
    assert (
        reduced.startswith("📝 Reduce your ETH long: sell 1 ETH") and "Liquidation after: 2,700.00" in reduced
    )


def test_the_portfolio_shows_futures_positions_with_side_leverage_entry_mark_liquidation_and_pnl() -> None:
    spot = Portfolio(1, "USDT", D(10_000), D(10_000), (), (), D(0), D(0), D(0), D(10_000))
    short = FuturesPosition(
        ETH, PositionSide.SHORT, D("0.5"), D(3000), D(5), MarginMode.ISOLATED, D(300), D(2900), D("3585.48"),
        D(50), NOW,
    )  # fmt: skip
    futures = FuturesPortfolio(
        2, "Paper futures", "USDT", D(9999), D(10049), D(9699), (short,), D(50), D(0), D(1), D(0), D(10_000)
    )
    text = portfolio_text(spot, futures)
    assert "📈 Futures (Paper futures): equity 10,049.00 USDT, available 9,699.00" in text
    assert (
        "• ETH short 0.5 at 5x: entry 3,000.00 → mark 2,900.00, liq. 3,585.48, P&L +50.00 (margin 300.00)"
        in text.splitlines()
    )
    assert "P&L realised 0.00, unrealised 50.00, fees 1.00, funding 0.00 USDT" in text
    assert "Futures" not in portfolio_text(spot)

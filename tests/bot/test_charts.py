import itertools
import re
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from handlers.charts import PortfolioCharts, portfolio_figure
from trading.usecases.portfolio import Portfolio

NOON = datetime(2026, 3, 2, 12, tzinfo=UTC)


async def test_a_chart_is_drawn_once_a_minute_per_user_and_old_users_make_room() -> None:
    drawn: list[int] = []

    def drawer(user: int) -> Callable[[], Awaitable[bytes]]:
        async def draw() -> bytes:
            drawn.append(user)
            return f"png of {user} #{len(drawn)}".encode()

        return draw

    charts = PortfolioCharts(keep=timedelta(minutes=1), users=2)
    first = await charts.png(1, NOON, drawer(1))
    assert await charts.png(1, NOON + timedelta(seconds=59), drawer(1)) == first
    assert await charts.png(1, NOON + timedelta(seconds=61), drawer(1)) != first
    await charts.png(2, NOON, drawer(2))
    await charts.png(3, NOON, drawer(3))  # the least recent user, 1, makes room
    await charts.png(1, NOON + timedelta(seconds=62), drawer(1))
    assert drawn == [1, 1, 2, 3, 1]


def _view(equity: str) -> Portfolio:
    return Portfolio(
        1, "USDT", Decimal(equity), Decimal(equity), (), (), Decimal(0), Decimal(0), Decimal(0), Decimal(0)
    )


def test_the_equity_curve_reads_plainly_with_labelled_axes_and_no_labels_overlapping() -> None:
    start = datetime.now(UTC) - timedelta(days=40)
    # A large equity moving by a few units: what makes matplotlib fall back to 1e6 or an offset above the axis.
    history = [(start + timedelta(hours=6 * i), Decimal(1_250_000) + Decimal(i % 7)) for i in range(160)]
    figure = portfolio_figure(_view("1250003"), history)
    figure.draw_without_rendering()  # lays the labels out, as saving the PNG does
    curve = figure.axes[0]
    assert (curve.get_xlabel(), curve.get_ylabel()) == ("time (UTC)", "USDT")
    values = [label.get_text() for label in curve.get_yticklabels() if label.get_text()]
    assert values and all(re.fullmatch(r"-?[\d,]+(?:\.\d+)?", v) for v in values), values
    assert curve.yaxis.get_offset_text().get_text() == ""
    dates = [label for label in curve.get_xticklabels() if label.get_text()]
    assert 2 <= len(dates) <= 7
    boxes = [label.get_window_extent() for label in dates]
    assert not any(a.overlaps(b) for a, b in itertools.combinations(boxes, 2))

"""The portfolio chart: the equity curve and the allocation, drawn with matplotlib into a PNG.

matplotlib is imported when the first chart is drawn (in a worker thread), never at start-up.
"""

import io
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from trading.usecases.portfolio import Portfolio

if TYPE_CHECKING:
    from matplotlib.figure import Figure


def portfolio_png(view: Portfolio, history: Sequence[tuple[datetime, Decimal]]) -> bytes:
    buffer = io.BytesIO()
    portfolio_figure(view, history).savefig(buffer, format="png")
    return buffer.getvalue()


def portfolio_figure(view: Portfolio, history: Sequence[tuple[datetime, Decimal]]) -> "Figure":
    """The equity curve (labelled axes, plain numbers, at most six dates that never overlap) beside the
    allocation."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    figure = Figure(figsize=(8, 3.6), dpi=100)
    curve, pie = figure.subplots(1, 2, gridspec_kw={"width_ratios": [3, 2]})
    draw_curve(curve, [*history, (datetime.now(UTC), view.equity)], view.quote, f"Equity ({view.quote})")
    parts = [(p.symbol.split("/")[0], float(p.value)) for p in view.positions if p.value > 0]
    if view.cash > 0:
        parts.append((view.quote, float(view.cash)))
    if parts:
        pie.pie(
            [v for _, v in parts], labels=[n for n, _ in parts], autopct="%1.0f%%", textprops={"fontsize": 8}
        )
    pie.set_title("Allocation")
    figure.tight_layout()
    return figure


# matplotlib's Axes typing takes no datetimes (it converts them through its units registry): untyped here.
def draw_curve(curve: Any, points: Sequence[tuple[datetime, Decimal]], quote: str, title: str) -> None:
    from matplotlib.dates import AutoDateLocator, ConciseDateFormatter
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    curve.plot([t for t, _ in points], [float(v) for _, v in points], color="#517da2", marker=".")
    if len(points) == 1:  # a new account: one point, on an axis of the hour around it rather than of years
        moment = points[0][0]
        curve.set_xlim(moment - timedelta(minutes=30), moment + timedelta(minutes=30))
        curve.annotate(
            "the curve starts here",
            (moment, float(points[0][1])),
            fontsize=8,
            ha="center",
            xytext=(0, 8),
            textcoords="offset points",
        )
    # At most six dates, each written only as far as it differs from its neighbours: no two labels overlap.
    dates = AutoDateLocator(minticks=2, maxticks=6)  # type: ignore[no-untyped-call]  # matplotlib.dates is untyped
    curve.xaxis.set_major_locator(dates)
    curve.xaxis.set_major_formatter(ConciseDateFormatter(dates, tz=UTC))  # type: ignore[no-untyped-call]
    curve.yaxis.set_major_locator(MaxNLocator(nbins=5))
    # Plain figures with thousands separated: never 1e4 or an offset above the axis.
    curve.yaxis.set_major_formatter(FuncFormatter(lambda value, _: _axis_money(value)))
    curve.tick_params(labelsize=7)
    curve.set_title(title)
    curve.set_xlabel("time (UTC)", fontsize=8)
    curve.set_ylabel(quote, fontsize=8)


def _axis_money(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.2f}"


class PortfolioCharts:
    """Each user's chart, kept a minute: drawing is CPU-heavy (a worker thread's, but the process's all the
    same), and the equity curve gains a point only every five minutes."""

    def __init__(self, keep: timedelta = timedelta(minutes=1), users: int = 1000) -> None:
        self._keep = keep
        self._users = users
        self._drawn: OrderedDict[int, tuple[datetime, bytes]] = OrderedDict()

    async def png(self, user_id: int, now: datetime, draw: Callable[[], Awaitable[bytes]]) -> bytes:
        cached = self._drawn.get(user_id)
        if cached is not None and now - cached[0] < self._keep:
            return cached[1]
        png = await draw()
        self._drawn[user_id] = (now, png)
        self._drawn.move_to_end(user_id)
        while len(self._drawn) > self._users:
            self._drawn.popitem(last=False)
        return png

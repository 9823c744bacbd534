"""The portfolio chart: the equity curve and the allocation, drawn with matplotlib into a PNG.

matplotlib is imported when the first chart is drawn (in a worker thread), never at start-up.
"""

import io
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, timedelta
from decimal import Decimal

from trading.usecases.portfolio import Portfolio


def portfolio_png(view: Portfolio, history: Sequence[tuple[datetime, Decimal]]) -> bytes:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    figure = Figure(figsize=(8, 3.6), dpi=100)
    curve, pie = figure.subplots(1, 2, gridspec_kw={"width_ratios": [3, 2]})
    points = [*history, (datetime.now().astimezone(), view.equity)]
    curve.plot([t for t, _ in points], [float(v) for _, v in points], color="#517da2", marker=".")
    if len(points) == 1:  # a new account: one point, on an axis of the hour around it rather than of years
        moment = points[0][0]
        curve.set_xlim(moment - timedelta(minutes=30), moment + timedelta(minutes=30))
        curve.annotate(
            "the curve starts here",
            (moment, float(view.equity)),
            fontsize=8,
            ha="center",
            xytext=(0, 8),
            textcoords="offset points",
        )
    curve.set_title(f"Equity ({view.quote})")
    curve.tick_params(axis="x", labelrotation=30, labelsize=7)
    parts = [(p.symbol.split("/")[0], float(p.value)) for p in view.positions if p.value > 0]
    if view.cash > 0:
        parts.append((view.quote, float(view.cash)))
    if parts:
        pie.pie(
            [v for _, v in parts], labels=[n for n, _ in parts], autopct="%1.0f%%", textprops={"fontsize": 8}
        )
    pie.set_title("Allocation")
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


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

"""The portfolio chart: the equity curve and the allocation, drawn with matplotlib into a PNG.

matplotlib is imported when the first chart is drawn (in a worker thread), never at start-up.
"""

import io
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from trading.usecases.portfolio import Portfolio


def portfolio_png(view: Portfolio, history: Sequence[tuple[datetime, Decimal]]) -> bytes:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    figure = Figure(figsize=(8, 3.6), dpi=100)
    curve, pie = figure.subplots(1, 2, gridspec_kw={"width_ratios": [3, 2]})
    points = [*history, (datetime.now().astimezone(), view.equity)]
    curve.plot([t for t, _ in points], [float(v) for _, v in points], color="#517da2")
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

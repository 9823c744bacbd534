from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

from handlers.charts import PortfolioCharts

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

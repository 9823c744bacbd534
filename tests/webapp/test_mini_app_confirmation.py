"""What the Mini App shows the trader: the stop and targets an order placed, as the chat repeats them, and
the equity chart's axes."""

import re
from collections.abc import Callable

from playwright.sync_api import Browser, FloatRect, Route, expect

from tests.webapp.browser import in_telegram


def test_a_confirmed_ticket_shows_the_stop_and_target_it_placed(browser: Browser, server: str) -> None:
    with in_telegram(browser, server, 2121) as page:
        page.get_by_role("link", name="Trade").click()
        expect(page.get_by_test_id("ticker")).to_contain_text("BTC/USDT")
        page.fill("#amount", "100")
        page.fill("#stop", "5")
        page.fill("#targets", "10")
        page.get_by_test_id("preview").click()
        stop = page.get_by_test_id("stop").inner_text().split()[1]
        target = page.get_by_test_id("targets").inner_text().split()[1]
        page.get_by_test_id("confirm").click()
        expect(page.get_by_test_id("placed")).to_contain_text("filled")
        legs = page.get_by_test_id("placed").get_by_test_id("leg")
        expect(legs).to_have_count(2)
        texts = " | ".join(legs.all_inner_texts())
        assert "Stop #" in texts and f"at {stop}" in texts, texts
        assert "Target #" in texts and f"at {target}" in texts, texts


def _answering(points: list[dict[str, str]]) -> Callable[[Route], None]:
    """A route handler of one argument (Playwright passes the request too to one taking two)."""
    return lambda route: route.fulfill(json=points)


def _overlap(a: FloatRect, b: FloatRect) -> bool:
    return (
        a["x"] < b["x"] + b["width"]
        and b["x"] < a["x"] + a["width"]
        and a["y"] < b["y"] + b["height"]
        and b["y"] < a["y"] + a["height"]
    )


def test_the_equity_charts_axes_are_labelled_in_plain_numbers_that_do_not_overlap(
    browser: Browser, server: str
) -> None:
    """The curve as the API answers it, tiny and large (a float written as it comes gives 1.234e-5): each
    answer is laid over the real one, so the page draws exactly those points."""
    for low, high, value in (
        ("0.00001234", "0.00001240", r"0\.000012\d+"),
        ("9999.5", "1234567.89", r"[\d,]+\.\d{2}"),
    ):
        points = [
            {"at": "2026-12-01T10:00:00Z", "equity": low},
            {"at": "2026-12-04T10:00:00Z", "equity": high},
            {"at": "2026-12-07T10:00:00Z", "equity": low},
        ]
        with in_telegram(browser, server, 2122) as page:
            page.route(re.compile(r"/api/v1/portfolio/equity\b"), _answering(points))
            page.reload()
            chart = page.get_by_test_id("equity-chart")
            expect(chart).to_be_visible()
            titles = chart.get_by_test_id("axis-title")
            assert titles.all_text_contents() == ["USDT", "Time"]
            ticks = chart.get_by_test_id("tick")
            expect(ticks).to_have_count(4)
            labels = ticks.all_text_contents()
            assert all(re.fullmatch(value, label) for label in labels[:2]), labels
            boxes = [box for box in (t.bounding_box() for t in [*ticks.all(), *titles.all()]) if box]
            assert len(boxes) == 6
            clashes = [(i, j) for i in range(6) for j in range(i + 1, 6) if _overlap(boxes[i], boxes[j])]
            assert clashes == [], (labels, boxes)

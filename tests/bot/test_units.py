"""Renderers, keyboards, the outgoing queue and the alert index, without a network."""

import gc
import warnings
import weakref
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from aiogram import Bot
from aiogram.exceptions import TelegramRetryAfter
from aiogram.methods import GetMe, GetMyCommands, Response, SendMessage
from litestar import Litestar
from pydantic import ValidationError

from bot.sandbox.routes import sandbox_router
from bot.sandbox.state import SandboxState
from bot.telegram.outbox import OutgoingQueue
from bot.telegram.response_types import KeptResponseTypes
from bot.telegram.sealed import ConversationSealer
from handlers.chat import ACTS
from handlers.keyboards import (
    AskBack,
    DraftAction,
    draft_keyboard,
    plan_keyboard,
    portfolio_keyboard,
    stop_move_keyboard,
)
from handlers.render import (
    draft_preview,
    orders_text,
    plan_preview,
    plan_result,
    pnl_text,
    quote_text,
    reconciled_text,
    stop_move_preview,
    stop_moved,
)
from nlp.result import INTENTS
from tests.metrics import sample
from trading.domain.alert_index import AlertIndex
from trading.domain.alerts import Alert, AlertCondition, AlertStatus
from trading.domain.enums import OrderRole, OrderStatus, OrderType, Side
from trading.domain.futures import MarginMode, PositionSide
from trading.domain.futures_orders import FuturesTerms
from trading.domain.market import Ticker
from trading.domain.orders import Order, OrderDraft, Preview
from trading.domain.signals import PlannedEntry, SignalPlan
from trading.usecases.access import LARGEST_ID
from trading.usecases.portfolio import Portfolio
from trading.usecases.signal_plans import PlanDraft, PlanResult

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


def _draft() -> OrderDraft:
    preview = Preview(
        Decimal("3400"),
        Decimal("0.0147"),
        Decimal("49.98"),
        Decimal("0.05"),
        Decimal("3.03"),
        Decimal("200"),
        Decimal("5.88"),
    )
    return OrderDraft(
        "AbCdEfGh",
        1,
        1,
        "ETH/USDT",
        Side.BUY,
        OrderType.MARKET,
        Decimal("0.0147"),
        None,
        preview,
        NOW,
        NOW + timedelta(minutes=2),
        stop_loss=Decimal("3200"),
    )


def test_the_preview_says_what_the_money_does() -> None:
    text = draft_preview(_draft(), 120)
    assert text.splitlines()[0] == "📝 Buy 0.0147 ETH (49.98 USDT), market"
    assert "Price: 3,400.00 USDT" in text and "Fee: ~0.05 USDT" in text
    assert "Stop: 3,200.00 (5.88% away)" in text and "At risk: 3.03 USDT" in text
    assert "expires in 2 min" in text


def test_a_preview_gives_a_cheap_coins_prices_to_their_own_digits() -> None:
    cheap = replace(
        _draft(),
        symbol="DOGE/USDT",
        price=Decimal("0.08123"),
        order_type=OrderType.LIMIT,
        stop_loss=Decimal("0.07717"),
        take_profits=(Decimal("0.08935"), Decimal("12345.5")),
        preview=replace(_draft().preview, price=Decimal("0.08123")),
    )
    text = draft_preview(cheap, 120)
    assert text.splitlines()[0].endswith("limit at 0.08123")
    assert "Price: 0.08123 USDT" in text and "Stop: 0.07717 (" in text
    assert "Targets: 0.08935, 12,345.50" in text


def test_a_quote_shows_its_24h_change_with_a_sign() -> None:
    ticker = Ticker("BTC/USDT", Decimal(1), Decimal(2), Decimal("67000"), Decimal("-1.5"), NOW)
    assert quote_text(ticker).startswith("BTC/USDT: 67,000.00 USDT (-1.50% 24h)")
    doge = Ticker("DOGE/USDT", Decimal("0.12191"), Decimal("0.12203"), Decimal("0.12197"), Decimal(2), NOW)
    assert quote_text(doge) == "DOGE/USDT: 0.12197 USDT (+2.00% 24h)\nbid 0.12191 · ask 0.12203"
    pepe = Ticker(
        "PEPE/USDT", Decimal("0.00001233"), Decimal("0.00001235"), Decimal("0.00001234"), Decimal(0), NOW
    )
    assert quote_text(pepe).startswith("PEPE/USDT: 0.00001234 USDT")


def test_an_order_checked_with_its_exchange_says_how_it_turned_out() -> None:
    order = Order(
        7, 1, 1, "tsb0123", "ETH/USDT", Side.BUY, OrderType.MARKET, Decimal("0.25"), None,
        OrderStatus.REJECTED, NOW, NOW,
    )  # fmt: skip
    assert reconciled_text(order) == (
        "✖️ Order #7: buy 0.25 ETH never reached the exchange, so nothing was placed. "
        "Ask again for a fresh price."
    )
    filled = replace(
        order,
        status=OrderStatus.FILLED,
        filled=Decimal("0.25"),
        average_price=Decimal(3400),
        fee=Decimal("0.85"),
    )
    assert reconciled_text(filled) == (
        "✅ Order #7: buy 0.25 ETH, filled: 0.25 at 3,400.00 USDT (fee 0.85). "
        "Checked with the exchange, which had not answered at first."
    )


def test_a_plan_result_tells_placed_refused_and_unconfirmed_entries_apart() -> None:
    draft = _draft()
    result = PlanResult((), ((draft, "Not enough USDT."),), ((draft, "It may have been placed."),))
    assert plan_result(result) == (
        "✖️ Entry 3,400.00 not placed: Not enough USDT.\n⏳ Entry 3,400.00: It may have been placed."
    )


def test_a_futures_plan_shows_its_leverage_capped_margin_liquidation_and_funding() -> None:
    plan = SignalPlan(
        "SOL/USDT:USDT",
        Side.BUY,
        (PlannedEntry(OrderType.LIMIT, Decimal(151), Decimal("13.2")),),
        ((Decimal(160), Decimal(1)),),
        Decimal(146),
        Decimal(50),
        Decimal("1993.2"),
        Decimal("0.9966"),
        Decimal("67.99"),
        leverage=Decimal(20),
    )
    terms = FuturesTerms(
        PositionSide.LONG,
        Decimal(20),
        MarginMode.ISOLATED,
        Decimal("99.66"),
        liquidation_price=Decimal("144.25"),
        funding_rate=Decimal("0.0001"),
        leverage_asked=Decimal(50),
    )
    text = plan_preview("Calls", PlanDraft("g", plan, (), terms))
    assert text.startswith("📡 Signal from Calls: long SOL/USDT:USDT (futures)")
    for line in (
        "Leverage: 20x isolated (the signal asks 50x: capped at the most allowed)",
        "Liquidation: 144.25 (1.20% beyond the stop)",
        "Margin 99.66 USDT for 1,993.20 USDT of position",
        "Funding: 0.0100% every 8 hours (you pay it at this rate)",
        "Fees ~1.00 USDT, at risk 67.99 USDT",
    ):
        assert line in text.splitlines(), (line, text)
    spot = replace(plan, symbol="SOL/USDT", leverage_asked=None, leverage=Decimal(1))
    assert "everage" not in plan_preview("Calls", PlanDraft("g", spot, ()))


def test_a_stop_move_says_from_where_to_where_and_what_it_sells() -> None:
    old = Order(
        9, 1, 1, "tsb0456", "ETH/USDT", Side.SELL, OrderType.STOP, Decimal("0.0147"), Decimal(3200),
        OrderStatus.ARMED, NOW, NOW, role=OrderRole.STOP_LOSS, parent_id=8,
    )  # fmt: skip
    preview = Preview(
        Decimal(3300), Decimal("0.0147"), Decimal("48.51"), Decimal("0.05"), Decimal("0.05"), Decimal(100),
        Decimal("2.94"),
    )  # fmt: skip
    move = replace(
        _draft(),
        side=Side.SELL,
        order_type=OrderType.STOP,
        price=Decimal(3300),
        preview=preview,
        stop_loss=None,
    )
    assert stop_move_preview(move, old, 300).splitlines() == [
        "📝 Move your ETH stop: 3,200.00 → 3,300.00 USDT",
        "Sells 0.0147 ETH once the bid falls to 3,300.00 (now 3,400.00, 2.94% above).",
        "Fee when it sells: ~0.05 USDT",
        "This preview expires in 5 min.",
    ]
    assert stop_moved(replace(old, price=Decimal(3300))) == (
        "✅ Your ETH stop is now at 3,300.00 USDT: it sells 0.0147 ETH once the bid falls there (order #9)."
    )
    buttons = [b for row in stop_move_keyboard("AbCdEfGh").inline_keyboard for b in row]
    assert [b.text for b in buttons] == ["✅ Confirm", "✖️ Cancel"]
    assert [DraftAction.unpack(b.callback_data or "").action for b in buttons] == ["move", "cancel"]


def test_the_orders_list_writes_prices_like_every_other_price() -> None:
    stop = Order(
        2, 1, 1, "tsb0789", "ETH/USDT", Side.SELL, OrderType.STOP, Decimal("0.0146"), Decimal(3300),
        OrderStatus.ARMED, NOW, NOW, role=OrderRole.STOP_LOSS, parent_id=1,
    )  # fmt: skip
    assert orders_text([stop]) == "Open orders:\n#2 sell 0.0146 ETH/USDT stop at 3,300.00, armed (stop loss)"


def test_pnl_sums_days_into_weeks() -> None:
    zero = Decimal(0)
    view = Portfolio(1, "USDT", zero, zero, (), (), zero, zero, zero, zero)
    text = pnl_text({NOW.date(): Decimal(10), (NOW - timedelta(days=1)).date(): Decimal(-4)}, view)
    assert "Realised P&L, last 30 days: +6.00 USDT" in text
    assert "2026-03-02: +10.00 USDT" in text and "2026-W10: +10.00 USDT" in text
    assert "2026-W09: −4.00 USDT" in text


def test_the_draft_keyboard_round_trips_its_callback_data() -> None:
    markup = draft_keyboard("AbCdEfGh")
    buttons = [b for row in markup.inline_keyboard for b in row]
    assert [b.text for b in buttons] == ["✅ Confirm", "✏️ Change amount", "✖️ Cancel"]
    assert DraftAction.unpack(buttons[0].callback_data or "") == DraftAction(
        action="confirm", draft_id="AbCdEfGh"
    )
    plan = plan_keyboard("AbCdEfGh", LARGEST_ID)  # the longest an id can be
    assert all(len((b.callback_data or "").encode()) <= 64 for row in plan.inline_keyboard for b in row)


def test_every_reading_but_unknown_has_its_feature_and_a_button_names_only_a_reading() -> None:
    assert set(ACTS) == set(INTENTS) - {"unknown"}
    assert AskBack.unpack(AskBack(intent="price", ref="r1").pack()) == AskBack(intent="price", ref="r1")
    assert AskBack.unpack("q:none:r1").intent == "none"
    with pytest.raises(ValidationError):
        AskBack.unpack("q:drop_tables:r1")


class FakeTime:
    def __init__(self) -> None:
        self.now = 0.0

    def time(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds


async def test_the_queue_keeps_one_chat_to_its_rate_after_a_burst() -> None:
    clock = FakeTime()
    queue = OutgoingQueue(
        per_second=30, per_chat_per_second=1, chat_burst=3, now=clock.time, sleep=clock.sleep
    )
    sent: list[float] = []

    async def make_request(bot: Any, method: Any) -> Any:
        sent.append(clock.now)
        return "ok"

    bot = Bot("42:TEST")
    for _ in range(5):
        await queue(make_request, bot, SendMessage(chat_id=1, text="hi"))
    await queue(make_request, bot, GetMe())  # not a message: never queued
    assert sent == pytest.approx([0, 0, 0, 1, 2, 2])


async def test_the_queue_honours_retry_after() -> None:
    clock = FakeTime()
    queue = OutgoingQueue(
        per_second=30, per_chat_per_second=1, chat_burst=1, now=clock.time, sleep=clock.sleep
    )
    calls: list[float] = []

    async def make_request(bot: Any, method: Any) -> Any:
        calls.append(clock.now)
        if len(calls) == 1:
            raise TelegramRetryAfter(method=method, message="Too Many Requests", retry_after=7)
        return "ok"

    told_to_wait = sample("tsbot_telegram_retry_after_total", method="sendMessage")
    answer: Any = await queue(make_request, Bot("42:TEST"), SendMessage(chat_id=1, text="hi"))
    assert answer == "ok"
    assert calls == pytest.approx([0, 7]) and queue.retries == 1
    assert sample("tsbot_telegram_retry_after_total", method="sendMessage") == told_to_wait + 1
    assert sample("tsbot_telegram_outgoing_queued") == 0  # nothing left waiting


async def test_the_answer_model_of_a_method_called_outlives_a_garbage_collection() -> None:
    """Built once, not after every collection (bot.telegram.response_types)."""
    read_as: list[weakref.ref[type]] = []

    async def make_request(bot: Any, method: Any) -> Any:
        read_as.append(weakref.ref(Response[method.__returning__]))  # as aiogram's session reads the answer
        return "ok"

    kept = KeptResponseTypes()
    await kept(make_request, Bot("42:TEST"), GetMyCommands())
    gc.collect()
    assert read_as[0]() is not None


def _alert(alert_id: int, condition: AlertCondition, threshold: str, symbol: str = "SOL/USDT") -> Alert:
    return Alert(alert_id, 1, symbol, condition, Decimal(threshold), AlertStatus.ACTIVE, NOW)


def test_the_alert_index_returns_each_reached_alert_once() -> None:
    index = AlertIndex(
        [
            _alert(1, AlertCondition.BELOW, "120"),
            _alert(2, AlertCondition.BELOW, "100"),
            _alert(3, AlertCondition.ABOVE, "160"),
            _alert(4, AlertCondition.ABOVE, "70000", "BTC/USDT"),
        ]
    )
    assert index.take_due("SOL/USDT", Decimal(130)) == []
    assert [a.id for a in index.take_due("SOL/USDT", Decimal(120))] == [1]
    assert index.take_due("SOL/USDT", Decimal(119)) == []
    index.remove(3)
    assert index.take_due("SOL/USDT", Decimal(500)) == []
    assert [a.id for a in index.take_due("SOL/USDT", Decimal(1))] == [2]
    assert index.symbols() == ["BTC/USDT"] and len(index) == 1


def test_the_sandbox_routes_declare_their_parameters_as_litestar_wants() -> None:
    """Path, query, body and dependency parameters marked explicitly: no deprecation warning when mounted."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        Litestar(route_handlers=[sandbox_router(SandboxState())])


def test_the_portfolio_keyboard_is_made_once_and_the_draft_one_per_draft() -> None:
    assert portfolio_keyboard() is portfolio_keyboard()
    rows = draft_keyboard("AbCdEfGh").inline_keyboard
    assert [[b.text for b in row] for row in rows] == [["✅ Confirm"], ["✏️ Change amount", "✖️ Cancel"]]
    assert [DraftAction.unpack(b.callback_data or "").action for row in rows for b in row] == [
        "confirm",
        "amount",
        "cancel",
    ]


def test_a_sealed_secret_opens_only_with_its_key_and_never_shows_in_the_clear() -> None:
    sealed = ConversationSealer("key-one").seal("api-secret-123")
    assert "api-secret-123" not in sealed
    assert ConversationSealer("key-one").open(sealed) == "api-secret-123"
    assert ConversationSealer("key-two").open(sealed) is None
    assert ConversationSealer("key-one").open(sealed[:-4] + "AAAA") is None

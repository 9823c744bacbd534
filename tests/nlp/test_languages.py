"""Signals and commands in Russian, Spanish, Portuguese and Turkish, read by the same rules; what the bot cannot
read is reported, never guessed."""

from __future__ import annotations

from decimal import Decimal

import pytest

from nlp.pipeline import Pipeline

D = Decimal


@pytest.mark.parametrize(
    ("text", "language", "side", "entries", "targets", "stop", "leverage"),
    [
        (
            "ЛОНГ BTC/USDT\nВход: 64 200 - 64 500\nЦели: 65 000, 66 000\nСтоп: 63 000\nПлечо: х10",
            "ru", "buy", [64200, 64500], [65000, 66000], 63000, 10,
        ),
        ("#ETH ШОРТ\nВход 3450\nЦели 3400 3350\nСтоп 3520\nПлечо 5х", "ru", "sell", [3450], [3400, 3350], 3520, 5),
        ("COMPRA SOL\nEntrada 150,5\nObjetivos 160 170\nStop 140", "es", "buy", [D("150.5")], [160, 170], 140, None),
        ("VENTA #BTC\nEntrada: 64.200,5\nObjetivos: 63.000,0 - 62.000\nStop: 65.100,0", "es", "sell",
         [D("64200.5")], [63000, 62000], 65100, None),
        ("#ETH VENDA\nentrada 3500\nalvos 3400 3300\nstop 3600\nalavancagem 10x", "pt", "sell", [3500], [3400, 3300], 3600, 10),
        ("BTC LONG\nGİRİŞ 64000\nHEDEF 65000 66000\nSTOP 63000\nKALDIRAÇ 10x", "tr", "buy", [64000], [65000, 66000], 63000, 10),
    ],
)  # fmt: skip
def test_a_signal_in_another_language_is_read_as_in_english(
    rules: Pipeline, text: str, language: str, side: str, entries: list[Decimal], targets: list[Decimal],
    stop: Decimal, leverage: Decimal | None,
) -> None:  # fmt: skip
    result = rules.parse(text)
    assert (result.intent, result.language, result.side) == ("signal", language, side)
    assert sorted(result.entries) == sorted(D(e) for e in entries)
    assert list(result.targets) == [D(t) for t in targets]
    assert (result.stop_loss, result.leverage) == (D(stop), None if leverage is None else D(leverage))
    assert not result.flags


@pytest.mark.parametrize(
    ("text", "intent", "fields"),
    [
        ("compra 50 usdt de sol con stop del 5%", "place_order",
         {"side": "buy", "symbol": "SOL", "amount": 50, "amount_unit": "quote", "stop_loss_percent": 5}),
        ("купи 0,1 btc по 60000", "place_order", {"side": "buy", "amount": D("0.1"), "price": 60000}),
        ("vende la mitad de mi eth", "place_order", {"side": "sell", "amount": 50, "amount_unit": "percent"}),
        ("vender metade do meu eth", "place_order", {"side": "sell", "amount": 50, "amount_unit": "percent"}),
        ("sat 1 sol", "place_order", {"side": "sell", "symbol": "SOL", "amount": 1}),
        ("закрыть btc", "close_position", {"symbol": "BTC"}),
        ("fecha minha posição de eth", "close_position", {"symbol": "ETH"}),
        ("cierra mi posición de eth", "close_position", {"symbol": "ETH"}),
        ("цена btc", "price", {"symbol": "BTC"}),
        ("preço do btc", "price", {"symbol": "BTC"}),
        ("btc fiyatı", "price", {"symbol": "BTC"}),
        ("мой портфель", "portfolio", {}),
        ("mi cartera", "portfolio", {}),
        ("уведоми когда btc ниже 60000", "set_alert", {"condition": "below", "threshold": 60000}),
        ("alerta cuando btc baje de 60000", "set_alert", {"condition": "below", "threshold": 60000}),
        ("avise quando btc abaixo de 60000", "set_alert", {"condition": "below", "threshold": 60000}),
        ("btc 60000 altına düşerse uyar", "set_alert", {"condition": "below", "threshold": 60000}),
        ("отмени все ордера", "cancel_order", {}),
    ],
)  # fmt: skip
def test_the_main_commands_in_other_languages(
    rules: Pipeline, text: str, intent: str, fields: dict[str, object]
) -> None:
    result = rules.parse(text)
    assert result.intent == intent
    for name, want in fields.items():
        got = getattr(result, name)
        assert got == (D(want) if isinstance(want, int) else want), name


@pytest.mark.parametrize("text", ["买 BTC 60000", "kaufen 0,5 eth", "acheter 1 btc à 60000"])
def test_a_language_not_read_is_asked_back_never_traded(rules: Pipeline, text: str) -> None:
    result = rules.parse(text)
    assert "language_unread" in {f.code for f in result.flags} and result.should_ask_back


def test_digit_groups_that_could_be_one_number_or_two_are_asked_back() -> None:
    rules = Pipeline(use_classifier=False)
    apart = rules.parse("ЛОНГ BTC\nВход: 64 200\nЦели: 65 100")  # no other price tells the scale
    assert "number_in_doubt" in {f.code for f in apart.flags} and apart.should_ask_back
    scaled = rules.parse("ЛОНГ BTC\nВход: 64 200\nЦели: 65100\nСтоп 63500")  # the others are of 64,200's
    assert scaled.entries == (D(64200),) and not scaled.flags
    listed = rules.parse("ЛОНГ SOL\nВход 90\nЦели: 95 105 120\nСтоп 85")  # the others are of the parts'
    assert list(listed.targets) == [D(95), D(105), D(120)] and not listed.flags


def test_a_dot_that_may_group_thousands_is_read_by_the_message_scale_or_asked_back(rules: Pipeline) -> None:
    assert rules.parse("ETH VENTA entrada 3.500 objetivos 3400 3300").entries == (D(3500),)
    assert rules.parse("LINK COMPRA entrada 14.250 objetivos 15.5 16.75 stop 13.9").entries == (D("14.250"),)
    doubt = rules.parse("#ETH VENDA entrada 3.500 alvos 3.400 3.300 stop 3.600")
    assert [f.message for f in doubt.flags] == ["3.500 could be 3,500 or 3.5: write it again"]
    assert rules.parse("BTC LONG entry 3.500 targets 3.600").flags == ()  # English: a dot is a decimal point


def test_a_message_of_another_language_s_short_words_is_told_by_them(rules: Pipeline) -> None:
    result = rules.parse("El que salga ahora si ha promediado va positivo")
    assert result.language == "es"


def test_oro_is_gold(rules: Pipeline) -> None:
    result = rules.parse("PARA TODOS LOS QUE TENGAN ORO ABIERTO CERRAMOS TODO YA")
    assert (result.intent, result.symbol, result.update) == ("close_position", "XAU", "close")


@pytest.mark.parametrize(
    ("text", "intent", "symbol"),
    [("цена биткоина", "price", "BTC"), ("portföyüm", "portfolio", None), ("эфира цена", "price", "ETH")],
)
def test_names_and_endings_of_other_languages(
    rules: Pipeline, text: str, intent: str, symbol: str | None
) -> None:
    result = rules.parse(text)
    assert (result.intent, result.symbol) == (intent, symbol)


def test_a_german_order_is_not_read_and_says_so(rules: Pipeline) -> None:
    result = rules.parse("kaufe 0.1 eth")
    assert result.intent != "place_order"
    assert any(flag.code == "language_unread" for flag in result.flags)

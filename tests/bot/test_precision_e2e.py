"""Prices through the sandbox chat to each market's own digits: a cheap coin and a tiny-priced one."""

from decimal import Decimal

from bot.telegram.runtime import TelegramBot
from tests.bot.sandbox import Sandbox
from tests.harness import Harness


async def test_a_cheap_coins_price_and_preview_keep_its_markets_digits(
    sandbox: Sandbox, bot: TelegramBot, harness: Harness
) -> None:
    harness.market.set_price("DOGE/USDT", Decimal("0.11234"))
    chat = sandbox.chat(2101)
    [quote] = await chat.ask("price of doge")
    assert quote["text"].startswith("DOGE/USDT: 0.11234 USDT (")
    [preview] = await chat.ask("buy 500 doge with a stop at 0.10567 and a target at 0.12345")
    lines = preview["text"].splitlines()
    price = next(line for line in lines if line.startswith("Price:"))
    assert price.startswith("Price: 0.1123") and len(price.split()[1]) == len("0.11234")
    assert next(line for line in lines if line.startswith("Stop:")).startswith("Stop: 0.10567 (")
    assert "Targets: 0.12345" in preview["text"] or "Target: 0.12345" in preview["text"]


async def test_a_tiny_priced_coin_is_shown_in_plain_digits_never_in_scientific_notation(
    sandbox: Sandbox, bot: TelegramBot, harness: Harness
) -> None:
    harness.market.set_price("PEPE/USDT", Decimal("0.00001234"))
    chat = sandbox.chat(2102)
    [quote] = await chat.ask("price of pepe")
    assert quote["text"].startswith("PEPE/USDT: 0.00001234 USDT (")
    [preview] = await chat.ask("buy 1000000 pepe with a stop at 0.00001111")
    text = preview["text"]
    assert "E-" not in text.upper()
    price = next(line for line in text.splitlines() if line.startswith("Price:"))
    assert price.startswith("Price: 0.0000123"), price
    assert "Stop: 0.00001111 (" in text

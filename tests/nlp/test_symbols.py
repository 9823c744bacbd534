from __future__ import annotations

import pytest

from nlp.lexer import tokenize
from nlp.symbols import MARKED, SymbolResolver, best


@pytest.fixture(scope="module")
def resolver() -> SymbolResolver:
    return SymbolResolver(["NEWCOIN/USDT", "PEPE/USDT:USDT"])


@pytest.mark.parametrize(
    ("text", "symbol", "quote"),
    [
        ("#BTC/USDT", "BTC", "USDT"),
        ("ETHBTC", "ETH", "BTC"),
        ("XAUUSD", "XAU", "USD"),
        ("GBPJPY", "GBP", "JPY"),
        ("XRPUSDT.P", "XRP", "USDT"),
        ("#OPUSDT", "OP", "USDT"),
        ("US30", "US30", None),
        ("#XYZ/USDT", "XYZ", "USDT"),
        ("ethereum", "ETH", None),
        ("etherium", "ETH", None),
        ("bitcion", "BTC", None),
        ("gold", "XAU", None),
        ("silver", "XAG", None),
        ("shiba inu", "SHIB", None),
        ("newcoin", "NEWCOIN", None),
        ("$2Z", "2Z", None),
    ],
)
def test_resolves_tickers_names_and_pairs(
    resolver: SymbolResolver, text: str, symbol: str, quote: str | None
) -> None:
    found = best(resolver.find_all(tokenize(text)))
    assert found is not None and (found.symbol, found.quote) == (symbol, quote)


@pytest.mark.parametrize("text", ["buy one for me", "it is all at the top", "the new signal"])
def test_english_words_are_no_tickers_in_lower_case(resolver: SymbolResolver, text: str) -> None:
    assert best(resolver.find_all(tokenize(text))) is None


def test_a_marked_ticker_wins_over_a_name(resolver: SymbolResolver) -> None:
    found = best(resolver.find_all(tokenize("bitcoin dominance up, but $SOL looks ready")))
    assert found is not None and found.symbol == "SOL" and found.strength == MARKED

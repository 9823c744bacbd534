"""Naming linear perpetuals after the pairs they follow, as ccxt does: 'BTC/USDT' trades spot, 'BTC/USDT:USDT'
is its perpetual, settled in the quote."""

from trading.domain.market import parse_symbol


def is_perpetual(symbol: str) -> bool:
    return ":" in symbol


def perpetual_of(symbol: str) -> str:
    """'BTC/USDT' -> 'BTC/USDT:USDT'; a perpetual stays as it is."""
    if is_perpetual(symbol):
        return symbol
    _, quote = parse_symbol(symbol)
    return f"{symbol}:{quote}"


def pair_of_perpetual(symbol: str) -> str:
    """'BTC/USDT:USDT' -> 'BTC/USDT': the pair whose price it follows."""
    return symbol.split(":", 1)[0]

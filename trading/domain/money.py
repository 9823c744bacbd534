"""Decimal helpers."""

from decimal import Decimal

HUNDRED = Decimal(100)


def canonical(value: Decimal) -> Decimal:
    """Without trailing zeros and never in exponent form: 1.500 -> 1.5, 100.000 -> 100."""
    if value == value.to_integral_value():
        return value.quantize(Decimal(1))
    return value.normalize()


def at_distance(price: Decimal, percent: Decimal, *, below: bool) -> Decimal:
    """The price `percent` percent below or above `price`: a stop or a target given as a distance."""
    return price * (1 - percent / HUNDRED if below else 1 + percent / HUNDRED)


def price_text(value: Decimal) -> str:
    """A price as a trader reads it: to the cent with thousands separated, or to six places for a coin worth
    less than one unit of its quote (3,400.00; 0.000012)."""
    return f"{value:,.{2 if value >= 1 else 6}f}"

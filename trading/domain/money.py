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

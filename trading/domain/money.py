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


# A price shows its own digits up to this many significant ones: a market's tick never needs more.
PRICE_DIGITS = 7


def price_text(value: Decimal) -> str:
    """A price as a trader reads it: thousands separated, at least to the cent, and to its own digits up to
    seven significant ones, so that a cheap coin keeps its precision (3,400.00; 1.07543; 0.1123; 0.00001234)."""
    if not value.is_finite() or value == 0:
        return f"{value:,.2f}"
    places = max(2, PRICE_DIGITS - 1 - value.adjusted())
    rounded = value.quantize(Decimal(1).scaleb(-places))
    exponent = rounded.normalize().as_tuple().exponent
    shown = max(2, -exponent) if isinstance(exponent, int) else 2
    return f"{rounded:,.{shown}f}"

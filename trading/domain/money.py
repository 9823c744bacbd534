"""Decimal helpers."""

from decimal import Decimal


def canonical(value: Decimal) -> Decimal:
    """Without trailing zeros and never in exponent form: 1.500 -> 1.5, 100.000 -> 100."""
    if value == value.to_integral_value():
        return value.quantize(Decimal(1))
    return value.normalize()

"""The number a command names one of the user's rows by ("/notify 2", "/source #3")."""

from trading.domain.errors import NotFound
from trading.usecases.access import LARGEST_ID


def row_number(word: str) -> int | None:
    """The row id `word` names ("3" or "#3"); None if it is no number (in ASCII digits: int() refuses "²", which
    isdigit() accepts). NotFound for a number no row's id can be (0, or beyond the database's integers)."""
    digits = word.removeprefix("#")
    if not (digits.isascii() and digits.isdecimal()):
        return None
    number = int(digits)
    if not 1 <= number <= LARGEST_ID:
        raise NotFound(f"You have nothing numbered #{number}.")
    return number

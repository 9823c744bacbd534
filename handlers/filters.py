"""Filters checked on the event loop.

aiogram awaits a filter that is a `Filter` but runs any other callable, a magic filter (`F.text`) or a bare
`State` among them, in a worker thread (`asyncio.to_thread`). Routers ahead of the chat one put such a check on
every text message; each hop to a thread and back costs far more than the attribute it reads. These do the same
checks as the library's own, awaited in place: `StateFilter` for states and `OnLoop` for magic filters.
"""

from typing import Any

from aiogram import F
from aiogram.filters import Filter
from aiogram.types import TelegramObject
from magic_filter import MagicFilter


class OnLoop(Filter):
    """A magic filter resolved against the event, as aiogram would, but without leaving the event loop."""

    __slots__ = ("magic",)

    def __init__(self, magic: MagicFilter) -> None:
        self.magic = magic

    async def __call__(self, event: TelegramObject) -> Any:
        return self.magic.resolve(event)

    def __str__(self) -> str:
        return f"{type(self).__name__}({self.magic!r})"


HAS_TEXT = OnLoop(F.text)

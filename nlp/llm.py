"""Optional LLM stage: an OpenAI-compatible chat model reads what the rules and the classifier could not.

Used only when the pipeline was given an API key or a base URL, and only for messages whose reading is below
the ask-back threshold. The answer comes as structured output (a Pydantic schema, through langchain-openai),
is checked like any other reading (known intent, finite numbers that the text really contains, a symbol the
text names) and is dropped for the first stages' answer on any failure or after the timeout.
"""

from __future__ import annotations

import asyncio
import logging
import re
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, Field

from nlp.assemble import as_decimal
from nlp.checks import contradictions
from nlp.lexer import NUM, tokenize
from nlp.metrics import llm_call
from nlp.result import ParseResult
from nlp.symbols import SymbolResolver

log = logging.getLogger(__name__)
MAX_LLM_CONFIDENCE = 0.85  # an unverifiable reader never outranks a rule that matched
_SYSTEM = """You read messages sent to a crypto, forex and index trading bot and return their structure.
intent: signal (a channel's trade call with entries, targets, stop), place_order, close_position, cancel_order,
set_alert, set_stop_loss, price, portfolio, orders, pnl, help, or unknown (greetings, chat, target-hit reports,
results, market commentary: anything that opens no trade).
symbol: the base ticker in capitals (bitcoin -> BTC, gold -> XAU); quote only where the text names it.
side: buy or sell (long = buy, short = sell). Numbers as plain numbers (64.2k -> 64200).
amount_unit: base (0.5 ETH), quote ($100 of ETH), percent (half my ETH -> 50).
condition of an alert: above, below, or cross when the text gives no direction.
Leave out what the message does not say. confidence: how sure you are, 0 to 1."""


class LlmReading(BaseModel):
    """The structured answer asked of the model: the contract's fields."""

    intent: Literal[
        "signal", "place_order", "close_position", "cancel_order", "set_alert", "set_stop_loss", "price",
        "portfolio", "orders", "pnl", "help", "unknown",
    ]  # fmt: skip
    symbol: str | None = None
    quote: str | None = None
    side: Literal["buy", "sell"] | None = None
    order_type: Literal["market", "limit", "stop"] | None = None
    amount: float | None = None
    amount_unit: Literal["base", "quote", "percent"] | None = None
    price: float | None = None
    entries: list[float] = Field(default_factory=list)
    targets: list[float] = Field(default_factory=list)
    stop_loss: float | None = None
    leverage: float | None = None
    condition: Literal["above", "below", "cross"] | None = None
    threshold: float | None = None
    confidence: float = Field(default=0.6, ge=0.0, le=1.0)


class LlmReader:
    def __init__(
        self,
        resolver: SymbolResolver,
        *,
        api_key: str | None,
        base_url: str | None,
        model: str,
        timeout: float,
    ) -> None:
        self._resolver = resolver
        self._api_key = api_key
        self._base_url = base_url
        self._model = model
        self._timeout = timeout
        self._runnable: Any = None

    def _structured(self) -> Any:
        if self._runnable is None:
            from langchain_openai import ChatOpenAI  # heavy: imported on the first message that needs it

            chat = ChatOpenAI(
                model=self._model,
                api_key=self._api_key or "not-needed",
                base_url=self._base_url,
                timeout=self._timeout,
                max_retries=0,
                temperature=0,
            )
            self._runnable = chat.with_structured_output(LlmReading, method="function_calling")
        return self._runnable

    async def read(self, text: str) -> LlmReading | None:
        try:
            with llm_call():
                answer = await asyncio.wait_for(
                    self._structured().ainvoke([("system", _SYSTEM), ("human", text)]), timeout=self._timeout
                )
        except Exception as exc:  # any failure of the optional stage falls back to the first stages
            log.warning("LLM stage failed: %s", type(exc).__name__)
            return None
        return answer if isinstance(answer, LlmReading) else None

    async def improve(self, text: str, fallback: ParseResult) -> ParseResult:
        answer = await self.read(text)
        if answer is None:
            return fallback
        checked = self.validate(text, answer)
        return checked if checked is not None else fallback

    def validate(self, text: str, answer: LlmReading) -> ParseResult | None:
        """The answer as a ParseResult, or None when it names what the text does not contain."""
        written = _numbers_in(text)
        numbers: dict[str, Decimal | None] = {}
        for name in ("amount", "price", "stop_loss", "leverage", "threshold"):
            value = as_decimal(getattr(answer, name))
            if getattr(answer, name) is not None and (value is None or not _found(value, written, name)):
                return None
            numbers[name] = value
        lists: dict[str, tuple[Decimal, ...]] = {}
        for name in ("entries", "targets"):
            values = [as_decimal(v) for v in getattr(answer, name)]
            if any(v is None or not _found(v, written, name) for v in values):
                return None
            lists[name] = tuple(v for v in values if v is not None)
        symbol = self._symbol(answer.symbol, text)
        if answer.symbol and symbol is None:
            return None
        quote = (
            answer.quote.strip().upper() if answer.quote and answer.quote.upper() in text.upper() else None
        )
        result = ParseResult(
            intent=answer.intent,
            confidence=round(min(answer.confidence, MAX_LLM_CONFIDENCE), 3),
            symbol=symbol,
            quote=quote,
            side=answer.side,
            order_type=answer.order_type,
            amount=numbers["amount"],
            amount_unit=answer.amount_unit,
            price=numbers["price"],
            entries=lists["entries"],
            targets=lists["targets"],
            stop_loss=numbers["stop_loss"],
            leverage=numbers["leverage"],
            condition=answer.condition,
            threshold=numbers["threshold"],
            stage="llm",
        )
        return result.with_changes(flags=contradictions(result))

    def _symbol(self, raw: str | None, text: str) -> str | None:
        """The model's symbol, kept only when the text names it (as a ticker, a pair or a known name)."""
        if not raw:
            return None
        ticker = re.sub(r"[^A-Z0-9]", "", raw.upper())
        named = {m.symbol for m in self._resolver.find_all(tokenize(text))}
        if ticker in named or re.search(rf"(?<![A-Z0-9]){re.escape(ticker)}(?![A-Z0-9])", text.upper()):
            return ticker or None
        return None


def _numbers_in(text: str) -> set[Decimal]:
    return {t.value for t in tokenize(text) if t.kind == NUM and t.value is not None}


def _found(value: Decimal, written: set[Decimal], name: str) -> bool:
    """A number the model gives must be in the text (a share may be written as a fraction: half -> 50)."""
    if value in written or (name == "amount" and value == 100):  # "all of it" is 100 percent
        return True
    return name == "amount" and any(abs(value - w * 100) < Decimal("0.01") for w in written if w <= 1)

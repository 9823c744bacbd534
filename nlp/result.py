"""The parse result: what the pipeline read in a message, in the shape of contract/parse.md."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import timedelta
from decimal import Decimal
from typing import Literal, get_args

from nlp.schedules import Repeat
from nlp.updates import Update

Intent = Literal[
    "signal",
    "place_order",
    "close_position",
    "cancel_order",
    "set_alert",
    "set_stop_loss",
    "price",
    "portfolio",
    "orders",
    "pnl",
    "help",
    "unknown",
]
INTENTS: tuple[Intent, ...] = get_args(Intent)
Side = Literal["buy", "sell"]
Position = Literal["long", "short"]
OrderType = Literal["market", "limit", "stop"]
# "risk": a percent of the equity to lose at the stop ("risk 1%"), the stop's distance giving the size; outside
# the parse contract, whose units are the other three.
AmountUnit = Literal["base", "quote", "percent", "risk"]
Condition = Literal["above", "below", "cross"]
Stage = Literal["rules", "classifier", "llm"]

# Below this confidence the bot asks the user to confirm what was meant instead of acting on it. The rule stage
# gives 0.8 or more only when a pattern it knows matched with the entities that pattern needs; the classifier
# rarely passes 0.6 on a message unlike every example phrase. Flags (contradictions) ask back at any confidence.
ASK_BACK_THRESHOLD = 0.6
# A signal is followed without a tap (for a source the trader chose) only at this confidence or above and with no
# flag raised: below it the trader is shown the plan and asked. No wrong reading may score this high.
AUTO_FOLLOW_THRESHOLD = 0.9
# Doubts no offered reading would mend: the message is to be sent again, written otherwise.
SEND_AGAIN_FLAGS = frozenset(
    {
        "negative_number",
        "amount_not_positive",
        "percent_over_100",
        "number_in_doubt",
        "several_orders",
        "several_coins",
    }
)


StopModeName = Literal["moving_target", "break_even", "trailing_take_profit"]


@dataclass(frozen=True, slots=True)
class Flag:
    """A contradiction or doubt found in the message, reported as it is and never silently fixed."""

    code: str
    message: str


@dataclass(frozen=True, slots=True)
class Alternative:
    """Another reading of the message's intent, with the score the stage gave it (to ask back with)."""

    intent: Intent
    score: float


@dataclass(frozen=True, slots=True)
class ParseResult:
    intent: Intent
    confidence: float
    symbol: str | None = None
    quote: str | None = None
    side: Side | None = None
    order_type: OrderType | None = None
    amount: Decimal | None = None
    amount_unit: AmountUnit | None = None
    price: Decimal | None = None
    entries: tuple[Decimal, ...] = ()
    targets: tuple[Decimal, ...] = ()
    stop_loss: Decimal | None = None
    leverage: Decimal | None = None
    # A stop and take-profits given as distances ("a 5% stop", "SL: 5%"): outside the parse contract, whose
    # stop_loss and targets are prices; the core prices them from the order's price or the signal's entries.
    stop_loss_percent: Decimal | None = None
    target_percents: tuple[Decimal, ...] = ()
    condition: Condition | None = None
    threshold: Decimal | None = None
    threshold_percent: Decimal | None = None  # outside the contract: an alert on a move ("goes up 5%")
    order_id: int | None = None  # outside the contract: the order a request names ("cancel order 2")
    asks_markets: bool = (
        False  # outside the contract: help asked about the markets ("what coins can I trade?")
    )
    flags: tuple[Flag, ...] = ()
    alternatives: tuple[Alternative, ...] = field(default=())
    stage: Stage = "rules"
    update: Update | None = None  # a post about an earlier signal (nlp.updates)
    # A long or a short named: opened ("short 0.1 eth") or held ("close my eth short", "reduce my btc long"),
    # which the side tells apart (the side that opens it, or the one that reduces it). Outside the contract.
    position: Position | None = None
    language: str = "en"  # of the message, as far as its trading words tell (ISO 639-1)
    unread: tuple[str, ...] = ()  # words in a language or script the rules do not read
    # Outside the parse contract: an order to repeat ("every monday", DCA) or to spread out ("over 2 hours").
    repeat: Repeat | None = None
    spread_over: timedelta | None = None
    trailing: bool = False  # outside the contract: a stop to trail the price ("trail my eth stop 3%")
    # Outside the contract: another stop mode for a position ("moving target on my eth stop", "move my eth
    # stop to break even after target 2", "trailing take profit 3% on my eth stop"), and its target.
    stop_mode: StopModeName | None = None
    after_target: int | None = None
    # Outside the contract: the stop mode on a coin turned off ("stop trailing my eth"), the stop staying put.
    stop_mode_off: bool = False
    # Outside the contract: a buy asked to trail in ("trailing buy 0.1 eth 2%"): the turn back up it waits for.
    trailing_entry: Decimal | None = None
    # Outside the contract: a trailing entry on a coin asked to end ("cancel my trailing buy on eth").
    trailing_entry_off: bool = False

    @property
    def should_ask_back(self) -> bool:
        """True when the bot should confirm the reading with the user before doing anything with it."""
        return self.confidence < ASK_BACK_THRESHOLD or bool(self.flags)

    def with_changes(self, **changes: object) -> ParseResult:
        return replace(self, **changes)  # type: ignore[arg-type]

    def contract_fields(self) -> dict[str, object]:
        """The contract's fields, numbers still as Decimal (see nlp.jsonout for writing them)."""
        return {
            "intent": self.intent,
            "symbol": self.symbol,
            "quote": self.quote,
            "side": self.side,
            "order_type": self.order_type,
            "amount": self.amount,
            "amount_unit": self.amount_unit,
            "price": self.price,
            "entries": list(self.entries),
            "targets": list(self.targets),
            "stop_loss": self.stop_loss,
            "leverage": self.leverage,
            "condition": self.condition,
            "threshold": self.threshold,
            "confidence": round(self.confidence, 3),
            "update": self.update,
        }


def unknown(confidence: float, alternatives: tuple[Alternative, ...] = ()) -> ParseResult:
    return ParseResult(intent="unknown", confidence=confidence, alternatives=alternatives)

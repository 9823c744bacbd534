"""A signal source's entry rules over the API, on the same use cases as the chat's /source."""

from datetime import timedelta
from decimal import Decimal
from typing import Annotated, Literal

import msgspec
from litestar import Controller, Request, get, put
from litestar.datastructures import State
from litestar.exceptions import ValidationException
from litestar.params import JSONBody

from trading.domain.entry_rules import MAX_EXPIRY, MAX_GRACE_PERCENT, MAX_RATIO, EntryRules, SplitStrategy
from trading.domain.stop_modes import MAX_PERCENT
from trading.usecases.entry_rules import SourceEntryRules, entry_rules_of, set_entry_rules
from webapp.auth import Principal, can_trade
from webapp.context import WebContext
from webapp.errors import field_sentences
from webapp.schemas import RowId

AuthRequest = Request[Principal, object, State]
Split = Literal["evenly", "weighted-first", "weighted-last", "custom"]
MAX_EXPIRY_MINUTES = int(MAX_EXPIRY.total_seconds() // 60)
ExpiryMinutes = Annotated[int, msgspec.Meta(ge=1, le=MAX_EXPIRY_MINUTES)]
_ON_OR_OFF = "must be on or off (true or false)."
# What a trader reads for a field the body cannot be decoded with; a value that decodes and is still out of
# range is refused by EntryRules itself, in its own sentence.
FIELD_SENTENCES = {
    "split": "The split must be evenly, weighted-first, weighted-last or custom.",
    "ratios": (
        f"Every ratio of a custom split must be a number above 0 and at most {MAX_RATIO:,}, one per entry, "
        "such as 50/30/20."
    ),
    "first_at_market": f"First entry at market {_ON_OR_OFF}",
    "grace_percent": f"The entry grace must be a number between 0% and {MAX_GRACE_PERCENT}%.",
    "expiry_minutes": (
        f"Entries must expire after a whole number of minutes from 1 to {MAX_EXPIRY_MINUTES:,} (30 days), "
        "or never (left empty)."
    ),
    "close_on_target_before_entry": f"Close if a target is reached before any entry fills {_ON_OR_OFF}",
    "cancel_on_stop_before_entry": f"Cancel if the stop is hit before entry {_ON_OR_OFF}",
    "trailing_entry_percent": (
        f"The trailing entry must be a percentage above 0 and at most {MAX_PERCENT}, or off (left empty)."
    ),
}


class EntryRulesBody(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """How a source's signals are entered. `split`: the amount over the entries evenly, weighted to the first
    (3/2/1) or the last (1/2/3) entry, or by `ratios` (custom: one per entry, e.g. [50, 30, 20], each above 0 and at most 1,000,000).
    `first_at_market`: the first entry taken at market. `grace_percent` (0 to 10) widens the entry zone: a limit
    entry the market is short of by less than this is taken at market when planned. `expiry_minutes`: entries
    not filled by then are cancelled (null: never). The two `before_entry` rules cancel a plan's waiting
    entries where target 1, or the stop, is reached before any entry filled. Each cancellation is told.
    `trailing_entry_percent` (above 0, at most 50; null: off): a spot buy's limit entry at P becomes a trailing
    entry armed at P: once the ask is at or below P, it buys the entry's amount at market when the ask turns back
    up this percent from its low (futures plans keep their limit entries)."""

    split: Split = "evenly"
    ratios: list[Decimal] = msgspec.field(default_factory=list)
    first_at_market: bool = False
    grace_percent: Decimal = Decimal(0)
    expiry_minutes: ExpiryMinutes | None = None
    close_on_target_before_entry: bool = False
    cancel_on_stop_before_entry: bool = False
    trailing_entry_percent: Decimal | None = None


class SourceEntryRulesOut(msgspec.Struct):
    source_id: int
    title: str
    rules: EntryRulesBody


def _rules_of(body: EntryRulesBody) -> EntryRules:
    expiry = None if body.expiry_minutes is None else timedelta(minutes=body.expiry_minutes)
    return EntryRules(
        split=SplitStrategy(body.split),
        ratios=tuple(body.ratios),
        first_at_market=body.first_at_market,
        grace_percent=body.grace_percent,
        expiry=expiry,
        close_on_target_before_entry=body.close_on_target_before_entry,
        cancel_on_stop_before_entry=body.cancel_on_stop_before_entry,
        trailing_entry_percent=body.trailing_entry_percent,
    )


def _out(found: SourceEntryRules) -> SourceEntryRulesOut:
    rules = found.rules
    expiry = None if rules.expiry is None else int(rules.expiry.total_seconds() // 60)
    body = EntryRulesBody(
        split=rules.split.value,
        ratios=list(rules.ratios),
        first_at_market=rules.first_at_market,
        grace_percent=rules.grace_percent,
        expiry_minutes=expiry,
        close_on_target_before_entry=rules.close_on_target_before_entry,
        cancel_on_stop_before_entry=rules.cancel_on_stop_before_entry,
        trailing_entry_percent=rules.trailing_entry_percent,
    )
    return SourceEntryRulesOut(found.source.id, found.source.title, body)


class EntryRulesController(Controller):
    path = "/signals/sources"
    tags = ("signals",)

    @get("/{source_id:int}/entry-rules", summary="A signal source's entry rules")
    async def rules(self, state: State, request: AuthRequest, source_id: RowId) -> SourceEntryRulesOut:
        web: WebContext = state.web
        return _out(await entry_rules_of(web.core, request.user.user_id, source_id))

    @put(
        "/{source_id:int}/entry-rules",
        guards=[can_trade],
        exception_handlers={ValidationException: field_sentences(FIELD_SENTENCES)},
        summary="Set a signal source's entry rules",
        description=(
            "Replaces them all: for the plans of its signals drafted from now on, and for the waiting entries "
            "of its plans followed already. 400 where custom ratios are given without the custom split (or the "
            "other way round), or a rule is out of range, with a sentence naming the field."
        ),
    )
    async def set_rules(
        self, state: State, request: AuthRequest, source_id: RowId, data: JSONBody[EntryRulesBody]
    ) -> SourceEntryRulesOut:
        web: WebContext = state.web
        return _out(await set_entry_rules(web.core, request.user.user_id, source_id, _rules_of(data)))

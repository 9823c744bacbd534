"""Telegram Desktop's machine-readable export of a channel's history (`result.json`): its posts, with their times
(`date`, `edited`), the post each replies to, and their text (a string, or a list of plain strings and entities
each with its `text`). Anything else is refused in one sentence, and nothing is kept from it."""

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from trading.domain.errors import InvalidInput

# Telegram lets a bot download files of 20 MB at most; an export larger than that is refused the same way from
# the CLI and the API, so that an audit reads the same whichever door the file came in by.
MAX_EXPORT_BYTES = 20 * 1024 * 1024
NOT_AN_EXPORT = (
    "This is not a Telegram channel export: export the channel from Telegram Desktop "
    "(Export chat history, format: Machine-readable JSON) and send its result.json "
    "(or an HTML export's messages.html, or its folder zipped)."
)


@dataclass(frozen=True, slots=True)
class ExportPost:
    id: int
    at: datetime
    text: str
    reply_to: int | None = None
    edited_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class ChannelExport:
    title: str
    posts: tuple[ExportPost, ...]


def read_export(content: bytes) -> ChannelExport:
    """The posts of an export, in time order; InvalidInput (one sentence) for anything that is not one."""
    check_size(content)
    try:
        document = json.loads(content.decode("utf-8"))  # Telegram Desktop writes UTF-8
    except (UnicodeDecodeError, ValueError):
        raise InvalidInput(NOT_AN_EXPORT) from None
    if not isinstance(document, Mapping) or not isinstance(document.get("messages"), list):
        raise InvalidInput(NOT_AN_EXPORT)
    posts = []
    for raw in document["messages"]:
        post = _post(raw)
        if post is not None:
            posts.append(post)
    title = document.get("name")
    return ChannelExport(
        title if isinstance(title, str) and title else "the channel",
        tuple(sorted(posts, key=lambda p: (p.at, p.id))),
    )


def check_size(content: bytes) -> None:
    if len(content) > MAX_EXPORT_BYTES:
        raise InvalidInput(
            f"This file is {len(content) / 1024 / 1024:,.1f} MB; an export may be "
            f"{MAX_EXPORT_BYTES // 1024 // 1024} MB at most: export a shorter period of the channel."
        )


def _post(raw: object) -> ExportPost | None:
    """A message of the export; None for a service message (a pinned post, a title changed) or one without
    text (a photo alone). A message without an id or a date makes the file no export."""
    if not isinstance(raw, Mapping) or not isinstance(raw.get("id"), int) or "date" not in raw:
        raise InvalidInput(f"{NOT_AN_EXPORT[:-1]}: a message in it has no id or no date.")
    if raw.get("type", "message") != "message":
        return None
    text = text_of(raw.get("text", ""))
    if not text.strip():
        return None
    reply_to = raw.get("reply_to_message_id")
    return ExportPost(
        raw["id"],
        _time(raw, "date"),
        text,
        reply_to if isinstance(reply_to, int) else None,
        _time(raw, "edited") if "edited" in raw else None,
    )


def text_of(text: object) -> str:
    """The plain text of a message: a string, or the export's list of strings and entities ({"type": "bold",
    "text": "..."})."""
    if isinstance(text, str):
        return text
    if isinstance(text, Sequence):
        return "".join(part if isinstance(part, str) else _entity_text(part) for part in text)
    raise InvalidInput(f"{NOT_AN_EXPORT[:-1]}: a message's text is neither text nor a list of its parts.")


def _entity_text(part: object) -> str:
    if isinstance(part, Mapping) and isinstance(part.get("text"), str):
        return str(part["text"])
    raise InvalidInput(f"{NOT_AN_EXPORT[:-1]}: a part of a message's text has no text.")


def _time(raw: Mapping[str, object], key: str) -> datetime:
    """The export's times are local to the exporting computer, with the Unix time beside them in
    `date_unixtime` (newer exports): that one where given, read as UTC."""
    unix = raw.get(f"{key}_unixtime")
    try:
        if isinstance(unix, str) and unix.isdigit():
            return datetime.fromtimestamp(int(unix), UTC)
        value = raw[key]
        if isinstance(value, str):
            moment = datetime.fromisoformat(value)
            return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    except (ValueError, OverflowError):
        pass
    raise InvalidInput(f"{NOT_AN_EXPORT[:-1]}: a message's {key} is not a time.")

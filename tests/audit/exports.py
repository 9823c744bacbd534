"""Telegram Desktop exports written for the tests, in its result.json shape: a channel's signals, its follow-ups
(replies and plain posts), commentary, a service message, texts as strings and as lists of entities."""

import json
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

START = datetime(2026, 3, 2, 9, tzinfo=UTC)


def message(
    post_id: int,
    at: datetime,
    text: str | list[Any],
    reply_to: int | None = None,
    edited: datetime | None = None,
) -> dict[str, Any]:
    raw: dict[str, Any] = {
        "id": post_id,
        "type": "message",
        "date": at.replace(tzinfo=None).isoformat(),
        "date_unixtime": str(int(at.timestamp())),
        "from": "Crypto Compass VIP",
        "from_id": "channel1893340032",
        "text": text,
        "text_entities": [],
    }
    if reply_to is not None:
        raw["reply_to_message_id"] = reply_to
    if edited is not None:
        raw["edited"] = edited.replace(tzinfo=None).isoformat()
        raw["edited_unixtime"] = str(int(edited.timestamp()))
    return raw


def export(messages: Sequence[dict[str, Any]], name: str = "Crypto Compass VIP") -> bytes:
    document = {"name": name, "type": "public_channel", "id": 1893340032, "messages": list(messages)}
    return json.dumps(document, ensure_ascii=False, indent=1).encode()


def compass_channel() -> bytes:
    """Two signals and their follow-ups, a greeting, a pinned-message service entry, a reading in doubt."""
    hour = timedelta(hours=1)
    return export(
        [
            message(101, START - hour, "Good morning traders! Market looks bullish today 🚀"),
            {
                "id": 102,
                "type": "service",
                "date": (START - hour).replace(tzinfo=None).isoformat(),
                "actor": "Crypto Compass VIP",
                "action": "pin_message",
                "message_id": 101,
                "text": "",
            },
            message(
                103,
                START,
                [
                    {"type": "hashtag", "text": "#ETH"},
                    "/USDT LONG\nEntry: 100 - 98\nTargets: 110, 120\nStop loss: 90",
                ],
            ),
            message(104, START + 2 * hour, [{"type": "bold", "text": "SOL"}, " Target 1 reached ✅"]),
            message(105, START + 3 * hour, "Move SL to 97", reply_to=103),
            message(106, START + 4 * hour, "SHORT AVAX\nEntry 38.4\nTargets 37.2 / 36.1\nStop 40.3"),
            message(107, START + 5 * hour, "BUY SOL entry 100 targets 90 stop 94"),
            message(108, START + 6 * hour, "AVAX close now", edited=START + 7 * hour),
        ]
    )

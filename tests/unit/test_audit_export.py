"""Reading Telegram Desktop's result.json: its posts and their times, and one clear sentence for anything else."""

import json
from datetime import timedelta
from decimal import Decimal

import pytest

from handlers.audit_reader import PipelineReader
from nlp.pipeline import Pipeline
from tests.audit.exports import START, compass_channel, export, message
from trading.domain.audit import FollowUpAction
from trading.domain.audit_export import MAX_EXPORT_BYTES, read_export
from trading.domain.audit_reading import NO_SIGNAL, FollowUpRead, SignalRead, match_posts
from trading.domain.enums import Side
from trading.domain.errors import InvalidInput
from trading.domain.signals import SignalSpec

HOUR = timedelta(hours=1)


def test_the_posts_of_an_export_with_their_times_and_replies() -> None:
    channel = read_export(compass_channel())
    assert channel.title == "Crypto Compass VIP"
    assert [p.id for p in channel.posts] == [
        101,
        103,
        104,
        105,
        106,
        107,
        108,
    ]  # the service message left out
    eth = channel.posts[1]
    assert eth.text.startswith("#ETH/USDT LONG\nEntry: 100 - 98") and eth.at == START
    assert channel.posts[3].reply_to == 103
    assert channel.posts[-1].edited_at == START + 7 * HOUR


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (b"\x89PNG\r\n\x1a\n", "not a Telegram channel export"),
        (b'{"name": "x", "chats": {}}', "not a Telegram channel export"),
        (b'{"messages": [{"id": 1, "text": "hi"}]}', "has no id or no date"),
        (b'{"messages": [{"id": 1, "date": "yesterday", "text": "hi"}]}', "date is not a time"),
        (b'{"messages": [{"id": 1, "date": "2026-01-01T10:00:00", "text": 5}]}', "neither text"),
        (b"[1, 2, 3]", "not a Telegram channel export"),
    ],
)
def test_anything_else_gets_one_sentence(content: bytes, says: str) -> None:
    with pytest.raises(InvalidInput, match=says) as raised:
        read_export(content)
    assert raised.value.message.count(". ") <= 1


def test_a_file_too_large_is_refused_before_it_is_read() -> None:
    with pytest.raises(InvalidInput, match="20 MB at most"):
        read_export(b" " * (MAX_EXPORT_BYTES + 1))


async def test_posts_are_read_and_follow_ups_matched() -> None:
    reader = PipelineReader(Pipeline(["ETH/USDT", "SOL/USDT", "AVAX/USDT"], use_classifier=False))
    channel = read_export(compass_channel())
    readings = [await reader.read(post.text) for post in channel.posts]
    read = match_posts(channel.posts, readings)
    eth, avax = read.signals
    assert (eth.spec.symbol, eth.spec.side, eth.spec.entries) == (
        "ETH",
        Side.BUY,
        (Decimal(100), Decimal(98)),
    )
    # The reply moves ETH's stop from its own time; the close, edited later, acts from the edit.
    assert [(f.action, f.stop, f.at) for f in eth.follow_ups] == [
        (FollowUpAction.MOVE_STOP, Decimal(97), START + 3 * HOUR)
    ]
    assert [(f.action, f.at) for f in avax.follow_ups] == [(FollowUpAction.CLOSE, START + 7 * HOUR)]
    # SOL's target report names a market no signal of the channel is on; the SOL "buy" has a target below
    # its entry: both listed, neither guessed.
    assert [(u.post_id, u.why) for u in read.unread] == [
        (104, NO_SIGNAL),
        (107, "targets 90 are not below the entry"),
    ]
    assert read.read == 5 and read.follow_ups == 2


def test_a_follow_up_goes_to_the_latest_signal_still_running() -> None:
    posts = read_export(
        export(
            [
                message(1, START, "x"),
                message(2, START + HOUR, "x"),
                message(3, START + 2 * HOUR, "x"),
                message(4, START + 3 * HOUR, "x"),
            ]
        )
    ).posts
    spec = SignalSpec("BTC", Side.BUY, (Decimal(10),))
    closed = FollowUpRead(FollowUpAction.CLOSE, None, ends=True)
    read = match_posts(posts, [SignalRead(spec), SignalRead(spec), closed, closed])
    first, second = read.signals
    assert [f.at for f in second.follow_ups] == [START + 2 * HOUR]  # the latest first
    assert [f.at for f in first.follow_ups] == [START + 3 * HOUR]  # then the one still running


def test_an_export_is_json_as_telegram_writes_it() -> None:
    document = json.loads(compass_channel())
    assert {"name", "type", "id", "messages"} <= document.keys()

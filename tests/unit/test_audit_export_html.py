"""Telegram Desktop's HTML export, a page or its folder zipped, read into the same posts as its result.json;
anything else gets one sentence."""

import io
import zipfile

import pytest

from tests.audit.exports import compass_channel
from tests.audit.html_exports import compass_pages, compass_zip
from trading.domain.audit_export import read_export
from trading.domain.audit_files import (
    MAX_UNPACKED_BYTES,
    NO_EXPORT_IN_ZIP,
    export_json,
    read_channel_export,
)
from trading.domain.errors import InvalidInput


def test_the_zipped_html_export_reads_as_its_json() -> None:
    from_html = read_channel_export(compass_zip())
    from_json = read_export(compass_channel())
    assert from_html == from_json  # title, ids, times (UTC+01:00 read as UTC), text, replies, edits


def test_one_page_alone_gives_its_posts() -> None:
    first, _ = compass_pages()
    channel = read_channel_export(first)
    assert channel.title == "Crypto Compass VIP"
    assert [p.id for p in channel.posts] == [101, 103, 104]  # the service lines and the photo alone left out
    assert channel.posts[1].text == "#ETH/USDT LONG\nEntry: 100 - 98\nTargets: 110, 120\nStop loss: 90"


def test_a_zipped_result_json_is_read_too() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("ChatExport/result.json", compass_channel())
    assert read_channel_export(buffer.getvalue()) == read_export(compass_channel())


def test_the_export_travels_as_json_unchanged() -> None:
    channel = read_channel_export(compass_zip())
    assert read_export(export_json(channel)) == channel


def zipped(**files: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("content", "said"),
    [
        (zipped(**{"notes.txt": b"hello"}), NO_EXPORT_IN_ZIP),
        (b"PK\x03\x04 broken", NO_EXPORT_IN_ZIP),
        (zipped(**{"messages.html": b"\0" * (MAX_UNPACKED_BYTES + 1)}), "more than 100 MB"),
        (b"<!DOCTYPE html><html><body><p>a blog post</p></body></html>", "not a Telegram channel export"),
        (
            compass_pages()[0].replace(b'title="02.03.2026 10:00:00 UTC+01:00"', b'title="yesterday"'),
            "has no time",
        ),
    ],
)
def test_what_is_no_export_gets_one_sentence(content: bytes, said: str) -> None:
    with pytest.raises(InvalidInput, match=said):
        read_channel_export(content)

"""A channel's export in any of the shapes Telegram Desktop writes it: the machine-readable result.json, an HTML
page (messages.html), or the export's folder zipped (its result.json, or its messages*.html pages). Anything else
is refused in one sentence, and nothing is kept from it."""

import io
import json
import re
import zipfile
from datetime import UTC

from trading.domain.audit_export import (
    MAX_EXPORT_BYTES,
    NOT_AN_EXPORT,
    ChannelExport,
    check_size,
    read_export,
)
from trading.domain.audit_export_html import read_html_pages
from trading.domain.errors import InvalidInput

ZIP_MAGIC = b"PK\x03\x04"
PAGE = re.compile(r"(?:^|/)messages(\d*)\.html$")
# HTML is several times the size of its text: what a zipped export may hold unpacked, a bound on what a small
# zip may make us read.
MAX_UNPACKED_BYTES = 5 * MAX_EXPORT_BYTES
TOO_LARGE_UNPACKED = (
    f"This zip holds more than {MAX_UNPACKED_BYTES // 1024 // 1024} MB of export: export a shorter period."
)
NO_EXPORT_IN_ZIP = (
    "This zip holds no Telegram export: zip the export's folder, with its result.json or messages.html."
)
HTML_SIGNS = ("<!doctype html", "<html")


def read_channel_export(content: bytes) -> ChannelExport:
    """The posts of an export in any of its shapes, in time order; InvalidInput (one sentence) otherwise."""
    check_size(content)
    if content.startswith(ZIP_MAGIC):
        return _from_zip(content)
    head = content[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith(tuple(sign.encode() for sign in HTML_SIGNS)):
        return _from_pages([_text(content)])
    return read_export(content)


def _from_zip(content: bytes) -> ChannelExport:
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        names = archive.namelist()
        pages = sorted((n for n in names if PAGE.search(n)), key=_page_number)
        results = [n for n in names if n.rsplit("/", 1)[-1] == "result.json"]
        chosen = results[:1] or pages
        if not chosen:
            raise InvalidInput(NO_EXPORT_IN_ZIP)
        if sum(archive.getinfo(n).file_size for n in chosen) > MAX_UNPACKED_BYTES:
            raise InvalidInput(TOO_LARGE_UNPACKED)
        if results:
            return read_export(archive.read(results[0]))
        return _from_pages([_text(archive.read(n)) for n in pages])
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError):
        raise InvalidInput(NO_EXPORT_IN_ZIP) from None


def _text(content: bytes) -> str:
    try:
        return content.decode("utf-8-sig")  # Telegram Desktop writes UTF-8
    except UnicodeDecodeError:
        raise InvalidInput(NOT_AN_EXPORT) from None


def _page_number(name: str) -> int:
    found = PAGE.search(name)
    return int(found.group(1) or 1) if found else 0


def _from_pages(pages: list[str]) -> ChannelExport:
    title, posts = read_html_pages(pages)
    if not posts and title is None:
        raise InvalidInput(NOT_AN_EXPORT)
    return ChannelExport(title or "the channel", tuple(sorted(posts, key=lambda p: (p.at, p.id))))


def export_json(export: ChannelExport) -> bytes:
    """The export in result.json's shape (its times as Unix times), as the audit job carries it whatever shape
    it came in."""
    messages = [
        {
            "id": post.id,
            "type": "message",
            "date": post.at.astimezone(UTC).replace(tzinfo=None).isoformat(),
            "date_unixtime": str(int(post.at.timestamp())),
            "text": post.text,
            **({} if post.reply_to is None else {"reply_to_message_id": post.reply_to}),
            **(
                {}
                if post.edited_at is None
                else {
                    "edited": post.edited_at.astimezone(UTC).replace(tzinfo=None).isoformat(),
                    "edited_unixtime": str(int(post.edited_at.timestamp())),
                }
            ),
        }
        for post in export.posts
    ]
    return json.dumps({"name": export.title, "messages": messages}, ensure_ascii=False).encode()

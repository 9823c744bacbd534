"""Telegram Desktop's HTML export of a channel's history (messages.html, messages2.html, ...), read with the
standard library's HTML parser into the posts the JSON reader gives. A post is a `div.message.default` with the
id `messageNNN`; its time is the title of its `div.pull_right.date.details` ("02.03.2026 10:00:00 UTC+01:00",
with an "Edited: ..." line where the export gives one); the post it replies to, the link `GoToMessage(NNN)` in
its `div.reply_to`; its text, the `div.text` (line breaks as <br>). The channel's name is the page header's."""

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html.parser import HTMLParser

from trading.domain.audit_export import NOT_AN_EXPORT, ExportPost
from trading.domain.errors import InvalidInput

MESSAGE_ID = re.compile(r"^message(\d+)$")
GO_TO = re.compile(r"(?:GoToMessage\(|go_to_message)(\d+)")
NOT_READ = f"{NOT_AN_EXPORT[:-1]}: a message in its HTML has no time Telegram Desktop writes."


@dataclass(slots=True)
class _Post:
    """A post as its HTML is read; ExportPost once its div closes."""

    id: int
    depth: int  # of its div in the stack of open divs
    at: datetime | None = None
    edited_at: datetime | None = None
    reply_to: int | None = None
    text: list[str] = field(default_factory=list)


class ExportPageParser(HTMLParser):
    """One page of the export: feed it, then read `posts` and `title`."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.posts: list[ExportPost] = []
        self.title: str | None = None
        self._divs: list[frozenset[str]] = []  # the classes of each div open now
        self._post: _Post | None = None
        self._text_depth: int | None = None  # the depth of the div.text being read
        self._in_reply = False
        self._title_depth: int | None = None
        self._title: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        if tag == "br" and self._text_depth is not None and self._post is not None:
            self._post.text.append("\n")
        elif tag == "a" and self._in_reply and self._post is not None:
            found = GO_TO.search(attributes.get("onclick", "") + " " + attributes.get("href", ""))
            if found:
                self._post.reply_to = int(found.group(1))
        elif tag == "div":
            self._open_div(frozenset(attributes.get("class", "").split()), attributes)

    def _open_div(self, classes: frozenset[str], attributes: dict[str, str]) -> None:
        self._divs.append(classes)
        depth = len(self._divs)
        found = MESSAGE_ID.match(attributes.get("id", ""))
        if {"message", "default"} <= classes and found:
            self._post = _Post(int(found.group(1)), depth)
        elif self._post is None:
            if {"text", "bold"} <= classes and "page_header" in _flat(self._divs):
                self._title_depth = depth
        elif {"date", "details"} <= classes and self._post.at is None:
            self._post.at, self._post.edited_at = _times(attributes.get("title", ""))
        elif "reply_to" in classes:
            self._in_reply = True
        elif "text" in classes and self._text_depth is None:
            self._text_depth = depth

    def handle_endtag(self, tag: str) -> None:
        if tag != "div" or not self._divs:
            return
        depth = len(self._divs)
        classes = self._divs.pop()
        if "reply_to" in classes:
            self._in_reply = False
        if depth == self._text_depth:
            self._text_depth = None
        if depth == self._title_depth:
            self._title_depth = None
            self.title = self.title or "".join(self._title).strip()
        if self._post is not None and depth == self._post.depth:
            self._finish(self._post)
            self._post = None

    def handle_data(self, data: str) -> None:
        if self._text_depth is not None and self._post is not None:
            self._post.text.append(data)
        elif self._title_depth is not None:
            self._title.append(data)

    def _finish(self, post: _Post) -> None:
        if post.at is None:
            raise InvalidInput(NOT_READ)
        text = "".join(post.text).strip()
        if text:  # a photo alone, a sticker: nothing to read
            self.posts.append(ExportPost(post.id, post.at, text, post.reply_to, post.edited_at))


def _flat(divs: list[frozenset[str]]) -> set[str]:
    return {name for classes in divs for name in classes}


def _times(title: str) -> tuple[datetime, datetime | None]:
    """The post's time and its edit's, from the date's title: its first line, and a line "Edited: ..."."""
    lines = [line.strip() for line in title.splitlines() if line.strip()]
    if not lines:
        raise InvalidInput(NOT_READ)
    edited = next(
        (line.removeprefix("Edited:").strip() for line in lines if line.startswith("Edited:")), None
    )
    return _time(lines[0]), None if edited is None else _time(edited)


def _time(text: str) -> datetime:
    """ "02.03.2026 10:00:00 UTC+01:00"; without its offset (older exports), the exporting computer's local time,
    read as UTC as the JSON reader reads a time without its Unix time."""
    try:
        if "UTC" in text:
            return datetime.strptime(text.replace("UTC", ""), "%d.%m.%Y %H:%M:%S %z").astimezone(UTC)
        return datetime.strptime(text, "%d.%m.%Y %H:%M:%S").replace(tzinfo=UTC)
    except ValueError:
        raise InvalidInput(NOT_READ) from None


def read_html_pages(pages: list[str]) -> tuple[str | None, list[ExportPost]]:
    """The channel's name and the posts of the export's pages (in any order: the caller sorts by time)."""
    title: str | None = None
    posts: list[ExportPost] = []
    for page in pages:
        parser = ExportPageParser()
        parser.feed(page)
        parser.close()
        title = title or parser.title
        posts.extend(parser.posts)
    return title, posts

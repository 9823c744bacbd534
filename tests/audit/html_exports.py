"""The test channel of tests/audit/exports.py as Telegram Desktop's HTML export writes it: pages of at most a
few messages (messages.html, messages2.html), a header with the channel's name, a service date line, messages
"joined" to the one before, a reply's GoToMessage link, <br> line breaks and entities, times in the exporting
computer's zone (UTC+01:00 here), and the export's folder zipped."""

import io
import zipfile
from datetime import datetime, timedelta, timezone
from html import escape

from tests.audit.exports import START

ZONE = timezone(timedelta(hours=1))
HEAD = """<!DOCTYPE html>
<html>
 <head>
  <meta charset="utf-8"/>
<title>Exported Data</title>
  <meta content="width=device-width, initial-scale=1.0" name="viewport"/>
  <link href="css/style.css" rel="stylesheet"/>
  <script src="js/script.js" type="text/javascript"></script>
 </head>
 <body onload="CheckLocation();">
  <div class="page_wrap">
   <div class="page_header">
    <div class="content">
     <div class="text bold">
Crypto Compass VIP
     </div>
    </div>
   </div>
   <div class="page_body chat_page">
    <div class="history">
"""
FOOT = """    </div>
   </div>
  </div>
 </body>
</html>
"""


def _stamp(at: datetime) -> str:
    return at.astimezone(ZONE).strftime("%d.%m.%Y %H:%M:%S UTC+01:00")


def post(
    post_id: int,
    at: datetime,
    html_text: str,
    reply_to: int | None = None,
    edited: datetime | None = None,
    joined: bool = False,
) -> str:
    """A message's div; `html_text` as the export writes it (entities as tags, <br> for line breaks)."""
    title = _stamp(at) + ("" if edited is None else f"&#10;Edited: {_stamp(edited)}")
    reply = (
        ""
        if reply_to is None
        else f"""      <div class="reply_to details">
In reply to <a href="#go_to_message{reply_to}" onclick="return GoToMessage({reply_to})">this message</a>
      </div>
"""
    )
    name = (
        ""
        if joined
        else """      <div class="from_name">
Crypto Compass VIP
      </div>
"""
    )
    userpic = (
        ""
        if joined
        else """     <div class="pull_left userpic_wrap">
      <div class="userpic userpic2" style="width: 42px; height: 42px">
       <div class="initials" style="line-height: 42px">CC</div>
      </div>
     </div>
"""
    )
    return f"""     <div class="message default clearfix{" joined" if joined else ""}" id="message{post_id}">
{userpic}     <div class="body">
      <div class="pull_right date details" title="{title}">
{at.astimezone(ZONE).strftime("%H:%M")}
      </div>
{name}{reply}      <div class="text">
{html_text}
      </div>
     </div>
    </div>
"""


def service(post_id: int, text: str) -> str:
    return f"""     <div class="message service" id="message{post_id}">
      <div class="body details">
{escape(text)}
      </div>
     </div>
"""


def photo_alone(post_id: int, at: datetime) -> str:
    return f"""     <div class="message default clearfix joined" id="message{post_id}">
      <div class="body">
       <div class="pull_right date details" title="{_stamp(at)}">
{at.astimezone(ZONE).strftime("%H:%M")}
       </div>
       <div class="media_wrap clearfix">
        <a class="photo_wrap clearfix pull_left" href="photos/photo_1@02-03-2026_10-30-00.jpg">
         <img class="photo" src="photos/photo_1@02-03-2026_10-30-00_thumb.jpg" style="width: 260px"/>
        </a>
       </div>
      </div>
     </div>
"""


def compass_pages() -> list[bytes]:
    """The same posts as compass_channel(), over two pages."""
    hour = timedelta(hours=1)
    first = [
        service(-1, "2 March 2026"),
        post(101, START - hour, "Good morning traders! Market looks bullish today 🚀"),
        service(102, "Crypto Compass VIP pinned this message"),
        post(
            103,
            START,
            '<a href="" onclick="return ShowHashtag(&quot;ETH&quot;)">#ETH</a>/USDT LONG<br>Entry: 100 - 98<br>'
            "Targets: 110, 120<br>Stop loss: 90",
            joined=True,
        ),
        photo_alone(1031, START + hour / 2),
        post(104, START + 2 * hour, "<strong>SOL</strong> Target 1 reached ✅", joined=True),
    ]
    second = [
        post(105, START + 3 * hour, "Move SL to 97", reply_to=103),
        post(
            106, START + 4 * hour, "SHORT AVAX<br>Entry 38.4<br>Targets 37.2 / 36.1<br>Stop 40.3", joined=True
        ),
        post(107, START + 5 * hour, "BUY SOL entry 100 targets 90 stop 94", joined=True),
        post(108, START + 6 * hour, "AVAX close now", edited=START + 7 * hour, joined=True),
    ]
    return [(HEAD + "".join(page) + FOOT).encode() for page in (first, second)]


def compass_zip() -> bytes:
    """The export's folder zipped, as a user sends it: its pages, styles and a photo beside them."""
    first, second = compass_pages()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        folder = "ChatExport_2026-03-09/"
        archive.writestr(folder + "messages2.html", second)
        archive.writestr(folder + "messages.html", first)
        archive.writestr(folder + "css/style.css", "body { margin: 0 }")
        archive.writestr(folder + "photos/photo_1@02-03-2026_10-30-00.jpg", b"\xff\xd8\xff\xe0 not a photo")
    return buffer.getvalue()

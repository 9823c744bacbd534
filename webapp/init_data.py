"""Telegram Mini App init data, signed as Telegram signs it (for the sandbox and tests).

Verification is aiogram's (`aiogram.utils.web_app.safe_parse_webapp_init_data`); this is its other half.
"""

import hashlib
import hmac
import json
from collections.abc import Mapping
from urllib.parse import urlencode


def sign_init_data(
    bot_token: str, user: Mapping[str, object], auth_date: int, query_id: str | None = None
) -> str:
    """The query string a Mini App receives: the fields, and `hash`, HMAC-SHA256 under a key derived from the
    bot token with "WebAppData"."""
    fields: dict[str, str] = {
        "auth_date": str(auth_date),
        "user": json.dumps(dict(user), separators=(",", ":")),
    }
    if query_id is not None:
        fields["query_id"] = query_id
    check_string = "\n".join(f"{key}={value}" for key, value in sorted(fields.items()))
    secret = hmac.new(b"WebAppData", bot_token.encode(), hashlib.sha256).digest()
    fields["hash"] = hmac.new(secret, check_string.encode(), hashlib.sha256).hexdigest()
    return urlencode(fields)

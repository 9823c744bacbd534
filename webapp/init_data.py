"""Telegram Mini App init data and Login Widget data, signed as Telegram signs them (for the sandbox and tests).

Init data's verification is aiogram's (`aiogram.utils.web_app.safe_parse_webapp_init_data`); this is its other
half. The Login Widget's hash is computed here for both sides (webapp.auth compares it in constant time, which
aiogram's `auth_widget.check_signature` does not)."""

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


# What the Login Widget sends beside `hash` (https://core.telegram.org/widgets/login).
LOGIN_WIDGET_FIELDS = ("id", "first_name", "last_name", "username", "photo_url", "auth_date")


def login_widget_hash(bot_token: str, fields: Mapping[str, object]) -> str:
    """The hex HMAC-SHA256 of the fields' data-check-string (sorted `key=value` lines) under SHA-256(bot token)."""
    check_string = "\n".join(f"{key}={value}" for key, value in sorted(fields.items()))
    secret = hashlib.sha256(bot_token.encode()).digest()
    return hmac.new(secret, check_string.encode(), hashlib.sha256).hexdigest()


def sign_login_widget(bot_token: str, user: Mapping[str, object], auth_date: int) -> dict[str, object]:
    """The fields the Login Widget hands its page for this user, with their `hash`."""
    fields = {key: value for key, value in user.items() if key in LOGIN_WIDGET_FIELDS and value is not None}
    fields["auth_date"] = auth_date
    return fields | {"hash": login_widget_hash(bot_token, fields)}

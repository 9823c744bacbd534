import pytest
from aiogram.utils.web_app import safe_parse_webapp_init_data

from webapp.init_data import sign_init_data

TOKEN = "123456:sandbox-token"


def test_signed_init_data_passes_aiogram_verification_and_round_trips() -> None:
    data = sign_init_data(TOKEN, {"id": 42, "first_name": "Ada"}, 1_700_000_000, query_id="q1")
    parsed = safe_parse_webapp_init_data(TOKEN, data)
    assert parsed.user is not None and parsed.user.id == 42 and parsed.user.first_name == "Ada"
    assert int(parsed.auth_date.timestamp()) == 1_700_000_000


def test_another_token_or_a_tampered_user_fails() -> None:
    data = sign_init_data(TOKEN, {"id": 42, "first_name": "Ada"}, 1_700_000_000)
    with pytest.raises(ValueError):
        safe_parse_webapp_init_data("654321:other", data)
    with pytest.raises(ValueError):
        safe_parse_webapp_init_data(TOKEN, data.replace("42", "43"))

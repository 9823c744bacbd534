import pytest

from bot.container import build_container
from bot.settings import PUBLIC_SANDBOX_TOKEN, SettingsError, load_settings


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)  # no stray .env
    for name in (
        "DATABASE_URL",
        "SECRET_KEY",
        "EXCHANGE",
        "EXCHANGE_API_KEY",
        "EXCHANGE_API_SECRET",
        "TSBOT_PORT",
        "TELEGRAM_WEBHOOK_URL",
        "TELEGRAM_BOT_TOKEN",
        "SANDBOX_BOT_TOKEN",
        "TSBOT_HOST",
    ):
        monkeypatch.delenv(name, raising=False)


def test_defaults_need_nothing() -> None:
    settings = load_settings()
    assert settings.database_url.startswith("sqlite:///")
    assert settings.exchange == "paper"


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DATABASE_URL": "mysql://db"}, "setting DATABASE_URL: "),
        ({"DATABASE_URL": "sqlite:///:memory:"}, "setting DATABASE_URL: Value error, needs a file"),
        ({"DATABASE_URL": "sqlite://"}, "setting DATABASE_URL: Value error, needs a file"),
        ({"TSBOT_PORT": "70000"}, "setting TSBOT_PORT: "),
        ({"PAPER_START_BALANCE": "lots"}, "setting PAPER_START_BALANCE: "),
        ({"RISK_MAX_POSITION_SHARE": "2"}, "setting RISK_MAX_POSITION_SHARE: "),
        ({"DATABASE_URL": "postgresql://db/tsbot"}, "setting SECRET_KEY: required"),
        ({"EXCHANGE": "binance", "EXCHANGE_API_KEY": "k"}, "setting EXCHANGE_API_SECRET: "),
        ({"TELEGRAM_WEBHOOK_URL": "https://bot.example.com"}, "setting TELEGRAM_WEBHOOK_URL: "),
        ({"TELEGRAM_WEBHOOK_URL": "bot.example.com/hook"}, "setting TELEGRAM_WEBHOOK_URL: "),
        ({"TSBOT_HOST": "0.0.0.0"}, "setting SANDBOX_BOT_TOKEN: a token of your own is required"),
        ({"TSBOT_HOST": "bot.example.com"}, "setting SANDBOX_BOT_TOKEN: "),
        ({"TSBOT_HOST": "::", "SANDBOX_BOT_TOKEN": "123456:sandbox-token"}, "setting SANDBOX_BOT_TOKEN: "),
    ],
)
def test_a_wrong_or_missing_value_names_the_setting_in_one_line(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], message: str
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as caught:
        load_settings()
    assert str(caught.value).startswith(message)
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize(
    "env",
    [
        {"TSBOT_HOST": "127.0.0.1"},
        {"TSBOT_HOST": "127.8.0.3"},
        {"TSBOT_HOST": "::1"},
        {"TSBOT_HOST": "localhost"},
        {"TSBOT_HOST": "0.0.0.0", "SANDBOX_BOT_TOKEN": "1000001:the-operators-own"},
        {"TSBOT_HOST": "0.0.0.0", "TELEGRAM_BOT_TOKEN": "123:from-botfather"},
    ],
)
def test_the_sandbox_serves_on_loopback_or_with_a_token_of_the_operators_own(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str]
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    settings = load_settings()
    assert settings.sandbox_token == env.get("SANDBOX_BOT_TOKEN", PUBLIC_SANDBOX_TOKEN)


def test_an_unknown_exchange_id_is_refused_at_start_up(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EXCHANGE", "notanexchange")
    with pytest.raises(SettingsError, match="setting EXCHANGE: 'notanexchange' is neither"):
        build_container(load_settings())


def test_env_example_lists_every_setting_with_its_default() -> None:
    from pathlib import Path

    from bot.settings import Settings

    example = Path(__file__).resolve().parents[2] / ".env.example"
    listed = {
        line.split("=", 1)[0]
        for line in example.read_text().splitlines()
        if line and not line.startswith("#")
    }
    assert listed == {name.upper() for name in Settings.model_fields}

import pytest

from nlp.kill_switch import KillSwitchCommand, read_kill_switch
from nlp.pipeline import Pipeline


@pytest.mark.parametrize(
    ("text", "command"),
    [
        ("close all positions", "close_all"),
        ("Close all my positions!", "close_all"),
        ("close everything", "close_all"),
        ("close all", "close_all"),
        ("exit all trades now", "close_all"),
        ("/closeall", "close_all"),
        ("/closeall@tsbot", "close_all"),
        ("cancel all orders", "cancel_all"),
        ("cancel all my orders", "cancel_all"),
        ("Cancel all open orders.", "cancel_all"),
        ("cancel every order", "cancel_all"),
        ("/cancelall", "cancel_all"),
        ("pause auto follow", "pause"),
        ("pause autofollow", "pause"),
        ("pause auto-following", "pause"),
        ("stop following all", "pause"),
        ("stop following all sources", "pause"),
        ("stop automatic following", "pause"),
        ("/pause", "pause"),
        ("resume auto follow", "resume"),
        ("Resume autofollow", "resume"),
        ("unpause following", "resume"),
        ("/resume", "resume"),
    ],
)
def test_a_kill_switch_command_is_read(text: str, command: KillSwitchCommand) -> None:
    assert read_kill_switch(text) == command


@pytest.mark.parametrize(
    "text",
    [
        "close my eth",
        "close all my eth",
        "close my eth short",
        "cancel order 2",
        "cancel all eth orders",
        "pause plan 3",
        "resume plan 3",
        "stop the twap",
        "stop following",  # which source? not every one
        "sell all my btc",
        "sell everything over 2 hours",
        "/pause 3",
        "/automations",
    ],
)
def test_other_messages_are_not_kill_switch_commands(text: str) -> None:
    assert read_kill_switch(text) is None


def test_the_order_pipeline_would_read_close_all_positions_as_one_position_closed() -> None:
    """Why the reader goes first: without it the message would reach the order path."""
    assert Pipeline(use_classifier=False).parse("close all positions").intent == "close_position"

import pytest

from nlp.automation_commands import AutomationCommand, read_automation_command


@pytest.mark.parametrize(
    ("text", "command"),
    [
        ("my automations", AutomationCommand("list")),
        ("/automations", AutomationCommand("list")),
        ("pause plan 3", AutomationCommand("pause", 3)),
        ("Resume plan #3", AutomationCommand("resume", 3)),
        ("stop the twap", AutomationCommand("stop", None, "twap")),
        ("cancel my dca", AutomationCommand("stop", None, "recurring")),
        ("stop plan 12.", AutomationCommand("stop", 12)),
        ("pause the rebalance", AutomationCommand("pause", None, "rebalance")),
        ("stop my rebalancing", AutomationCommand("stop", None, "rebalance")),
    ],
)
def test_a_command_about_automations_is_read(text: str, command: AutomationCommand) -> None:
    assert read_automation_command(text) == command


@pytest.mark.parametrize(
    "text", ["stop", "buy 50 usdt of btc every monday", "cancel order 3", "stop loss 3000"]
)
def test_other_messages_are_not_such_commands(text: str) -> None:
    assert read_automation_command(text) is None

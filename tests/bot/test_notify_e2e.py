"""Channels beside Telegram, set up in chat: e-mail refused where no mail server is configured, a webhook's
secret shown once, its events chosen, its delivery log read."""

from tests.bot.sandbox import Sandbox, start_bot
from tests.harness import Harness


async def test_a_webhook_is_set_in_chat_its_events_chosen_and_its_log_read(
    sandbox: Sandbox, harness: Harness
) -> None:
    telegram = await start_bot(sandbox, harness, webhooks_to_loopback=True)
    try:
        chat = sandbox.chat(901)
        [refused] = await chat.ask("/email ada@example.com")
        assert "E-mail is not set up on this bot" in refused["text"]
        [https_only] = await chat.ask("/webhook http://example.com/hook")
        assert "needs an https:// address" in https_only["text"]
        [set_up] = await chat.ask("/webhook https://hooks.example.com/tsbot")
        assert set_up["text"].startswith("✅ Webhook #1 set. Its secret, shown this once: ")
        [chosen] = await chat.ask("/notify 1 alerts, automations")
        assert chosen["text"] == "✅ Channel #1 is told of: alerts, automations."
        [listed] = await chat.ask("/notify")
        assert listed["text"].startswith(
            "#1 webhook https://hooks.example.com/tsbot (verified): alerts, automations"
        )
        assert "secret" not in listed["text"]
        [log] = await chat.ask("/notify 1 log")
        assert log["text"] == "Nothing delivered yet."
        [wrong] = await chat.ask("/notify 1 everything")
        assert "everything is not one of them" in wrong["text"]
        # numbers no channel can have: beyond the database's integers, and a digit int() does not read
        [beyond] = await chat.ask("/notify 99999999999 log")
        assert beyond["text"] == "You have nothing numbered #99999999999."
        [superscript] = await chat.ask("/notify ² log")
        assert superscript["text"].startswith("Say which channel by its number")
        [no_source] = await chat.ask("/source #2147483648 market")
        assert no_source["text"] == "You have nothing numbered #2147483648."
    finally:
        await telegram.stop()

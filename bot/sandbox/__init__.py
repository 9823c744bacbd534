"""A local stand-in for the Telegram Bot API, its user side and a chat page (see the sandbox contract)."""

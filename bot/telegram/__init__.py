"""The aiogram side of the bot: dispatcher setup, middlewares, the outgoing queue, rendering, keyboards."""

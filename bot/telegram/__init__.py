"""The bot's Telegram process: the Bot and its Dispatcher, the outgoing queue, the alert watcher, the webhook."""

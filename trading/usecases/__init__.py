"""Use cases: what the bot, the web app, the CLI and the scheduler ask of the core."""

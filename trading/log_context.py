"""What a log line is about, beyond its message: the web request's id and the Telegram update's, set where each
begins (the web app's request middleware, the bot's update middleware) and read by the log formatter."""

from contextvars import ContextVar

request_id: ContextVar[str | None] = ContextVar("request_id", default=None)
update_id: ContextVar[int | None] = ContextVar("update_id", default=None)

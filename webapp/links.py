"""One-time log-in links for a browser: the bot's /dashboard sends one."""

from datetime import timedelta

from trading.usecases.access import dashboard_login_link
from webapp.context import WebContext


async def dashboard_link(web: WebContext, user_id: int) -> str:
    return await dashboard_login_link(
        web.core, user_id, web.config.public_url, timedelta(seconds=web.config.login_link_ttl)
    )

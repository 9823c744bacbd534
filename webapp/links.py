"""One-time log-in links for a browser: the bot's /dashboard sends one."""

from datetime import timedelta

from trading.domain.access import GrantKind
from trading.usecases.access import issue_grant
from webapp.context import WebContext


async def dashboard_link(web: WebContext, user_id: int) -> str:
    code = await issue_grant(
        web.core, user_id, GrantKind.LOGIN_LINK, timedelta(seconds=web.config.login_link_ttl)
    )
    return f"{web.config.public_url}/app/login?code={code}"

from datetime import timedelta
from typing import Annotated

from litestar import Controller, Request, get
from litestar.datastructures import State
from litestar.params import Parameter

from trading.domain.errors import NotFound
from trading.usecases.portfolio import equity_history, pnl_by_day, portfolio
from webapp.auth import Principal
from webapp.context import WebContext
from webapp.convert import portfolio_out
from webapp.schemas import DayPnl, EquityPoint, PortfolioOut, UserOut

AccountId = Annotated[int | None, Parameter(ge=1, le=2**31 - 1, description="default: the first account")]
Days = Annotated[int, Parameter(ge=1, le=366)]


class MeController(Controller):
    path = "/me"
    tags = ("users",)

    @get(summary="The signed-in user")
    async def me(self, state: State, request: Request[Principal, object, State]) -> UserOut:
        web: WebContext = state.web
        async with web.core.uow() as uow:
            user = await uow.users.get(request.user.user_id)
        if user is None:
            raise NotFound("That user was not found.")
        return UserOut(user.id, user.name, user.telegram_id, request.user.scope.value)


class PortfolioController(Controller):
    path = "/portfolio"
    tags = ("portfolio",)

    @get(summary="Balances and positions valued at market")
    async def overview(
        self, state: State, request: Request[Principal, object, State], account_id: AccountId = None
    ) -> PortfolioOut:
        web: WebContext = state.web
        return portfolio_out(await portfolio(web.core, request.user.user_id, account_id))

    @get("/equity", summary="Equity over time (a point every five minutes)")
    async def equity(
        self,
        state: State,
        request: Request[Principal, object, State],
        days: Days = 7,
        account_id: AccountId = None,
    ) -> list[EquityPoint]:
        web: WebContext = state.web
        since = web.core.clock.now() - timedelta(days=days)
        history = await equity_history(web.core, request.user.user_id, since, account_id)
        return [EquityPoint(at, equity) for at, equity in history]

    @get("/pnl", summary="Realised P&L by day")
    async def pnl(
        self,
        state: State,
        request: Request[Principal, object, State],
        days: Days = 30,
        account_id: AccountId = None,
    ) -> list[DayPnl]:
        web: WebContext = state.web
        days_pnl = await pnl_by_day(web.core, request.user.user_id, days, account_id)
        return [DayPnl(day.isoformat(), value) for day, value in sorted(days_pnl.items())]

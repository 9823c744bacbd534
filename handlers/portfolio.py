"""Prices, the portfolio (a summary and a chart) and P&L by day and week."""

import asyncio
from datetime import timedelta

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import BufferedInputFile, CallbackQuery, Message

from handlers.charts import PortfolioCharts, portfolio_png
from handlers.keyboards import ChartRequest, portfolio_keyboard
from handlers.render import pnl_text, portfolio_text, quote_text
from handlers.replies import reply
from handlers.source_modes import source_mode_text
from nlp.result import ParseResult
from trading.domain.accounts import User
from trading.domain.stop_modes import StopModeKind
from trading.usecases.core import Core
from trading.usecases.portfolio import equity_history, pnl_by_day, portfolio, portfolio_and_futures
from trading.usecases.quotes import quote
from trading.usecases.stop_mode_setting import stop_modes_of


async def show_price(message: Message, parsed: ParseResult, core: Core, user: User) -> None:
    if parsed.symbol is None:
        await reply(message, "Which coin? Say e.g. 'price of BTC'.")
        return
    await reply(message, quote_text(await quote(core, user.id, parsed.symbol, parsed.quote)))


async def show_portfolio(message: Message, core: Core, user: User) -> None:
    view, futures = await portfolio_and_futures(core, user.id)
    modes = {
        r.symbol: source_mode_text(r.mode.kind, r.mode.percent, r.mode.after_target)
        for r in await stop_modes_of(core, user.id)
        if r.account_id == view.account_id and r.mode.kind is not StopModeKind.TRAILING_ENTRY
    }
    await reply(message, portfolio_text(view, futures, modes), reply_markup=portfolio_keyboard())


CHART_CAPTION = "Equity and allocation"


async def chart_png(core: Core, user_id: int) -> bytes:
    """The equity curve of the last 30 days and the allocation now, drawn off the event loop."""
    view = await portfolio(core, user_id)
    history = await equity_history(core, user_id, core.clock.now() - timedelta(days=30))
    return await asyncio.to_thread(portfolio_png, view, history)


async def send_chart(query: CallbackQuery, core: Core, user: User, charts: PortfolioCharts) -> None:
    """The equity curve and the allocation as a photo, kept a minute per user."""
    png = await charts.png(user.id, core.clock.now(), lambda: chart_png(core, user.id))
    await query.answer()
    if isinstance(query.message, Message):
        await query.message.answer_photo(BufferedInputFile(png, "portfolio.png"), caption=CHART_CAPTION)


async def show_pnl(message: Message, core: Core, user: User) -> None:
    await reply(message, pnl_text(await pnl_by_day(core, user.id, 30), await portfolio(core, user.id)))


async def portfolio_command(message: Message, core: Core, user: User) -> None:
    await show_portfolio(message, core, user)


async def pnl_command(message: Message, core: Core, user: User) -> None:
    await show_pnl(message, core, user)


def make_router() -> Router:
    router = Router(name="portfolio")
    router.message.register(portfolio_command, Command("portfolio"))
    router.message.register(pnl_command, Command("pnl"))
    router.callback_query.register(send_chart, ChartRequest.filter())
    return router

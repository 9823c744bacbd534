"""The baseline of bench/soak.py: a bare aiogram echo bot on Telegram's webhook, one process of several behind
the same nginx. It answers each message with its text (a sendMessage to the Bot API, as tsbot answers) before
answering the webhook, as tsbot does, with aiogram's own aiohttp webhook handler and nothing else.

    python -m bench.echo_webhook --port 8101 --api http://127.0.0.1:9000/sandbox --token T --secret S \
        --path /telegram/webhook

It imports aiogram and aiohttp only; bench/bot.py's echo bots share its dispatcher.
"""

import argparse

from aiogram import Bot, Dispatcher, F
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.types import CallbackQuery, Message
from aiogram.webhook.aiohttp_server import SimpleRequestHandler, setup_application
from aiohttp import web


def echo_dispatcher() -> Dispatcher:
    dp = Dispatcher()

    @dp.message(F.text)
    async def echo(message: Message) -> None:
        await message.answer(message.text or "")

    @dp.callback_query()
    async def tapped(query: CallbackQuery) -> None:
        await query.answer("ok")

    return dp


async def health(_: web.Request) -> web.Response:
    return web.Response(text="ok")


def echo_app(api: str, token: str, secret: str, path: str) -> web.Application:
    bot = Bot(token, session=AiohttpSession(api=TelegramAPIServer.from_base(api)))
    dp = echo_dispatcher()
    app = web.Application()
    app.router.add_get("/health", health)
    SimpleRequestHandler(dp, bot, handle_in_background=False, secret_token=secret).register(app, path)
    setup_application(app, dp, bot=bot)
    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--api", required=True, help="the Bot API's base address (the sandbox's)")
    parser.add_argument("--token", required=True)
    parser.add_argument("--secret", required=True, help="the webhook's secret token")
    parser.add_argument("--path", required=True, help="the webhook's path")
    args = parser.parse_args()
    app = echo_app(args.api, args.token, args.secret, args.path)
    web.run_app(app, host="127.0.0.1", port=args.port, print=None)


if __name__ == "__main__":
    main()

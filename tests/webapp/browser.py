"""The Mini App in a real browser: `tsbot run` in its own process (the web app, the bot and the sandbox that
stands in for Telegram), Debian's Chromium driven by Playwright, and the sandbox chat spoken to as a person
would. Shared by the Mini App's browser tests; their `server` fixture is in conftest."""

import contextlib
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.patience import PATIENCE_MS, PATIENCE_S

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def sandbox_init_data(server: str, telegram_id: int) -> str:
    """What Telegram (here its sandbox) puts in the Mini App's launch URL for this user."""
    answer = httpx.post(f"{server}/sandbox/api/chats/{telegram_id}/webapp-init-data", timeout=PATIENCE_S)
    answer.raise_for_status()
    return str(answer.json()["init_data"])


def ask_bot(
    server: str, telegram_id: int, text: str, within: float = PATIENCE_S, forward_from_chat: str | None = None
) -> dict[str, Any]:
    """Say something in the sandbox chat (or forward it from a channel) and wait for the bot's answer, as the
    chat page does."""
    chat = f"{server}/sandbox/api/chats/{telegram_id}/messages"
    sent = httpx.post(chat, json={"text": text, "forward_from_chat": forward_from_chat}, timeout=PATIENCE_S)
    sent.raise_for_status()
    after = sent.json()["message_id"]
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        answers = [
            m
            for m in httpx.get(chat, params={"after": after}, timeout=PATIENCE_S).json()
            if m["from"] == "bot"
        ]
        if answers:
            return dict(answers[0])
        time.sleep(0.1)
    raise AssertionError(f"the bot did not answer {text!r} within {within} s")


@contextlib.contextmanager
def chromium() -> Iterator[Browser]:
    """Debian's Chromium, headless. One serves many tests: each page opens in a context of its own."""
    with sync_playwright() as p:
        p.selectors.set_test_id_attribute("data-test")
        expect.set_options(timeout=PATIENCE_MS)  # its 5 s default fails on a busy machine
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS, timeout=PATIENCE_MS)
        try:
            yield browser
        finally:
            browser.close()


@contextlib.contextmanager
def new_page(browser: Browser, width: int, height: int) -> Iterator[Page]:
    """A page in a context of its own (its own cookies and storage: signed out), closed with its context."""
    context = browser.new_context(viewport={"width": width, "height": height})
    try:
        page = context.new_page()
        page.set_default_timeout(PATIENCE_MS)
        yield page
    finally:
        context.close()


def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"mini-app-{name}.png"), full_page=True)


@contextlib.contextmanager
def in_telegram(browser: Browser, server: str, telegram_id: int) -> Iterator[Page]:
    """The Mini App opened inside Telegram (here its sandbox) by this user: the init data in the launch URL."""
    init_data = sandbox_init_data(server, telegram_id)
    with new_page(browser, 420, 860) as page:
        page.route(
            "https://telegram.org/**", lambda route: route.abort()
        )  # no network here; init data is in the URL
        page.goto(f"{server}/app/#tgWebAppData={quote(init_data)}")
        yield page


def button(message: dict[str, Any], label: str) -> str:
    keyboard = message["reply_markup"]["inline_keyboard"]
    return str(next(b["callback_data"] for row in keyboard for b in row if label in b["text"]))

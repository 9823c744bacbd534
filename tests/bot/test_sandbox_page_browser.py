"""The /sandbox chat page in a real browser: `tsbot run` in a process of its own (no Telegram token: the bot
talks to the sandbox), Debian's Chromium driven by Playwright, a person typing and tapping buttons."""

import asyncio
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from playwright.async_api import Page, async_playwright, expect

from tests.bot.sandbox import free_port
from tests.harness import Harness
from tests.patience import PATIENCE_MS, PATIENCE_S
from tests.webapp.browser import ARGS, ARTIFACTS, CHROMIUM

WAIT_MS = PATIENCE_MS


@pytest.fixture
async def tsbot_run(database_url: str, harness: Harness, tmp_path: Path) -> AsyncIterator[str]:
    """`tsbot run` over the test's database (`harness` has emptied it on PostgreSQL), its base URL once the
    bot answers in the sandbox."""
    port = free_port()
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("TELEGRAM_", "DATABASE_", "REDIS_", "OPENAI_", "RATE_LIMIT_"))
    }
    env |= {
        "DATABASE_URL": database_url,
        "DATA_DIR": str(tmp_path / "data"),
        "SECRET_KEY": "sandbox-page-test-secret",
        "TSBOT_PORT": str(port),
        "LOG_LEVEL": "WARNING",
    }
    log = (tmp_path / "tsbot-run.log").open("wb")
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", "run", cwd=tmp_path, env=env, stdout=log, stderr=subprocess.STDOUT
    )
    base = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient(base_url=base, timeout=PATIENCE_S) as client:
            deadline = asyncio.get_running_loop().time() + PATIENCE_S
            while True:
                if asyncio.get_running_loop().time() > deadline:
                    raise RuntimeError(f"tsbot run was not healthy within {PATIENCE_S:g} s")
                if process.returncode is not None:
                    raise RuntimeError(f"tsbot run exited: {(tmp_path / 'tsbot-run.log').read_text()}")
                try:
                    if (await client.get("/health")).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                await asyncio.sleep(0.1)
        yield base
    finally:
        process.terminate()
        await asyncio.wait_for(process.wait(), PATIENCE_S)
        log.close()


async def _shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    await page.screenshot(path=str(ARTIFACTS / f"sandbox-{name}.png"), full_page=True)


async def _send(page: Page, text: str) -> None:
    await page.fill("#t", text)
    await page.get_by_role("button", name="Send").click()
    await expect(page.locator(".msg.user").last).to_have_text(text, timeout=WAIT_MS)


async def test_price_an_order_confirmed_and_the_portfolio_chart_in_the_chat_page(
    tsbot_run: str, harness: Harness
) -> None:
    async with async_playwright() as p:
        expect.set_options(timeout=PATIENCE_MS)  # its 5 s default fails on a busy machine
        browser = await p.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=ARGS, timeout=PATIENCE_MS
        )
        try:
            page = await browser.new_page(viewport={"width": 720, "height": 900})
            page.set_default_timeout(PATIENCE_MS)
            errors: list[str] = []
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 else None)
            await page.goto(f"{tsbot_run}/sandbox")
            await expect(page).to_have_title("tsbot sandbox")
            bot = page.locator(".msg.bot")

            await _send(page, "price BTC")
            await expect(bot.last).to_contain_text("BTC/USDT:", timeout=WAIT_MS)
            await expect(bot.last).to_contain_text("24h")
            await _shot(page, "1-price")

            await _send(page, "buy 0.001 BTC")
            preview = bot.nth(1)
            await expect(preview).to_contain_text("Buy 0.001 BTC", timeout=WAIT_MS)
            await expect(preview).to_contain_text("At risk:")
            buttons = preview.locator(".kb button")
            await expect(buttons).to_have_text(["✅ Confirm", "✏️ Change amount", "✖️ Cancel"])
            await _shot(page, "2-preview")

            await preview.get_by_role("button", name="✅ Confirm").click()
            await expect(preview).to_contain_text("Order #1: buy 0.001 BTC, filled", timeout=WAIT_MS)
            await expect(preview.locator(".kb button")).to_have_count(0)  # the message edited, no buttons
            await expect(page.locator(".toast")).to_have_text("Order placed.")
            await expect(bot).to_have_count(2)  # edited in place, not sent anew
            await _shot(page, "3-confirmed")

            await _send(page, "portfolio")
            summary = bot.nth(2)
            await expect(summary).to_contain_text("BTC", timeout=WAIT_MS)
            await summary.get_by_role("button", name="📈 Chart").click()
            photo = bot.nth(3).locator("img")
            await expect(photo).to_have_count(1, timeout=WAIT_MS)
            await expect(bot.nth(3)).to_contain_text("Equity and allocation")
            await photo.evaluate("img => img.decode()")
            assert await photo.evaluate("img => img.naturalWidth") > 100
            # The page polls twice a second: a message that did not change is left alone (the photo is not
            # rebuilt and fetched again, a selection is not lost).
            handle = await photo.element_handle()
            assert handle is not None
            await page.wait_for_timeout(1500)
            assert await handle.evaluate("img => img.isConnected")
            await _shot(page, "4-chart")

            assert errors == []
        finally:
            await browser.close()
    assert await harness.count("orders") == 1


async def test_the_chat_page_fits_a_phone_keeps_lines_and_follows_new_messages(
    tsbot_run: str, harness: Harness
) -> None:
    async with async_playwright() as p:
        expect.set_options(timeout=PATIENCE_MS)
        browser = await p.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=ARGS, timeout=PATIENCE_MS
        )
        try:
            page = await browser.new_page(viewport={"width": 390, "height": 844})
            page.set_default_timeout(PATIENCE_MS)
            await page.goto(f"{tsbot_run}/sandbox")
            # Nothing wider than the phone: the page never scrolls sideways.
            assert await page.evaluate("document.documentElement.scrollWidth") <= 390
            header = await page.locator("header").bounding_box()
            assert header is not None and header["width"] <= 390

            # Shift+Enter starts a new line of the same message; Enter sends it.
            await page.click("#t")
            await page.keyboard.type("hi there")
            await page.keyboard.press("Shift+Enter")
            await page.keyboard.type("second line")
            await page.keyboard.press("Enter")
            await expect(page.locator(".msg.user").last).to_have_text("hi there\nsecond line")

            # Enough messages to overflow the log: the newest answer is scrolled into view.
            for i in range(8):
                await _send(page, f"price BTC {i}")
            await expect(page.locator(".msg.bot")).to_have_count(9, timeout=WAIT_MS)
            await expect(page.locator(".msg.bot").last).to_be_in_viewport()
            assert await page.evaluate("document.documentElement.scrollWidth") <= 390
            await _shot(page, "5-phone")
        finally:
            await browser.close()

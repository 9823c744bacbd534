"""Auditing a channel from the Mini App: its export uploaded, the audit followed as a job to its report (the
figures, each signal's outcome, the posts not read); a file that is no export gets the API's one sentence."""

from pathlib import Path

from playwright.sync_api import Browser, expect

from tests.audit.exports import compass_channel
from tests.webapp.browser import in_telegram, shot


def test_an_export_uploaded_in_the_mini_app_is_audited(browser: Browser, server: str, tmp_path: Path) -> None:
    export = tmp_path / "result.json"
    export.write_bytes(compass_channel())
    not_an_export = tmp_path / "contract.json"
    not_an_export.write_text('{"signed": true}')
    with in_telegram(browser, server, 791) as page:
        page.get_by_role("link", name="More").click()
        card = page.get_by_test_id("audit")

        card.get_by_test_id("audit-file").set_input_files(str(not_an_export))
        card.get_by_test_id("audit-upload").click()
        expect(card.get_by_test_id("audit-error")).to_contain_text("This is not a Telegram channel export")
        expect(card.get_by_test_id("audit-report")).to_have_count(0)

        card.get_by_test_id("audit-file").set_input_files(str(export))
        card.get_by_test_id("audit-upload").click()
        report = card.get_by_test_id("audit-report")
        expect(report).to_contain_text("Crypto Compass VIP")
        expect(report.get_by_test_id("audit-figures")).to_contain_text("Posts 7 · signals 2")
        expect(report.get_by_test_id("audit-trade")).to_have_count(2)
        expect(report.get_by_test_id("audit-trade").first).to_contain_text("#103")
        expect(report).to_contain_text("Played with the default rules")
        expect(card.get_by_test_id("audit-error")).to_have_count(0)
        shot(page, "17-channel-audit")

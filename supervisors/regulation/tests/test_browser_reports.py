"""The public reporting channel in headless Chromium on a real server process: an anonymous visitor
reports a violation on a lot from its public page, in Chinese, with a file of evidence; a regulator
(in English, with their second factor) takes the case up and answers it; the visitor opens their
private follow link, reads the answer and rates it."""
import pytest
from playwright.sync_api import expect

from supervisors.regulation.models import PublicReport
from tests.browsing import browser_thread, database_devices, sign_in
from tests.fixtures import PASSWORD
from tests.servers import platform_servers

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

TEXT = "评标当天有陌生人进入评标区，与一名评委交谈了十分钟。"
CONTACT = "13700001111"
ANSWER = "Checked with the centre's video record; the expert was replaced and the evaluation repeated."


def test_an_anonymous_visitor_reports_a_regulator_answers_and_the_visitor_rates(lot, regulator, tmp_path):
    evidence = tmp_path / "现场照片说明.pdf"
    evidence.write_bytes(b"%PDF-1.4\n% photo notes\n" + bytes(range(256)) * 8)
    code = lot.code  # read here: the browser's thread may not use the database

    with platform_servers(1, tmp_path) as (server,):
        url = server.url

        def steps(browser, services):
            visitor = browser.new_context(locale="zh-CN").new_page()
            visitor.goto(f"{url}/lots/{lot.pk}/")
            visitor.click("[data-testid=report-link]")
            expect(visitor.locator("[data-testid=report-lot]")).to_contain_text(code)
            expect(visitor.locator("#id_lot_code")).to_have_value(code)
            visitor.fill("#id_text", TEXT)
            visitor.fill("#id_contact", CONTACT)
            visitor.set_input_files("#id_evidence", str(evidence))
            visitor.click("[data-testid=report-submit]")
            case = visitor.locator("[data-testid=case-number]").inner_text()
            follow = visitor.locator("[data-testid=follow-link]").get_attribute("href")
            visitor.goto(follow)
            expect(visitor.locator("[data-testid=report-status]")).to_have_attribute("data-status", "received")
            expect(visitor.locator("[data-testid=no-answer]")).to_be_visible()

            official = browser.new_context(locale="en-US").new_page()
            sign_in(official, url, regulator.username, PASSWORD, devices=database_devices(services))
            official.goto(f"{url}/regulator/reports/")
            official.click(f"[data-case='{case}'] a")
            expect(official.locator("[data-testid=contact]")).to_have_text(CONTACT)
            expect(official.locator("[data-testid=report-text]")).to_contain_text(TEXT)
            expect(official.locator("[data-testid=evidence]")).to_have_text(evidence.name)
            official.fill("#id_note", "Passed to the inspection team.")
            official.click("[data-testid=triage]")
            official.fill("#id_answer", ANSWER)
            official.click("[data-testid=answer]")
            expect(official.locator("[data-testid=report-status]")).to_have_attribute("data-status", "answered")
            official.context.close()

            visitor.reload()
            expect(visitor.locator("[data-testid=report-answer]")).to_contain_text(ANSWER)
            assert CONTACT not in visitor.content()
            visitor.check("input[name=rating][value='5']")
            visitor.click("[data-testid=rate]")
            expect(visitor.locator("[data-testid=report-rating]")).to_have_attribute("data-rating", "5")
            visitor.context.close()

        browser_thread(steps)

    report = PublicReport.objects.get()
    assert (report.status, report.rating, report.reporter, report.contact) == ("answered", 5, None, CONTACT)
    assert (report.lot_id, report.text, report.answer) == (lot.pk, TEXT, ANSWER)
    assert report.triage_note == "Passed to the inspection team."

"""In headless Chromium on a real server process (the session's test database), in Chinese: the staff
manager enters the four qualitative indicators of an October assessment and finalises it; the staff
member then sees the result and its breakdown on their own page."""
import pytest
from playwright.sync_api import expect

from monitoring.assessment.models import Assessment
from monitoring.assessment.services import assessment_open
from monitoring.assessment.tests.conftest import ENTERED, OCTOBER
from tests.browsing import browser_thread, database_devices, sign_in
from tests.fixtures import PASSWORD
from tests.servers import platform_servers


@pytest.fixture(scope="module")
def assessment_server(django_db_setup, tmp_path_factory):
    with platform_servers(1, tmp_path_factory.mktemp("server")) as (server,):
        yield server.url


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_manager_enters_and_finalises_and_the_person_sees_the_breakdown(assessment_server, staff, manager):
    assessment = assessment_open(person_id=staff.pk, manager=manager, period_start=OCTOBER[0], period_end=OCTOBER[1])
    url = assessment_server

    def steps(browser, services):
        devices = database_devices(services)
        page = sign_in(browser.new_context(locale="zh-CN").new_page(), url, manager.username, PASSWORD,
                       devices=devices)
        page.wait_for_url(lambda address: "/login/" not in address)
        page.goto(url + "/assessment/")
        expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
        with page.expect_navigation():
            page.locator(f"[data-testid=assessments] tr[data-assessment='{assessment.pk}'] a").click()
        for code, value in ENTERED.items():
            form = page.locator(f"form[data-testid=score-form][data-indicator={code}]")
            form.locator("input[name=value]").fill(value)
            form.locator("textarea[name=note]").fill("工作认真负责，按时完成交办任务。")
            with page.expect_navigation():
                form.locator("button[type=submit]").click()
            expect(page.locator(f"[data-testid=breakdown] tr[data-indicator={code}] [data-testid=value]")).to_have_text(
                f"{value}.00")
        with page.expect_navigation():
            page.click("[data-testid=finalise-form] button[type=submit]")
        expect(page.locator("[data-testid=assessment]")).to_have_attribute("data-status", "final")
        expect(page.locator("[data-testid=breakdown] [data-testid=score]")).to_contain_text("93.20")
        expect(page.locator("[data-testid=score-form]")).to_have_count(0)

        person = sign_in(browser.new_context(locale="zh-CN").new_page(), url, staff.username, PASSWORD,
                         devices=devices)
        person.wait_for_url(lambda address: "/login/" not in address)
        person.goto(url + "/assessment/mine/")
        mine = person.locator(f"[data-testid=my-assessment][data-assessment='{assessment.pk}']")
        expect(mine).to_have_attribute("data-status", "final")
        expect(mine.locator("[data-testid=breakdown] tbody tr")).to_have_count(9)
        expect(mine.locator("tr[data-indicator=on_time_rate]")).to_contain_text("办理时限按时率")
        expect(mine.locator("tr[data-indicator=morality] [data-testid=raw]")).to_contain_text("工作认真负责")
        expect(mine.locator("tr[data-indicator=veto_discipline]")).to_have_attribute("data-veto-met", "false")
        expect(mine.locator("[data-testid=score]")).to_contain_text("93.20")

    browser_thread(steps)
    assessment.refresh_from_db()
    assert (assessment.status, str(assessment.score), assessment.failed) == (Assessment.Status.FINAL, "93.20", False)

"""A bidder and the centre in headless Chromium on a real server process (services mode, the
session's test database): the bidder rates an answered question 不满意 in Chinese, staff answer it
on the ratings page, and the bidder reads the answer under their rating."""
import pytest
from playwright.sync_api import expect

from monitoring.ratings.models import Rating
from tests.browsing import browser_thread, database_devices, sign_in
from tests.fixtures import PASSWORD
from tests.servers import platform_servers

COMPLAINT = "答复没有说明技术参数的具体要求。"
ANSWER = "经核查，已重新说明技术参数并发布澄清公告。"


@pytest.fixture(scope="module")
def ratings_server(django_db_setup, tmp_path_factory):
    with platform_servers(1, tmp_path_factory.mktemp("server")) as (server,):
        yield server.url


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_bidder_rates_a_service_dissatisfied_and_reads_the_centres_answer(ratings_server, answered, bidder_a,
                                                                             staff):
    (service,) = answered(bidder_a)

    def steps(browser, services):
        bidder = sign_in(browser.new_context(locale="zh-CN").new_page(), ratings_server, bidder_a.username, PASSWORD)
        bidder.goto(ratings_server + "/ratings/mine/")
        card = bidder.locator(f"[data-testid=service][data-service='{service.pk}']")
        expect(card).to_contain_text("答疑")
        card.get_by_label("不满意", exact=True).check()
        card.get_by_label("评价意见").fill(COMPLAINT)
        with bidder.expect_navigation():
            card.get_by_role("button", name="提交评价").click()
        expect(card.locator("[data-testid=rating-level]")).to_have_text("不满意")
        expect(card.locator("[data-testid=answer-due]")).to_contain_text("尚未答复")

        centre = sign_in(browser.new_context(locale="zh-CN").new_page(), ratings_server, staff.username, PASSWORD,
                         devices=database_devices(services))
        centre.goto(ratings_server + "/ratings/")
        row = centre.locator("[data-testid=ratings] tr[data-bad='1']").first
        expect(row).to_contain_text(COMPLAINT)
        row.locator("textarea[name=answer]").fill(ANSWER)
        with centre.expect_navigation():
            row.locator("[data-testid=answer-form] button[type=submit]").click()
        expect(centre.locator("[data-testid=ratings] tr[data-answered='1'] [data-testid=answer]")).to_have_text(ANSWER)

        bidder.reload()
        expect(card.locator("[data-testid=answer]")).to_contain_text(ANSWER)

    browser_thread(steps)
    rating = Rating.objects.get(service=service)
    assert (rating.level, rating.comment, rating.rated_by, rating.answer, rating.answered_by) == (
        2, COMPLAINT, bidder_a, ANSWER, staff)

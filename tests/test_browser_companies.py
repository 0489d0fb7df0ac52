"""Issue 17 in headless Chromium on a real server process: a company signs itself up with its
business licence (in Chinese), its contact opens the link of the mail the server wrote, staff (in
English, with their second factor) download the licence and approve the company, its administrator
adds a colleague, and the colleague signs in and registers the company for a published lot."""
import email
import email.policy
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import expect

from tests.browsing import browser_thread, database_devices, sign_in
from tests.fixtures import PASSWORD
from tests.servers import platform_servers
from trading.models import Lot, Organisation, Registration, Role, User
from trading.services.lots import lot_publish, lot_submit
from trading.validators import resident_id_check_character, uscc_check_character

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

USCC = "91330106MA2B0C0D0"
USCC += uscc_check_character(USCC)
CONTACT_ID = "330106198501010" + "17"
CONTACT_ID += resident_id_check_character(CONTACT_ID)
COLLEAGUE_ID = "330106199002020" + "28"
COLLEAGUE_ID += resident_id_check_character(COLLEAGUE_ID)
CONTACT_PASSWORD = "west-lake-company-2026"


def _verification_link(to: str) -> str:
    """The link of the newest address-check mail to ``to`` among the files the server's file-based
    mail backend wrote (one per message)."""
    for path in sorted(Path(settings.EMAIL_FILE_PATH).glob("*.log"), key=lambda p: p.stat().st_mtime, reverse=True):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        if to in str(message["To"]):
            return re.search(r"https?://\S+/account/verify-email/[^/\s]+/", message.get_content()).group(0)
    raise AssertionError(f"no mail to {to} in {settings.EMAIL_FILE_PATH}")


def test_a_company_signs_up_staff_approve_it_and_its_colleague_registers_for_a_lot(make_lot, staff, tmp_path):
    lot = make_lot("procurement", "open_tender", deposit=Decimal("0"))
    lot_submit(lot_id=lot.pk, actor="user:1")
    lot_publish(lot_id=lot.pk, title="办公设备采购公告", body="……", actor="user:1")
    assert Lot.objects.get(pk=lot.pk).status == Lot.Status.BIDDING
    licence = tmp_path / "营业执照.pdf"
    licence.write_bytes(b"%PDF-1.4\n% scanned business licence\n" + bytes(range(256)) * 64)

    with platform_servers(1, tmp_path) as (server,):
        url = server.url

        def steps(browser, services):
            company = browser.new_context(locale="zh-CN").new_page()
            company.goto(url + "/login/")
            company.click("[data-testid=sign-up-link]")
            form = company.locator("[data-testid=sign-up-form]")
            form.locator("#id_uscc").fill(USCC)
            form.locator("#id_name").fill("杭州西湖数码科技有限公司")
            form.locator("#id_legal_representative").fill("周法人")
            form.locator("#id_licence").set_input_files(str(licence))
            form.locator("#id_contact_display_name").fill("吴联系")
            form.locator("#id_contact_resident_id").fill(CONTACT_ID)
            form.locator("#id_contact_email").fill("wu@xihu.example.cn")
            form.locator("#id_contact_username").fill("xihu_wu")
            form.locator("#id_password").fill(CONTACT_PASSWORD)
            form.locator("#id_password_again").fill(CONTACT_PASSWORD)
            company.click("[data-testid=sign-up]")
            expect(company.locator("[data-testid=sign-up-sent]")).to_contain_text("wu@xihu.example.cn")
            company.goto(_verification_link("wu@xihu.example.cn"))
            expect(company.locator("[data-testid=email-verified]")).to_be_visible()
            sign_in(company, url, "xihu_wu", CONTACT_PASSWORD)
            company.goto(url + "/account/company/")
            expect(company.locator("[data-testid=company-status]")).to_have_attribute("data-status", "pending")

            reviewer = browser.new_context(locale="en-US", accept_downloads=True).new_page()
            sign_in(reviewer, url, staff.username, PASSWORD, devices=database_devices(services))
            reviewer.click("[data-testid=nav-company-reviews]")
            review = reviewer.locator(f"[data-testid=review][data-uscc='{USCC}']")
            expect(review).to_contain_text("Sign-up")
            with reviewer.expect_download() as download:
                review.locator("[data-testid=licence]").click()
            assert Path(download.value.path()).read_bytes() == licence.read_bytes()
            review.locator("[data-testid=approve]").click()
            expect(reviewer.locator("[data-testid=no-reviews]")).to_be_visible()
            reviewer.context.close()

            company.reload()
            expect(company.locator("[data-testid=company-status]")).to_have_attribute("data-status", "approved")
            colleague = company.locator("[data-testid=user-form]")
            colleague.locator("#id_display_name").fill("郑投标")
            colleague.locator("#id_resident_id").fill(COLLEAGUE_ID)
            colleague.locator("#id_email").fill("zheng@xihu.example.cn")
            colleague.locator("#id_username").fill("xihu_zheng")
            colleague.locator("#id_password").fill(PASSWORD)
            company.click("[data-testid=user-add]")
            expect(company.locator("[data-person=xihu_zheng]")).to_have_attribute("data-active", "true")
            company.context.close()

            bidder = browser.new_context(locale="zh-CN").new_page()
            sign_in(bidder, url, "xihu_zheng", PASSWORD)
            bidder.goto(f"{url}/lots/{lot.pk}/registration/")
            bidder.click("[data-testid=register]")
            expect(bidder.locator("[data-testid=registration-status]")).to_have_attribute("data-status", "approved")
            bidder.context.close()

        browser_thread(steps)

    organisation = Organisation.objects.get(uscc=USCC)
    assert organisation.status == Organisation.Status.APPROVED
    assert User.objects.get(username="xihu_wu").role_set == {Role.BIDDER, Role.COMPANY_ADMIN}
    assert User.objects.get(username="xihu_zheng").role_set == {Role.BIDDER}
    registration = Registration.objects.get(lot=lot)
    assert (registration.organisation, registration.registered_by.username) == (organisation, "xihu_zheng")

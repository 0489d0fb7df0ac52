"""Issue 18's registry in headless Chromium on a real server process: staff (in English, with their
second factor) enter a unit's recommendation with its letter, vet and appoint the person with the
signed agreement; the supervisor signs in (in Chinese), accepts the duties and the integrity pledge
and sees their certificate number on the workbench; staff draw the supervisors of a published lot's
opening, and the drawn supervisor accepts the seat on the workbench."""
import io
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from supervisors.models import Assignment
from supervisors.registry.models import Supervisor, SupervisorDraw
from supervisors.registry.services import lifecycle
from supervisors.registry.services.documents import Upload
from tests.browsing import browser_thread, database_devices, sign_in
from tests.fixtures import PASSWORD
from tests.servers import platform_servers
from trading import clock
from trading.models import Role, User
from trading.services.lots import lot_publish, lot_submit
from trading.validators import resident_id_check_character, uscc_check_character
from trading.workdays import local_day

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

UNIT_USCC = "51330100MJ0000009"
UNIT_USCC += uscc_check_character(UNIT_USCC)
PERSON_ID = "330106198203030" + "45"
PERSON_ID += resident_id_check_character(PERSON_ID)
COLLEAGUE_ID = "330106197704040" + "56"
COLLEAGUE_ID += resident_id_check_character(COLLEAGUE_ID)
PDF = b"%PDF-1.4\n% signed paper, scanned\n" + bytes(range(256)) * 16


def _colleague_appointed(staff):
    """A second supervisor, appointed through the services, so that the opening's two seats fill."""
    pdf = lambda: Upload(stream=io.BytesIO(PDF), name="a.pdf", length=len(PDF))  # noqa: E731
    account = lifecycle.NewAccount(username="colleague", display_name="郑同事", resident_id=COLLEAGUE_ID,
                                   password=PASSWORD)
    supervisor = lifecycle.supervisor_recommend(by=staff, unit_name="市总工会", unit_uscc=UNIT_USCC, letter=pdf(),
                                                account=account)
    lifecycle.supervisor_vet(supervisor_id=supervisor.pk, by=staff)
    lifecycle.supervisor_appoint(supervisor_id=supervisor.pk, by=staff, agreement=pdf(),
                                 agreement_signed_on=local_day(clock.now()))
    lifecycle.supervisor_pledge_accept(supervisor_id=supervisor.pk, user=supervisor.user)


def test_staff_appoint_a_supervisor_who_pledges_and_accepts_a_drawn_seat(make_lot, staff, tmp_path):
    lot = make_lot("procurement", "open_tender", deposit=Decimal("0"))
    lot_submit(lot_id=lot.pk, actor="user:1")
    lot_publish(lot_id=lot.pk, title="办公家具采购公告", body="……", actor="user:1")
    _colleague_appointed(staff)
    letter, agreement = tmp_path / "推荐函.pdf", tmp_path / "聘任协议.pdf"
    letter.write_bytes(PDF)
    agreement.write_bytes(PDF + b"agreement")

    with platform_servers(1, tmp_path) as (server,):
        url = server.url

        def steps(browser, services):
            desk = browser.new_context(locale="en-US").new_page()
            sign_in(desk, url, staff.username, PASSWORD, devices=database_devices(services))
            desk.click("[data-testid=nav-supervisor-registry]")
            desk.click("[data-testid=recommend-link]")
            form = desk.locator("[data-testid=recommend-form]")
            form.locator("#id_unit_name").fill("西湖区人大代表联络站")
            form.locator("#id_unit_uscc").fill(UNIT_USCC)
            form.locator("#id_letter").set_input_files(str(letter))
            form.locator("#id_username").fill("lin_watch")
            form.locator("#id_display_name").fill("林监督")
            form.locator("#id_resident_id").fill(PERSON_ID)
            form.locator("#id_password").fill(PASSWORD)
            form.locator("#id_employer_name").fill("西湖区某中学")
            desk.click("[data-testid=recommend]")
            expect(desk.locator("[data-testid=status]")).to_have_attribute("data-status", "recommended")
            desk.locator("[data-testid=vet-form] textarea").fill("No employment by any party; no penalty.")
            desk.click("[data-testid=vet]")
            expect(desk.locator("[data-testid=status]")).to_have_attribute("data-status", "vetted")
            appoint = desk.locator("[data-testid=appoint-form]")
            appoint.locator("#id_agreement_signed_on").fill(local_day(clock.now()).isoformat())
            appoint.locator("#id_agreement").set_input_files(str(agreement))
            desk.click("[data-testid=appoint]")
            expect(desk.locator("[data-testid=status]")).to_have_attribute("data-status", "appointed")

            watcher = browser.new_context(locale="zh-CN").new_page()
            sign_in(watcher, url, "lin_watch", PASSWORD)
            watcher.click("[data-testid=nav-workbench]")
            expect(watcher.locator("[data-testid=pledge-form] li")).to_have_count(8)
            watcher.click("[data-testid=pledge-accept]")
            number = watcher.locator("[data-testid=certificate-number]")
            expect(number).to_have_text(f"SJ-{local_day(clock.now()).year}-0002")

            desk.goto(f"{url}/staff/lots/{lot.pk}/supervisors/")
            desk.click("[data-testid=draws-link]")
            desk.select_option("#id_session_kind", "opening")
            desk.click("[data-testid=draw]")
            drawn = desk.locator("[data-testid=draw][data-session=opening]")
            expect(drawn.locator("[data-testid=redone]")).to_contain_text("the same order")
            expect(drawn.locator("[data-username=lin_watch]")).to_be_visible()
            desk.context.close()

            watcher.reload()
            seat = watcher.locator(f"[data-testid=seat][data-lot='{lot.pk}']")
            expect(seat).to_contain_text(lot.code)
            seat.locator("[data-testid=seat-accept]").click()
            expect(watcher.locator("[data-testid=nothing-to-answer]")).to_be_visible()
            expect(watcher.locator("[data-testid=accepted] [data-testid=room-link]")).to_have_attribute(
                "href", f"/lots/{lot.pk}/opening/")
            watcher.context.close()

        browser_thread(steps)

    supervisor = Supervisor.objects.get(user__username="lin_watch")
    assert (supervisor.status, supervisor.unit_uscc, supervisor.employer_name) == (
        Supervisor.Status.APPOINTED, UNIT_USCC, "西湖区某中学")
    assert User.objects.get(username="lin_watch").has_role(Role.SUPERVISOR)
    draw = SupervisorDraw.objects.get(lot=lot, session_kind="opening")
    seat = Assignment.objects.get(draw=draw, supervisor__username="lin_watch")
    assert seat.accepted_at is not None and draw.drawn_by == f"user:{staff.pk}"

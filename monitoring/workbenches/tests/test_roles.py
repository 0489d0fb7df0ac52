"""The staff's, the experts', the custodians', the regulators' and the supervisors' workbenches: each
lists what is that person's to do now, from data built through the real services, and not another's."""
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from bidding.evaluation.services.awards import award_propose, candidates_publish
from bidding.evaluation.services.evaluation import evaluation_create
from bidding.evaluation.services.panel import member_answer, panel_draw
from bidding.sealed.services.opening import opening_start, share_present
from monitoring.workbenches.tests.helpers import home_panel, register, seal_and_submit, section
from supervisors.registry.services import draws
from supervisors.registry.tests.conftest import appointed, recommend  # noqa: F401 (fixtures)
from supervisors.regulation.services import inquiry_ask, public_report_file
from tests.fixtures import CUSTODIAN_PASSPHRASE
from trading.models import Procedure
from trading.services.lots import lot_due_sweep
from trading.services.registrations import registration_withdraw
from trading.workdays import day_end, local_day

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def _page(client, user, name) -> str:
    client.force_login(user)
    response = client.get(reverse(name), **EN)
    assert response.status_code == 200
    return response.content.decode()


def _same_day_before(at):
    """An instant on ``at``'s China day, up to an hour before it."""
    return max(day_end(local_day(at) - timedelta(days=1)), at - timedelta(hours=1))


# --- staff -------------------------------------------------------------------------------------------

@pytest.fixture
def staff_day(make_lot, publish_sealed, bidder_a, bidder_b, make_person):
    """A prequalified lot with bidder_a's registration to review; bidder_b registered without paying
    its deposit on another lot, on which a third bidder withdrew so its deposit falls due for refund."""
    vetted = make_lot("construction", deposit=Decimal("0"))
    Procedure.objects.filter(pk=vetted.project.procedure_id).update(requires_prequalification=True)
    vetted = publish_sealed(vetted)
    register(vetted, bidder_a)
    open_lot = publish_sealed(make_lot("construction", deposit=Decimal("10000.00")))
    register(open_lot, bidder_b, pay=False)
    bidder_c = make_person("bidder_c", ["bidder"], organisation="丙建设有限公司")
    withdrawn = register(open_lot, bidder_c)
    registration_withdraw(registration_id=withdrawn.pk, user=bidder_c)
    return vetted, open_lot


def test_staff_see_registrations_to_review_deposits_to_match_and_refunds_due(client, staff, staff_day,
                                                                              bidder_a, bidder_b):
    vetted, open_lot = staff_day
    page = _page(client, staff, "workbench-staff")
    assert bidder_a.organisation.name in section(page, "to-review") and vetted.code in section(page, "to-review")
    assert bidder_b.organisation.name in section(page, "deposits-to-match")
    assert "丙建设有限公司" in section(page, "refunds") and open_lot.code in section(page, "refunds")
    assert f'href="{reverse("registration-staff")}" data-testid="registrations-link"' in page
    assert f'href="{reverse("registration-refunds")}" data-testid="refunds-link"' in page
    panel = section(home_panel(staff), "home-staff")
    assert f'href="{reverse("registration-staff")}">2 registrations to review' in panel
    assert f'href="{reverse("registration-refunds")}">1 deposit to refund' in panel
    counts = section(page, "lots-by-status")
    assert f'<a href="{reverse("staff-lot-list")}?status=bidding">Open for bids</a>: <span data-testid="count">2' in counts
    for link in (reverse("registration-staff"), reverse("registration-refunds"), f'{reverse("staff-lot-list")}?status=bidding'):
        assert client.get(link).status_code == 200


def test_staff_see_the_day_s_due_steps_and_openings_and_which_are_overdue(client, staff, make_lot, publish_sealed):
    lot = publish_sealed(make_lot("construction"))
    later = publish_sealed(make_lot("construction", days=30))
    with time_machine.travel(_same_day_before(lot.bid_deadline), tick=False):
        page = _page(client, staff, "workbench-staff")
    due = section(page, "due-today")
    assert f'data-lot="{lot.pk}" data-overdue="false"' in due and "Bids close" in due
    assert f'data-lot="{later.pk}"' not in due  # due on another day
    assert f'data-lot="{lot.pk}"' in section(page, "openings")

    with time_machine.travel(lot.bid_deadline + timedelta(minutes=5), tick=False):
        page = _page(client, staff, "workbench-staff")  # the sweep has not run: the move is overdue
    assert f'data-lot="{lot.pk}" data-overdue="true"' in section(page, "due-today")
    assert 'data-testid="overdue-count"' in page

    with time_machine.travel(lot.bid_deadline + timedelta(minutes=5), tick=False):
        lot_due_sweep()
        page = _page(client, staff, "workbench-staff")
    assert f'data-lot="{lot.pk}"' not in section(page, "due-today")
    opening = section(page, "openings")
    assert f'data-lot="{lot.pk}"' in opening and "Bidding closed" in opening  # the opening to start


def test_the_staff_workbench_reads_a_bounded_number_of_queries(client, staff, staff_day, make_lot, publish_sealed,
                                                               django_assert_max_num_queries):
    for _ in range(3):
        publish_sealed(make_lot("construction"))
    client.force_login(staff)
    # Session, user, the second factor's device, roles, unread count, the due lots, the counts by
    # status, each of the three queues' first items (and its count only when longer), the overdue
    # refunds when any are due, the openings and the auctions.
    with django_assert_max_num_queries(13):
        assert client.get(reverse("workbench-staff")).status_code == 200


# --- experts -----------------------------------------------------------------------------------------

def test_an_expert_sees_the_declaration_then_the_sheet_to_submit(client, lot_in_evaluation, expert_pool):
    lot, _bidders = lot_in_evaluation(["900000.00", "950000.00", "980000.00"])
    experts = expert_pool(6)
    evaluation = evaluation_create(lot_id=lot.pk, method="lowest_price", category="goods", panel_size=5,
                                   actor="user:1")
    panel_draw(evaluation_id=evaluation.pk, specialties={"goods": 5}, actor="user:1")
    members = list(evaluation.members.select_related("user"))
    drawn = members[0].user
    left_out = next(expert.user for expert in experts if expert.user_id not in {m.user_id for m in members})

    page = _page(client, drawn, "workbench-expert")
    assert f'data-lot="{lot.pk}"' in section(page, "to-declare") and lot.code in section(page, "to-declare")
    assert f'data-lot="{lot.pk}"' not in section(page, "to-score")
    assert f'data-lot="{lot.pk}"' not in _page(client, left_out, "workbench-expert")
    assert f"Declare any conflict: {lot.code}" in section(home_panel(drawn), "home-expert")

    for member in members:
        member_answer(member_id=member.pk, user=member.user, no_conflict=True)
    page = _page(client, drawn, "workbench-expert")
    assert f'data-lot="{lot.pk}"' not in section(page, "to-declare")
    scoring = reverse("panel-scoring", args=[evaluation.pk])
    assert f'href="{scoring}" data-testid="scoring-link"' in section(page, "to-score")
    assert client.get(scoring).status_code == 200
    panel = section(home_panel(drawn), "home-expert")
    assert f'href="{scoring}">Submit your score sheet: {lot.code}' in panel


# --- custodians --------------------------------------------------------------------------------------

def test_a_custodian_sees_the_opening_coming_due_then_the_share_to_present(client, custodians, make_lot,
                                                                             publish_sealed, make_person):
    from bidding.sealed.services.keys import custodian_key_create

    lot = publish_sealed(make_lot("construction"))
    for n in range(3):  # the fewest bids an opening takes
        bidder = make_person(f"bidder_{n}", ["bidder"], organisation=f"第{n}投标有限公司")
        register(lot, bidder)
        seal_and_submit(lot, bidder)
    first, second = custodians[0], custodians[1]
    outsider = make_person("custodian_other", ["custodian"])
    custodian_key_create(user=outsider, passphrase=CUSTODIAN_PASSPHRASE)

    page = _page(client, first, "workbench-custodian")
    assert f'data-lot="{lot.pk}"' in section(page, "upcoming") and 'data-testid="countdown"' in page
    assert f'data-lot="{lot.pk}"' not in _page(client, outsider, "workbench-custodian")

    with time_machine.travel(lot.bid_deadline + timedelta(seconds=1), tick=False):
        lot_due_sweep()
    page = _page(client, first, "workbench-custodian")
    assert f'data-lot="{lot.pk}"' in section(page, "opening-due")

    session = opening_start(lot_id=lot.pk, actor="user:1")
    page = _page(client, first, "workbench-custodian")
    opening = reverse("opening-page", args=[lot.pk])
    assert f'href="{opening}" data-testid="present-link"' in section(page, "to-present")
    assert f'href="{opening}">Present your share now: {lot.code}' in section(home_panel(first), "home-custodian")

    share_present(session_id=session.pk, user=first, passphrase=CUSTODIAN_PASSPHRASE)
    page = _page(client, first, "workbench-custodian")
    assert f'data-lot="{lot.pk}"' not in section(page, "to-present")
    assert f'data-lot="{lot.pk}"' in section(page, "presented")
    assert f'data-lot="{lot.pk}"' in section(_page(client, second, "workbench-custodian"), "to-present")


def test_a_custodian_without_a_key_is_told_to_make_one(client, make_person):
    page = _page(client, make_person("new_custodian", ["custodian"]), "workbench-custodian")
    assert 'data-testid="no-key"' in page and reverse("custodian-key") in page


# --- regulators --------------------------------------------------------------------------------------

def test_a_regulator_sees_the_award_to_review_inquiries_and_reports(client, regulator, lot_in_evaluation, evaluate,
                                                                     bidder_a):
    lot, _bidders = lot_in_evaluation(["900000.00", "950000.00", "980000.00"])
    evaluate(lot)
    candidates_publish(lot_id=lot.pk, actor="user:1")
    lot.refresh_from_db()
    with time_machine.travel(lot.publicity_end + timedelta(seconds=1), tick=False):
        lot_due_sweep()
    award_propose(lot_id=lot.pk, actor="user:1")
    inquiry = inquiry_ask(lot_id=lot.pk, regulator=regulator, question="开标记录为何延迟公布？")
    report = public_report_file(text="有人串通投标。", lot_id=lot.pk, reporter=bidder_a)

    page = _page(client, regulator, "workbench-regulator")
    awards = section(page, "awards")
    assert f'data-lot="{lot.pk}"' in awards and '<span data-testid="count">1</span>' in awards
    assert f'data-inquiry="{inquiry.pk}"' in section(page, "inquiries")
    assert f'data-report="{report.pk}"' in section(page, "reports")
    assert client.get(reverse("review-queue")).status_code == 200
    panel = section(home_panel(regulator), "home-regulator")
    assert f'href="{reverse("review-queue")}">1 award to review' in panel and f"Award of {lot.code}" in panel
    assert "1 inquiry awaiting its answer" in panel and "1 public report waiting" in panel


# --- supervisors -------------------------------------------------------------------------------------

def test_a_supervisor_s_workbench_is_the_registry_s_page_and_the_home_lists_the_seat(client, staff, appointed,
                                                                                      make_lot, publish_sealed):
    lot = publish_sealed(make_lot("construction"))
    watchers = [appointed(name) for name in ("wang", "li", "zhang")]
    draw = draws.supervisor_draw(lot_id=lot.pk, session_kind="opening", by=staff)
    drawn = {seat.supervisor.username for seat in draw.seats.all()}
    seated = next(s for s in watchers if s.user.username in drawn)
    other = next(s for s in watchers if s.user.username not in drawn)

    client.force_login(seated.user)
    assert client.get(reverse("workbench"))["Location"] == reverse("supervision-workbench")
    panel = section(home_panel(seated.user), "home-supervisor")
    assert f"Accept or recuse: {lot.code}" in panel and reverse("supervision-workbench") in panel
    assert lot.code not in section(home_panel(other.user), "home-supervisor")

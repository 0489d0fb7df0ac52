"""A social supervisor's life through the services: recommended by a unit, vetted, appointed, the
pledge accepted by themself (certificate issued), suspended, reinstated, renewed, dismissed; every
refusal changes nothing and the refusals of a right are audited."""
from datetime import timedelta

import pytest

from bidding.evaluation.models import Expert, ExpertPenalty
from monitoring.models import AuditEntry
from supervisors.models import Assignment
from supervisors.registry.errors import RegistryError
from supervisors.registry.models import Supervisor, SupervisorStatusChange
from supervisors.registry.services import lifecycle
from supervisors.registry.tests.conftest import PASSWORD, PDF, UNIT_USCC, pdf, resident_id
from supervisors.services import assignment_create
from trading import clock
from trading.errors import PlatformError
from trading.models import Notification, Role, RoleChange, User
from trading.services.registrations import registration_create
from trading.storage import get_storage
from trading.workdays import local_day

pytestmark = pytest.mark.django_db


def events(supervisor) -> list[str]:
    return list(AuditEntry.objects.filter(subject=f"supervisor:{supervisor.pk}").order_by("id")
                .values_list("kind", flat=True))


def fresh(supervisor) -> Supervisor:
    return Supervisor.objects.select_related("user").get(pk=supervisor.pk)


def test_a_unit_recommends_staff_vet_and_appoint_and_the_supervisor_accepts_the_pledge(staff, recommend):
    supervisor = recommend("zhou")
    person = User.objects.get(username="zhou")
    assert (supervisor.status, supervisor.unit_uscc, supervisor.recommended_by) == (
        Supervisor.Status.RECOMMENDED, UNIT_USCC, f"user:{staff.pk}")
    assert person.resident_id and person.check_password(PASSWORD) and not person.has_role(Role.SUPERVISOR)
    assert get_storage().get(supervisor.letter_key).read() == PDF

    lifecycle.supervisor_vet(supervisor_id=supervisor.pk, by=staff, notes="与各市场交易主体无雇佣关系")
    today = local_day(clock.now())
    lifecycle.supervisor_appoint(supervisor_id=supervisor.pk, by=staff, agreement=pdf(),
                                 agreement_signed_on=today)
    supervisor = fresh(supervisor)
    assert (supervisor.status, supervisor.term_start, supervisor.term_end) == (
        Supervisor.Status.APPOINTED, today, today + timedelta(days=730))
    assert supervisor.user.has_role(Role.SUPERVISOR)
    grant = RoleChange.objects.get(user=person, role=Role.SUPERVISOR)
    assert grant.proposed_by == f"user:{staff.pk}" and grant.reason
    assert get_storage().get(supervisor.agreement_key).read() == PDF
    assert not supervisor.certificate_number

    lifecycle.supervisor_pledge_accept(supervisor_id=supervisor.pk, user=person)
    supervisor = fresh(supervisor)
    assert supervisor.certificate_number == f"SJ-{today.year}-0001"
    assert get_storage().get(supervisor.certificate_key).read().startswith(b"%PDF-")
    assert supervisor.pledge_accepted_at is not None

    assert [(c.from_status, c.to_status) for c in SupervisorStatusChange.objects.filter(supervisor=supervisor)] == [
        ("", "recommended"), ("recommended", "vetted"), ("vetted", "appointed"), ("appointed", "appointed")]
    assert events(supervisor) == ["supervisor.recommended", "supervisor.vetted", "supervisor.appointed",
                                  "supervisor.pledge_accepted"]
    kinds = set(Notification.objects.filter(user=person).values_list("kind", flat=True))
    assert {"supervisor.recommended", "supervisor.vetted", "supervisor.appointed", "role.granted"} <= kinds


def test_certificate_numbers_follow_each_other_in_a_year(appointed):
    first, second = appointed("wu"), appointed("zheng")
    year = local_day(clock.now()).year
    assert (first.certificate_number, second.certificate_number) == (f"SJ-{year}-0001", f"SJ-{year}-0002")


def test_a_signed_in_person_nominates_themself(make_person):
    person = make_person("volunteer", [], resident_id=resident_id(1))
    supervisor = lifecycle.supervisor_nominate(user=person, employer_name="西湖区某街道", market_codes=["land"])
    assert supervisor.self_nominated and supervisor.status == Supervisor.Status.RECOMMENDED
    assert list(supervisor.markets.values_list("code", flat=True)) == ["land"]
    with pytest.raises(RegistryError) as again:
        lifecycle.supervisor_nominate(user=person)
    assert again.value.code == "already_registered"
    without_id = make_person("no_id", [])
    with pytest.raises(RegistryError) as refused:
        lifecycle.supervisor_nominate(user=without_id)
    assert refused.value.code == "resident_id_missing"


def test_only_staff_keep_the_registry_and_the_refusal_is_audited(recommend, bidder_a, staff):
    supervisor = recommend("qian")
    for action in (lambda: lifecycle.supervisor_vet(supervisor_id=supervisor.pk, by=bidder_a),
                   lambda: lifecycle.supervisor_dismiss(supervisor_id=supervisor.pk, by=bidder_a, reason="x")):
        with pytest.raises(RegistryError) as refused:
            action()
        assert (refused.value.code, refused.value.status) == ("not_staff", 403)
    assert fresh(supervisor).status == Supervisor.Status.RECOMMENDED
    refusals = AuditEntry.objects.filter(subject=f"supervisor:{supervisor.pk}", kind="supervisor.refused")
    assert [(entry.actor, entry.data["code"]) for entry in refusals] == [(f"user:{bidder_a.pk}", "not_staff")] * 2
    with pytest.raises(RegistryError) as recommended:
        lifecycle.supervisor_recommend(by=bidder_a, unit_name="单位", unit_uscc=UNIT_USCC, letter=pdf(), user=bidder_a)
    assert recommended.value.code == "not_staff"


def test_nobody_decides_on_their_own_registration(make_person, staff):
    other_staff = make_person("staff_two", ["staff"], resident_id=resident_id(2))
    supervisor = lifecycle.supervisor_recommend(by=staff, unit_name="单位", unit_uscc=UNIT_USCC, letter=pdf(),
                                                user=other_staff)
    with pytest.raises(RegistryError) as refused:
        lifecycle.supervisor_vet(supervisor_id=supervisor.pk, by=other_staff)
    assert refused.value.code == "not_yours"
    assert fresh(supervisor).status == Supervisor.Status.RECOMMENDED


def test_the_pledge_is_accepted_by_the_supervisor_themself_only(staff, recommend, bidder_a):
    supervisor = recommend("sun")
    lifecycle.supervisor_vet(supervisor_id=supervisor.pk, by=staff)
    lifecycle.supervisor_appoint(supervisor_id=supervisor.pk, by=staff, agreement=pdf(),
                                 agreement_signed_on=local_day(clock.now()))
    for someone_else in (staff, bidder_a):
        with pytest.raises(RegistryError) as refused:
            lifecycle.supervisor_pledge_accept(supervisor_id=supervisor.pk, user=someone_else)
        assert refused.value.code == "not_yours"
    assert fresh(supervisor).pledge_accepted_at is None
    assert AuditEntry.objects.filter(subject=f"supervisor:{supervisor.pk}", kind="supervisor.refused").count() == 2
    lifecycle.supervisor_pledge_accept(supervisor_id=supervisor.pk, user=supervisor.user)
    with pytest.raises(RegistryError) as twice:
        lifecycle.supervisor_pledge_accept(supervisor_id=supervisor.pk, user=supervisor.user)
    assert twice.value.code == "pledge_done"


def test_vetting_is_refused_while_the_employer_is_a_party_of_a_market_watched(staff, recommend, bidder_a, lot):
    registration_create(lot_id=lot.pk, user=bidder_a)  # bidder_a's company is active in construction
    company = bidder_a.organisation
    watching_construction = recommend("li", employer_id=company.pk, markets=["construction"])
    with pytest.raises(RegistryError) as refused:
        lifecycle.supervisor_vet(supervisor_id=watching_construction.pk, by=staff)
    assert (refused.value.code, refused.value.status) == ("vetting_employer", 409)
    assert fresh(watching_construction).status == Supervisor.Status.RECOMMENDED
    assert AuditEntry.objects.filter(subject=f"supervisor:{watching_construction.pk}", kind="supervisor.refused",
                                     data__code="vetting_employer").exists()

    tenderee_staff = recommend("zhao", employer_id=lot.project.tenderee_id)  # every market, the tenderee's too
    with pytest.raises(RegistryError) as tenderee:
        lifecycle.supervisor_vet(supervisor_id=tenderee_staff.pk, by=staff)
    assert tenderee.value.code == "vetting_employer"

    watching_land = recommend("he", employer_id=company.pk, markets=["land"])
    assert lifecycle.supervisor_vet(supervisor_id=watching_land.pk, by=staff).status == Supervisor.Status.VETTED


def test_vetting_is_refused_for_a_penalty_on_record(staff, recommend):
    supervisor = recommend("feng")
    expert = Expert.objects.create(user=supervisor.user, employer_name="某设计院")
    ExpertPenalty.objects.create(expert=expert, reason="评标中私下接触投标人", starts_on=local_day(clock.now()))
    with pytest.raises(RegistryError) as refused:
        lifecycle.supervisor_vet(supervisor_id=supervisor.pk, by=staff)
    assert refused.value.code == "vetting_penalty"


@pytest.mark.parametrize(("change", "code"), [
    ({"unit_uscc": UNIT_USCC[:-1] + ("0" if UNIT_USCC[-1] != "0" else "1")}, "unit_uscc_invalid"),
    ({"unit_name": " "}, "unit_missing"),
    ({"letter": None}, "file_missing"),
    ({"letter": pdf(b"<html>not a pdf</html>")}, "file_not_pdf"),
    ({"markets": ["moon"]}, "market_unknown"),
    ({"resident_id": resident_id(3)[:-1] + ("0" if resident_id(3)[-1] != "0" else "1")}, "rid_check"),
])
def test_a_recommendation_with_bad_particulars_changes_nothing(staff, change, code):
    values = {"unit_name": "单位", "unit_uscc": UNIT_USCC, "letter": pdf(), "markets": [],
              "resident_id": resident_id(3)}
    values.update(change)
    account = lifecycle.NewAccount(username="newcomer", display_name="新人", resident_id=values.pop("resident_id"),
                                   password=PASSWORD)
    with pytest.raises(PlatformError) as refused:
        lifecycle.supervisor_recommend(by=staff, account=account, unit_name=values["unit_name"],
                                       unit_uscc=values["unit_uscc"], letter=values["letter"],
                                       market_codes=values["markets"])
    assert refused.value.code == code
    assert not Supervisor.objects.exists() and not User.objects.filter(username="newcomer").exists()


def test_the_term_is_at_most_what_the_rule_table_allows(staff, recommend):
    supervisor = recommend("chu")
    lifecycle.supervisor_vet(supervisor_id=supervisor.pk, by=staff)
    today = local_day(clock.now())
    with pytest.raises(RegistryError) as refused:
        lifecycle.supervisor_appoint(supervisor_id=supervisor.pk, by=staff, agreement=pdf(), agreement_signed_on=today,
                                     term_end=today + timedelta(days=731))
    assert refused.value.code == "term_invalid"
    assert fresh(supervisor).status == Supervisor.Status.VETTED and not supervisor.user.has_role(Role.SUPERVISOR)


def test_suspend_reinstate_and_dismiss_with_reasons(staff, appointed, lot):
    supervisor = appointed("wei")
    seat = assignment_create(lot_id=lot.pk, supervisor_id=supervisor.user_id, actor=f"user:{staff.pk}")
    with pytest.raises(RegistryError) as no_reason:
        lifecycle.supervisor_suspend(supervisor_id=supervisor.pk, by=staff, reason=" ")
    assert no_reason.value.code == "reason_required"
    lifecycle.supervisor_suspend(supervisor_id=supervisor.pk, by=staff, reason="连续两次未提交监督报告")
    lifecycle.supervisor_reinstate(supervisor_id=supervisor.pk, by=staff, reason="已补交报告")
    lifecycle.supervisor_dismiss(supervisor_id=supervisor.pk, by=staff, reason="收受投标人礼品")

    supervisor = fresh(supervisor)
    assert supervisor.status == Supervisor.Status.DISMISSED
    assert not User.objects.get(pk=supervisor.user_id).has_role(Role.SUPERVISOR)
    seat = Assignment.objects.get(pk=seat.pk)
    assert (seat.revoked_by, seat.revoked_at is not None) == (f"user:{staff.pk}", True)
    changes = list(SupervisorStatusChange.objects.filter(supervisor=supervisor).values_list("to_status", "reason",
                                                                                            "by"))
    assert changes[-3:] == [("suspended", "连续两次未提交监督报告", f"user:{staff.pk}"),
                            ("appointed", "已补交报告", f"user:{staff.pk}"),
                            ("dismissed", "收受投标人礼品", f"user:{staff.pk}")]
    with pytest.raises(RegistryError) as final:
        lifecycle.supervisor_reinstate(supervisor_id=supervisor.pk, by=staff, reason="再议")
    assert final.value.code == "status"


def test_renewal_is_one_action(staff, appointed):
    supervisor = appointed("jiang")
    old_end = supervisor.term_end
    lifecycle.supervisor_renew(supervisor_id=supervisor.pk, by=staff, reason="续聘")
    supervisor = fresh(supervisor)
    assert (supervisor.status, supervisor.term_end) == (Supervisor.Status.APPOINTED,
                                                        old_end + timedelta(days=1 + 730))
    assert SupervisorStatusChange.objects.filter(supervisor=supervisor).last().reason == "续聘"


def test_a_candidate_turned_down_is_dismissed(staff, recommend):
    supervisor = recommend("yang")
    lifecycle.supervisor_dismiss(supervisor_id=supervisor.pk, by=staff, reason="推荐材料不全")
    assert fresh(supervisor).status == Supervisor.Status.DISMISSED
    assert [change.to_status for change in SupervisorStatusChange.objects.filter(supervisor=supervisor)] == [
        "recommended", "dismissed"]

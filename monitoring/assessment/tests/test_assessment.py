"""A staff member's October 2026, assessed: the computed indicators read from the platform's records
(their steps and which were late, the alert and the upheld complaint on their lot, the ratings of
their answers), the manager's entries, the result and its breakdown, the veto, and the refusals."""
from datetime import date
from decimal import Decimal

import pytest

from monitoring.assessment.errors import AssessmentError
from monitoring.assessment.models import Assessment, Score
from monitoring.assessment.selectors import breakdown_build
from monitoring.assessment.selectors_figures import figures_compute, lots_handled, period_bounds, steps_done
from monitoring.assessment.services import assessment_finalise, assessment_open, assessment_score
from monitoring.assessment.tests.conftest import ENTERED, OCTOBER, at
from monitoring.models import AuditEntry
from trading.models import Notification

pytestmark = pytest.mark.django_db


def enter_all(assessment, manager, values=ENTERED):
    with at(2026, 11, 2, 10, 0):
        for code, value in values.items():
            assessment_score(assessment_id=assessment.pk, user=manager, indicator_code=code, value=value,
                             note=f"{code}：依据平时考核记录。")


def by_code(items):
    return {item["code"]: item for item in items}


def test_the_computed_indicators_read_the_persons_steps_alerts_complaints_and_ratings(october, staff, staff_b):
    since, until = period_bounds(*OCTOBER)
    steps = steps_done(user_id=staff.pk, since=since, until=until)
    assert [(step.kind, step.on_time) for step in steps] == [
        ("announcement_review", True), ("enquiry_answer", True), ("enquiry_answer", True),
        ("documents_objection_reply", False)]
    late = steps[-1]
    assert (late.ref, late.limit, late.lot_id) == (f"objection:{october.objection.pk}", october.objection.reply_due_at,
                                                   october.lot.pk)
    assert lots_handled(user_id=staff.pk, until=until) == {october.lot.pk}

    with at(2026, 11, 2, 9, 0):
        figures = figures_compute(person=staff, period_start=OCTOBER[0], period_end=OCTOBER[1])
    assert {code: figure.value for code, figure in figures.items()} == {
        "on_time_rate": Decimal("75.00"), "alerts": Decimal(90), "complaints_upheld": Decimal(80),
        "satisfaction": Decimal("50.00")}
    assert figures["on_time_rate"].raw["by_kind"] == {
        "announcement_review": {"steps": 1, "on_time": 1}, "documents_objection_reply": {"steps": 1, "on_time": 0},
        "enquiry_answer": {"steps": 2, "on_time": 2}}
    assert [item["ref"] for item in figures["on_time_rate"].raw["late"]] == [f"objection:{october.objection.pk}"]
    assert (figures["alerts"].raw["red"], figures["alerts"].raw["yellow"], figures["alerts"].raw["alerts"]) == (
        1, 0, [{"alert": october.alert.pk, "rule": "documents_objection_reply", "level": "red", "lot": october.lot.pk}])
    assert figures["complaints_upheld"].raw["complaints"] == [{"complaint": october.complaint.pk,
                                                               "lot": october.lot.pk}]
    assert figures["satisfaction"].raw == {"rated": 2, "satisfied": 1, "unrated_satisfied": 0, "counted": 2,
                                           "rate": "50.00"}

    # Another staff member did none of it: nothing late, no lot, no rating; full marks with zero counts.
    with at(2026, 11, 2, 9, 0):
        other = figures_compute(person=staff_b, period_start=OCTOBER[0], period_end=OCTOBER[1])
    assert {code: figure.value for code, figure in other.items()} == {
        "on_time_rate": 100, "alerts": 100, "complaints_upheld": 100, "satisfaction": 100}
    assert (other["on_time_rate"].raw["steps"], other["alerts"].raw["lots"], other["satisfaction"].raw["counted"]) == (
        0, 0, 0)
    # September holds none of October's work.
    with at(2026, 11, 2, 9, 0):
        september = figures_compute(person=staff, period_start=date(2026, 9, 1), period_end=date(2026, 9, 30))
    assert september["on_time_rate"].raw["steps"] == 0 and september["alerts"].raw["red"] == 0


def test_the_manager_enters_and_finalises_and_the_breakdown_is_kept(october_assessment, staff, manager):
    assessment = october_assessment
    enter_all(assessment, manager)
    with at(2026, 11, 2, 11, 0):
        final = assessment_finalise(assessment_id=assessment.pk, user=manager)
    # 15×75 + 10×90 + 10×80 + 15×50 (computed) + 15×90 + 10×85 + 10×80 + 15×88 (entered), ÷ 100
    assert (final.status, final.score, final.failed) == (Assessment.Status.FINAL, Decimal("78.95"), False)
    items = by_code(final.breakdown)
    assert list(items) == ["on_time_rate", "alerts", "complaints_upheld", "satisfaction", "morality", "ability",
                           "diligence", "achievement", "veto_discipline"]
    assert (items["on_time_rate"]["weight"], items["on_time_rate"]["value"], items["on_time_rate"]["points"]) == (
        "15.00", "75.00", "11.25")
    assert items["on_time_rate"]["raw"]["steps"] == 4
    assert items["morality"]["value"] == "90.00" and items["morality"]["raw"]["note"] == "morality：依据平时考核记录。"
    assert items["morality"]["raw"]["entered_by"] == f"user:{manager.pk}"
    assert items["veto_discipline"]["raw"]["met"] is False and items["veto_discipline"]["points"] is None
    assert sum(Decimal(item["points"]) for item in final.breakdown if item["points"]) == Decimal("78.95")

    events = list(AuditEntry.objects.filter(subject=f"assessment:{assessment.pk}").order_by("pk")
                  .values_list("kind", "actor", "data"))
    assert [kind for kind, _actor, _data in events] == ["assessment.opened"] + ["assessment.scored"] * 4 + [
        "assessment.finalised"]
    assert all(actor == f"user:{manager.pk}" for _kind, actor, _data in events)
    assert events[-1][2] == {"assessment": assessment.pk, "person": staff.pk, "score": "78.95", "failed": False}
    notice = Notification.objects.get(user=staff, kind="assessment.finalised")
    assert "78.95" in notice.body_zh and notice.link == "/assessment/mine/"

    # Final means final: no more entries, and a later change of the records does not move it.
    with at(2026, 11, 3, 9, 0), pytest.raises(AssessmentError) as refused:
        assessment_score(assessment_id=assessment.pk, user=manager, indicator_code="morality", value="100", note="改")
    assert refused.value.code == "assessment_final"
    Score.objects.filter(assessment=assessment).update(value=0)
    final.refresh_from_db()
    assert final.score == Decimal("78.95") and by_code(final.breakdown)["morality"]["value"] == "90.00"


def test_a_met_veto_fails_the_result_whatever_the_score(staff_b, manager):
    with at(2026, 11, 2, 9, 0):
        assessment = assessment_open(person_id=staff_b.pk, manager=manager, period_start=OCTOBER[0],
                                     period_end=OCTOBER[1])
    enter_all(assessment, manager, {code: "95" for code in ENTERED})
    with at(2026, 11, 2, 10, 30):
        assessment_score(assessment_id=assessment.pk, user=manager, indicator_code="veto_discipline", value="1",
                         note="10月15日向投标人泄露潜在投标人名单，经纪检部门查实。")
        final = assessment_finalise(assessment_id=assessment.pk, user=manager)
    assert (final.score, final.failed) == (Decimal("97.50"), True)
    veto = by_code(final.breakdown)["veto_discipline"]
    assert veto["raw"]["met"] is True and "泄露" in veto["raw"]["note"]


def test_a_veto_entered_then_withdrawn_does_not_fail(staff_b, manager):
    with at(2026, 11, 2, 9, 0):
        assessment = assessment_open(person_id=staff_b.pk, manager=manager, period_start=OCTOBER[0],
                                     period_end=OCTOBER[1])
    enter_all(assessment, manager)
    with at(2026, 11, 2, 10, 30):
        assessment_score(assessment_id=assessment.pk, user=manager, indicator_code="veto_discipline", value="1",
                         note="待查。")
        assessment_score(assessment_id=assessment.pk, user=manager, indicator_code="veto_discipline", value="0",
                         note="经核查，举报不实。")
        final = assessment_finalise(assessment_id=assessment.pk, user=manager)
    assert final.failed is False
    scored = AuditEntry.objects.filter(kind="assessment.scored", data__indicator="veto_discipline").order_by("pk")
    assert [(entry.data["value"], entry.data["previous"]) for entry in scored] == [("1.00", None), ("0.00", "1.00")]


def test_finalising_waits_for_the_period_and_for_every_entry(october_assessment, manager):
    assessment = october_assessment
    with at(2026, 10, 31, 20, 0), pytest.raises(AssessmentError) as early:
        assessment_finalise(assessment_id=assessment.pk, user=manager)
    assert (early.value.code, early.value.status) == ("period_not_over", 409)
    enter_all(assessment, manager, {"morality": "90", "ability": "85"})
    with at(2026, 11, 2, 11, 0), pytest.raises(AssessmentError) as missing:
        assessment_finalise(assessment_id=assessment.pk, user=manager)
    assert missing.value.code == "scores_missing"
    with at(2026, 11, 2, 11, 0):
        preview = breakdown_build(assessment=assessment)
    assert [indicator.code for indicator in preview.missing] == ["diligence", "achievement"]
    assert preview.score is None
    assessment.refresh_from_db()
    assert (assessment.status, assessment.score, assessment.breakdown) == (Assessment.Status.OPEN, None, [])


@pytest.mark.parametrize(("code", "value", "note", "error"), [
    ("on_time_rate", "90", "手工改写", "indicator_computed"),
    ("morality", "100.5", "超出", "value_invalid"),
    ("morality", "-1", "负数", "value_invalid"),
    ("morality", "88.123", "三位小数", "value_invalid"),
    ("morality", "九十", "不是数字", "value_invalid"),
    ("morality", "90", "  ", "note_required"),
    ("veto_discipline", "0.5", "半票", "veto_value"),
    ("no_such", "90", "无此指标", "indicator_unknown"),
])
def test_a_bad_entry_is_refused_and_changes_nothing(october_assessment, manager, code, value, note, error):
    with at(2026, 11, 2, 10, 0), pytest.raises(AssessmentError) as refused:
        assessment_score(assessment_id=october_assessment.pk, user=manager, indicator_code=code, value=value, note=note)
    assert refused.value.code == error
    assert not Score.objects.exists()
    assert not AuditEntry.objects.filter(kind="assessment.scored").exists()


def test_who_may_be_assessed_and_by_whom(staff, staff_b, manager, make_person, bidder_a):
    other_manager = make_person("manager_2", ["staff_manager"])
    with at(2026, 11, 2, 9, 0):
        cases = [
            (dict(person_id=manager.pk, manager=manager), "self_assessment"),  # a manager does not assess themself
            (dict(person_id=staff.pk, manager=staff_b), "not_staff_manager"),  # staff do not assess each other
            (dict(person_id=bidder_a.pk, manager=manager), "not_staff"),  # only staff are assessed
            (dict(person_id=other_manager.pk, manager=manager), "not_staff"),
            (dict(person_id=999999, manager=manager), "person_not_found"),
        ]
        for arguments, error in cases:
            with pytest.raises(AssessmentError) as refused:
                assessment_open(period_start=OCTOBER[0], period_end=OCTOBER[1], **arguments)
            assert refused.value.code == error, arguments
        with pytest.raises(AssessmentError) as backwards:
            assessment_open(person_id=staff.pk, manager=manager, period_start=OCTOBER[1], period_end=OCTOBER[0])
        assert backwards.value.code == "period_invalid"
        with pytest.raises(AssessmentError) as long:
            assessment_open(person_id=staff.pk, manager=manager, period_start=date(2025, 1, 1),
                            period_end=date(2026, 1, 1))
        assert long.value.code == "period_too_long"
        # The manager is assessed by another staff manager; once per person and period.
        mine = assessment_open(person_id=manager.pk, manager=other_manager, period_start=OCTOBER[0],
                               period_end=OCTOBER[1])
        assert mine.person == manager
        with pytest.raises(AssessmentError) as twice:
            assessment_open(person_id=manager.pk, manager=other_manager, period_start=OCTOBER[0],
                            period_end=OCTOBER[1])
        assert (twice.value.code, twice.value.status) == ("assessment_exists", 409)
        # Only the manager who opened it enters it.
        with pytest.raises(AssessmentError) as not_theirs:
            assessment_score(assessment_id=mine.pk, user=manager, indicator_code="morality", value="100", note="自评")
        assert (not_theirs.value.code, not_theirs.value.status) == ("not_the_manager", 403)
    assert Assessment.objects.count() == 1

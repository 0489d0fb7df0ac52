"""Rating a service and answering a bad rating, on the real calendar: a person of the served
organisation rates once on the five-step scale within the time to rate; a bad rating needs a
comment, gets the rule table's answer limit and is told to staff; staff answer it, the rater is told;
unanswered past its limit it raises an alert, yellow before and red after; and the satisfaction rate
counts an unrated service as satisfied once its time to rate is over."""
from datetime import timedelta
from decimal import Decimal

import pytest

from monitoring.models import AuditEntry
from monitoring.ratings.errors import RatingError
from monitoring.ratings.models import Level, Rating
from monitoring.ratings.selectors import satisfaction
from monitoring.ratings.services import rating_answer, rating_give
from monitoring.ratings.tests.conftest import at, china
from monitoring.supervision.models import Alert
from monitoring.supervision.services import alerts_sweep
from trading.models import Notification

pytestmark = pytest.mark.django_db
COMPLAINT = "答复内容与问题无关，未说明技术参数的具体要求。"
ANSWER = "经核查，答疑答复表述不清，已由经办人重新说明并发布澄清公告。"


def refused(code, call, **kwargs):
    with pytest.raises(RatingError) as caught:
        call(**kwargs)
    assert caught.value.code == code, caught.value.message
    return caught.value


def test_a_person_of_the_served_organisation_rates_a_service_once(answered, bidder_a, bidder_b, make_person, staff):
    with at(2026, 11, 2, 10, 0):
        (service,) = answered(bidder_a)
    colleague = make_person("bidder_a2", ["bidder"], organisation=bidder_a.organisation)
    with at(2026, 11, 3, 9, 0):
        assert refused("service_not_found", rating_give, service_id=service.pk, user=bidder_b, level=5).status == 404
        refused("service_not_found", rating_give, service_id=service.pk, user=staff, level=5)
        refused("level_invalid", rating_give, service_id=service.pk, user=bidder_a, level=6)
        refused("level_invalid", rating_give, service_id=service.pk, user=bidder_a, level="很好")
        refused("comment_required", rating_give, service_id=service.pk, user=bidder_a, level=2, comment="  ")
        assert not Rating.objects.exists()

        rating = rating_give(service_id=service.pk, user=bidder_a, level=Level.SATISFIED, comment="答复及时。")
        assert refused("already_rated", rating_give, service_id=service.pk, user=colleague, level=1,
                       comment=COMPLAINT).status == 409
    assert (rating.level, rating.comment, rating.rated_by, rating.rated_at, rating.answer_due_at) == (
        4, "答复及时。", bidder_a, china(2026, 11, 3, 9, 0), None)
    # A good rating is no news for staff; on the chain the rater is named in the data only.
    assert not Notification.objects.filter(kind="rating.bad").exists()
    event = AuditEntry.objects.get(kind="rating.given")
    assert (event.actor, event.subject, event.data["by"], event.data["level"], event.data["service"]) == (
        "withheld", f"service:{service.pk}", f"user:{bidder_a.pk}", 4, service.pk)
    assert "答复及时" not in str(event.data)


def test_the_time_to_rate_ends_five_working_days_after_the_service_on_the_real_calendar(answered, bidder_a):
    # Served on Tuesday 29 September 2026: the five working days are 30 September, 8, 9, 10 (the
    # make-up Saturday) and 12 October, after the National Day week.
    with at(2026, 9, 29, 10, 0):
        first, second = answered(bidder_a, n=2)
    with at(2026, 10, 12, 23, 59):
        rating_give(service_id=first.pk, user=bidder_a, level=Level.VERY_SATISFIED)
    with at(2026, 10, 13, 0, 0):
        error = refused("rating_closed", rating_give, service_id=second.pk, user=bidder_a, level=Level.SATISFIED)
    assert error.status == 409
    assert Rating.objects.count() == 1


def test_a_bad_rating_is_told_to_staff_answered_within_its_limit_and_the_answer_reaches_the_rater(
        answered, bidder_a, staff, make_person, regulator):
    other_staff = make_person("staff_2", ["staff"])
    with at(2026, 11, 2, 10, 0):
        (service,) = answered(bidder_a)
        rating = rating_give(service_id=service.pk, user=bidder_a, level=Level.DISSATISFIED, comment=COMPLAINT)
    # 15 working days from Monday 2 November: to 24:00 on Monday 23 November (no holiday between).
    assert rating.answer_due_at == china(2026, 11, 24, 0, 0)
    told = Notification.objects.filter(kind="rating.bad").order_by("user_id")
    assert [n.user for n in told] == [staff, other_staff]
    assert told[0].link == f"/ratings/#rating-{rating.pk}" and "不满意" in told[0].body_zh

    with at(2026, 11, 5, 15, 0):
        refused("not_staff", rating_answer, rating_id=rating.pk, user=bidder_a, answer=ANSWER)
        refused("not_staff", rating_answer, rating_id=rating.pk, user=regulator, answer=ANSWER)
        refused("answer_required", rating_answer, rating_id=rating.pk, user=staff, answer=" ")
        refused("rating_not_found", rating_answer, rating_id=rating.pk + 1000, user=staff, answer=ANSWER)
        rating_answer(rating_id=rating.pk, user=staff, answer=ANSWER)
        refused("already_answered", rating_answer, rating_id=rating.pk, user=other_staff, answer="再次答复")
    rating.refresh_from_db()
    assert (rating.answer, rating.answered_by, rating.answered_at) == (ANSWER, staff, china(2026, 11, 5, 15, 0))
    notice = Notification.objects.get(user=bidder_a, kind="rating.answered")
    assert notice.link == f"/ratings/mine/#service-{service.pk}"
    event = AuditEntry.objects.get(kind="rating.answered")
    assert (event.actor, event.data["late"], event.data["rating"]) == (f"user:{staff.pk}", False, rating.pk)


def test_an_unanswered_bad_rating_turns_yellow_then_red_and_resolves_when_answered(answered, bidder_a, staff,
                                                                                   regulator):
    with at(2026, 11, 2, 10, 0):
        (service,) = answered(bidder_a)
        rating = rating_give(service_id=service.pk, user=bidder_a, level=Level.VERY_DISSATISFIED, comment=COMPLAINT)
    alerts = Alert.objects.filter(rule="rating_answer")
    with at(2026, 11, 22, 23, 0):
        alerts_sweep()
        assert not alerts.exists()
    with at(2026, 11, 23, 9, 0):  # the last working day before the limit
        alerts_sweep()
    alert = alerts.get()
    assert (alert.level, alert.subject, alert.lot_id, alert.market_id, alert.due_at) == (
        "yellow", f"rating:{rating.pk}", service.lot_id, "procurement", china(2026, 11, 24))
    with at(2026, 11, 24, 0, 30):
        alerts_sweep()
    alert.refresh_from_db()
    assert alert.level == "red"
    assert Notification.objects.filter(user=regulator, kind="alert.red", link=f"/supervision/alerts/{alert.pk}/")

    with at(2026, 11, 24, 10, 0):
        rating_answer(rating_id=rating.pk, user=staff, answer=ANSWER)
        alerts_sweep()
    alert.refresh_from_db()
    assert alert.state == "resolved"
    assert AuditEntry.objects.get(kind="rating.answered").data["late"] is True


def test_a_good_rating_raises_no_alert(answered, bidder_a):
    with at(2026, 11, 2, 10, 0):
        (service,) = answered(bidder_a)
        rating_give(service_id=service.pk, user=bidder_a, level=Level.BASICALLY_SATISFIED)
    with at(2026, 12, 31, 10, 0):
        alerts_sweep()
    assert not Alert.objects.filter(rule="rating_answer").exists()


def test_satisfaction_counts_an_unrated_service_as_satisfied_once_its_five_working_days_are_over(
        answered, bidder_a, staff):
    with at(2026, 9, 29, 10, 0):
        services = answered(bidder_a, n=4)
    with at(2026, 9, 30, 10, 0):
        for service, level in zip(services, [Level.VERY_SATISFIED, Level.BASICALLY_SATISFIED, Level.DISSATISFIED]):
            rating_give(service_id=service.pk, user=bidder_a, level=level, comment=COMPLAINT)
    period = {"since": china(2026, 9, 1), "until": china(2026, 10, 1)}

    # Friday 9 October: ten calendar days on, but the National Day week leaves only three working days.
    with at(2026, 10, 9, 10, 0):
        figures = satisfaction(**period)
    assert (figures.rated, figures.satisfied, figures.unrated_satisfied, figures.counted) == (3, 2, 0, 3)
    assert figures.rate == Decimal(2) / Decimal(3)
    # Tuesday 13 October: the five working days are over; the unrated one counts as satisfied.
    with at(2026, 10, 13, 10, 0):
        figures = satisfaction(**period)
        assert satisfaction(**period, market="procurement") == figures
        assert satisfaction(**period, market="construction").counted == 0
        assert satisfaction(**period, rendered_by=f"user:{staff.pk}") == figures
        assert satisfaction(**period, rendered_by="user:0").counted == 0
        assert satisfaction(since=period["until"], until=china(2026, 11, 1)).rate is None
    assert (figures.rated, figures.satisfied, figures.unrated_satisfied, figures.counted) == (3, 2, 1, 4)
    assert figures.rate == Decimal("0.75")


def test_a_rating_given_at_the_last_moment_is_counted_as_given(answered, bidder_a):
    with at(2026, 11, 2, 10, 0):
        (service,) = answered(bidder_a)
    with at(2026, 11, 9, 23, 0):  # the fifth working day after Monday 2 November
        rating_give(service_id=service.pk, user=bidder_a, level=Level.VERY_DISSATISFIED, comment=COMPLAINT)
    with at(2026, 11, 20, 10, 0):
        figures = satisfaction(since=china(2026, 11, 1), until=china(2026, 12, 1))
    assert (figures.rated, figures.satisfied, figures.unrated_satisfied, figures.rate) == (1, 0, 0, Decimal(0))
    assert Rating.objects.get().answer_due_at - china(2026, 11, 9, 23, 0) > timedelta(days=15)

"""The demo's ratings: after loading, the sweep has read the demo's histories, two bidders have rated
the opening of the lot opened three days ago (one dissatisfied, awaiting the centre's answer), and
demo_bidder finds the same opening on its page, still to rate."""
from io import StringIO

import pytest
from django.core.management import call_command

from bidding import demo
from bidding.demo import EVALUATED
from monitoring.ratings.demo import demo_ratings_give
from monitoring.ratings.models import Rating, Service
from trading.models import Notification, User

pytestmark = pytest.mark.django_db


def test_the_demo_has_services_and_two_ratings_of_an_opening(monkeypatch, client):
    # monitoring's app registers the step at start-up; here, for this test alone.
    monkeypatch.setattr(demo, "_after_load", [demo_ratings_give])
    call_command("load_demo", stdout=StringIO())

    ratings = Rating.objects.select_related("rated_by", "service__lot__project")
    assert {(r.rated_by.username, r.level, r.service.kind, r.service.lot.project.code) for r in ratings} == {
        ("demo_bidder_2", 5, "opening", EVALUATED), ("demo_bidder_4", 2, "opening", EVALUATED)}
    bad = ratings.get(level=2)
    assert bad.answer_due_at is not None and bad.answered_at is None
    assert Notification.objects.filter(user__username="demo_staff", kind="rating.bad").exists()
    staff = User.objects.get(username="demo_staff")
    assert set(Service.objects.filter(kind="opening").values_list("rendered_by", flat=True)) == {f"user:{staff.pk}"}

    bidder = User.objects.get(username="demo_bidder")
    opening = Service.objects.get(kind="opening", lot__project__code=EVALUATED, organisation=bidder.organisation)
    client.force_login(bidder)
    page = client.get("/ratings/mine/").content.decode()
    assert f'action="/ratings/mine/{opening.pk}/rate/"' in page
    assert page.count('data-testid="service"') == Service.objects.filter(organisation=bidder.organisation).count() > 1

"""Staff create, review and publish a lot from the pages; the public portal shows it."""
from datetime import timedelta

import pytest
from django.urls import reverse

from tests.fixtures import PASSWORD, _uscc
from trading import clock
from trading.models import Lot, Organisation
from trading.workdays import CHINA


def _local(value):
    return clock.now().astimezone(CHINA).replace(tzinfo=None) + value


@pytest.mark.django_db
def test_staff_publish_from_the_pages_and_the_public_sees_it(client, staff, custodians):
    Organisation.objects.create(name="市第三中学", uscc=_uscc("12330100", 33), kind="tenderee")
    client.login(username="staff", password=PASSWORD)
    form = client.get(reverse("staff-project-create")).context["form"]
    procedure = next(p for p in form.fields["procedure"].queryset if p.market_id == "construction"
                     and p.code == "open_tender")
    deadline = _local(timedelta(days=22)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(reverse("staff-project-create"), {
        "code": "JS-P-1", "title": "教学楼改造", "procedure": procedure.pk,
        "tenderee": Organisation.objects.get(kind="tenderee").pk, "lot_title": "施工", "estimate": "5000000",
        "deposit": "100000", "documents_until": deadline, "bid_deadline": deadline})
    lot = Lot.objects.get(project__code="JS-P-1")
    assert response.status_code == 302 and response["Location"] == reverse("staff-lot", args=[lot.pk])
    assert lot.bid_deadline.astimezone(CHINA).strftime(
        "%Y-%m-%dT%H:%M") == deadline  # entered in China time
    assert client.get(reverse("lot-detail", args=[lot.pk])).status_code == 404  # not public yet

    client.post(reverse("staff-lot-action", args=[lot.pk, "submit"]))
    client.post(reverse("lot-publish-sealed", args=[lot.pk]), {
        "title": "教学楼改造施工招标公告", "body": "详见招标文件。", "custodians": [c.pk for c in custodians],
        "threshold": 2})
    assert Lot.objects.get(pk=lot.pk).status == Lot.Status.BIDDING

    client.post(reverse("logout"))
    listing = client.get(reverse("announcement-list"), {"q": "教学楼"}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "教学楼改造施工招标公告" in listing
    page = client.get(reverse("lot-detail", args=[lot.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "投标中" in page and "详见招标文件。" in page


@pytest.mark.django_db
def test_a_broken_rule_is_shown_to_staff_and_changes_nothing(client, staff, make_lot):
    lot = make_lot("construction", documents_until=clock.now() + timedelta(days=3))
    client.login(username="staff", password=PASSWORD)
    response = client.post(reverse("staff-lot-action", args=[lot.pk, "submit"]), follow=True,
                           HTTP_ACCEPT_LANGUAGE="en")
    assert "at least 5 calendar days" in response.content.decode()
    assert Lot.objects.get(pk=lot.pk).status == Lot.Status.DRAFT


@pytest.mark.django_db
def test_bidders_cannot_reach_staff_pages(client, bidder_a, make_lot):
    lot = make_lot("construction")
    client.post(reverse("login"), {"username": "bidder_a", "password": PASSWORD})
    assert client.get(reverse("staff-lot", args=[lot.pk])).status_code == 403
    assert client.post(reverse("staff-lot-action", args=[lot.pk, "submit"])).status_code == 403
    assert Lot.objects.get(pk=lot.pk).status == Lot.Status.DRAFT

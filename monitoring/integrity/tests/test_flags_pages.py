"""Who sees the red flags, and how: the regulator's list with filters, one flag with its evidence,
the lot's regulator page and the API, in Chinese and English; bidders, the public and the centre's
staff are refused."""
import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from monitoring.integrity.models import Flag
from monitoring.integrity.services_flags import flags_sweep
from trading.models import User

from .flags_helpers import after_opening, collusion_lot

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}


@pytest.fixture
def flagged(make_lot, publish_sealed, make_person, custodians):
    lot, bids = collusion_lot(make_lot, publish_sealed, make_person, custodians)
    with after_opening(lot):
        flags_sweep()
    return lot, bids


@pytest.fixture
def superuser(make_person):
    person = make_person("root", [])
    User.objects.filter(pk=person.pk).update(is_superuser=True)
    return User.objects.get(pk=person.pk)


def test_the_regulator_lists_the_flags_with_filters_in_both_languages(client, regulator, flagged):
    lot, bids = flagged
    client.force_login(regulator)
    page = client.get(reverse("regulator-flags"), **EN)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Red flags" in html and "Several bidders from one IP address" in html and lot.code in html
    assert html.count('data-flag="') == 3
    # The rule table beside it: every rule with its source.
    assert "OCP Cardinal R018" in html and "flag_price_pattern" in html
    zh = client.get(reverse("regulator-flags"), **ZH).content.decode()
    assert "市场" in zh and "筛选" in zh and zh.count('data-flag="') == 3

    only_ip = client.get(reverse("regulator-flags"), {"rule": "same_ip"}, **EN).content.decode()
    assert only_ip.count('data-flag="') == 1 and 'data-rule="same_ip"' in only_ip
    of_lot = client.get(reverse("regulator-flags"), {"lot": lot.pk + 1000}, **EN).content.decode()
    assert of_lot.count('data-flag="') == 0
    award = client.get(reverse("regulator-flags"), {"stage": "award"}, **EN).content.decode()
    assert award.count('data-flag="') == 0
    assert client.get(reverse("regulator-flags"), {"since": "not a day"}, **EN).status_code == 400


def test_one_flag_shows_its_evidence_and_links_to_the_data(client, regulator, flagged):
    lot, bids = flagged
    flag = Flag.objects.get(lot=lot, rule="price_progression")
    client.force_login(regulator)
    html = client.get(reverse("regulator-flag", args=[flag.pk]), **EN).content.decode()
    assert "Every price lies on one arithmetic progression, CNY 20,000.00 apart" in html
    for bid in bids:
        assert bid.organisation.name in html and bid.organisation.uscc in html and str(bid.receipt_id) in html
    assert "CNY 900,000.00" in html and "CNY 940,000.00" in html
    assert reverse("api-opening-record", args=[lot.pk]) in html
    assert reverse("api-integrity-flag", args=[flag.pk]) in html
    assert "at most 1/1000" in html and "at most 1%" in html  # the thresholds the check used
    ip = client.get(reverse("regulator-flag", args=[Flag.objects.get(lot=lot, rule="same_ip").pk]), **EN)
    assert "203.0.113.7" in ip.content.decode()
    metadata = client.get(reverse("regulator-flag", args=[Flag.objects.get(lot=lot, rule="same_metadata").pk]), **EN)
    assert "王五 · WPS Office · 2026-10-30 09:00:00" in metadata.content.decode()
    zh = client.get(reverse("regulator-flag", args=[flag.pk]), **ZH).content.decode()
    assert "900,000.00 元" in zh and "来源" in zh
    assert client.get(reverse("regulator-flag", args=[flag.pk + 1000])).status_code == 404


def test_the_lots_regulator_page_shows_its_flags(client, regulator, flagged):
    lot, _bids = flagged
    client.force_login(regulator)
    html = client.get(reverse("regulator-lot", args=[lot.pk]), **EN).content.decode()
    assert 'data-testid="lot-flags" data-flags="3"' in html
    assert "Checked at the opening on" in html and "Several bidders from one IP address" in html
    for flag in Flag.objects.filter(lot=lot):
        assert reverse("regulator-flag", args=[flag.pk]) in html


def test_bidders_the_public_and_staff_are_refused_pages_and_api(client, flagged, staff, make_person):
    lot, bids = flagged
    flag = Flag.objects.filter(lot=lot).first()
    bidder = bids[0].submitted_by
    pages = [reverse("regulator-flags"), reverse("regulator-flag", args=[flag.pk])]
    apis = [reverse("api-integrity-flags"), reverse("api-integrity-flag", args=[flag.pk]),
            reverse("api-integrity-checks")]
    for url in pages:
        assert client.get(url).status_code == 302  # the public: to the sign-in page
    for person in (bidder, staff):
        client.force_login(person)
        for url in pages:
            assert client.get(url).status_code == 403, (person, url)
    for person in (None, bidder, staff):
        api = APIClient()
        if person is not None:
            api.force_authenticate(person)
        for url in apis:
            assert api.get(url).status_code in (401, 403), (person, url)
    # Nothing of the flags reaches the public pages of the lot.
    client.logout()
    for url in (reverse("lot-detail", args=[lot.pk]), reverse("opening-page", args=[lot.pk])):
        html = client.get(url, **EN).content.decode()
        assert "203.0.113.7" not in html and "red flag" not in html.lower()


def test_the_api_gives_regulators_and_superusers_the_flags_and_the_checks(
        flagged, regulator, superuser, django_assert_num_queries):
    lot, bids = flagged
    for person in (regulator, superuser):
        api = APIClient()
        api.force_authenticate(person)
        listed = api.get(reverse("api-integrity-flags"), {"lot": lot.pk})
        assert listed.status_code == 200
        rows = listed.json()["results"]
        assert {row["rule"] for row in rows} == {"same_ip", "same_metadata", "price_progression"}
        row = next(row for row in rows if row["rule"] == "same_ip")
        assert row["lot_code"] == lot.code and row["market"] == "construction" and row["stage"] == "opening"
        assert row["evidence"]["groups"][0]["value"] == "203.0.113.7"
        assert [bid["bidder"] for bid in row["evidence"]["groups"][0]["bids"]] == [b.organisation.uscc for b in bids]
        assert row["source"] and row["rule_label"]
        detail = api.get(reverse("api-integrity-flag", args=[row["id"]])).json()
        assert detail == row
    checks = api.get(reverse("api-integrity-checks"), {"lot": lot.pk}).json()["results"]
    assert [(check["stage"], check["flags"]) for check in checks] == [("opening", 3)]
    assert checks[0]["thresholds"]["flag_submission_gap"]["amount"] == 60
    assert api.get(reverse("api-integrity-flags"), {"rule": "no_such_rule"}).status_code == 400
    assert api.get(reverse("api-integrity-flags"), {"market": "nowhere"}).status_code == 400
    assert api.get(reverse("api-integrity-flag", args=[0])).status_code == 404
    assert len(api.get(reverse("api-integrity-flags"), {"since": "2000-01-01", "until": "2000-01-02"})
               .json()["results"]) == 0
    # The list costs the same few queries however many flags it holds (session, count, page).
    with django_assert_num_queries(2):
        api.get(reverse("api-integrity-flags"))

"""Pages link only to what the reader may open: a lot page's actions by role, the staff pages, the
calendar's years. Every link a page shows answers (a sign-in redirect for someone anonymous)."""
import re

import pytest
from django.urls import reverse

from tests.fixtures import PASSWORD
from trading.services_calendar import FIRST_YEAR, LAST_YEAR

pytestmark = pytest.mark.django_db


def _lot_links(page: str) -> dict[str, str]:
    """The lot page's actions: data-testid (or the link's text) → href."""
    nav = re.search(r'<nav class="lot-links">(.*?)</nav>', page, re.S).group(1)
    return {(testid or text.strip()): href for href, testid, text in
            re.findall(r'<a href="([^"]+)"(?: data-testid="([^"]+)")?>([^<]*)</a>', nav)}


@pytest.fixture
def people(make_person, custodians):
    staff, supervisor, regulator = custodians[0], custodians[1], custodians[2]
    return {
        "anonymous": None,
        "bidder": make_person("bidder_li", ["bidder"], organisation="李记建设有限公司"),
        "staff": staff,
        "custodian": make_person("custodian_only", ["custodian"]),
        "expert": make_person("expert_zhao", ["expert"], resident_id="110105194912310054"),
        "supervisor": supervisor,
        "regulator": regulator,
    }


def test_each_role_sees_the_lot_actions_it_may_take_and_every_one_answers(client, make_lot, publish_sealed,
                                                                          people):
    lot = publish_sealed(make_lot("construction"))
    seen = {}
    for role, person in people.items():
        client.logout()
        if person is not None:
            client.force_login(person)
        links = _lot_links(client.get(reverse("lot-detail", args=[lot.pk])).content.decode())
        seen[role] = set(links)
        for name, href in links.items():
            response = client.get(href)
            assert response.status_code < 400, (role, name, href, response.status_code)
            if response.status_code in (301, 302):
                assert person is None and response["Location"].startswith(reverse("login")), (role, name)
    actions = {"registration-link", "bid-link", "objections-link", "complaints-link"}
    assert seen["bidder"] >= actions
    assert seen["staff"] & actions == {"objections-link"}
    assert seen["anonymous"] & actions == {"registration-link"}  # it asks them to sign in
    for role in ("custodian", "expert", "supervisor", "regulator"):
        assert not seen[role] & actions, role


def test_a_staff_lot_page_links_its_public_page_only_once_the_lot_is_public(client, make_lot, publish_sealed,
                                                                           people):
    draft, published = make_lot("construction"), publish_sealed(make_lot("construction"))
    client.force_login(people["staff"])
    assert f'href="{reverse("lot-detail", args=[draft.pk])}"' not in client.get(
        reverse("staff-lot", args=[draft.pk])).content.decode()
    public = reverse("lot-detail", args=[published.pk])
    assert f'href="{public}"' in client.get(reverse("staff-lot", args=[published.pk])).content.decode()
    assert client.get(public).status_code == 200


def test_the_calendar_links_no_year_outside_the_years_it_takes(client, staff):
    client.login(username="staff", password=PASSWORD)
    first = client.get(reverse("calendar-year", args=[FIRST_YEAR])).content.decode()
    last = client.get(reverse("calendar-year", args=[LAST_YEAR])).content.decode()
    assert f'href="{reverse("calendar-year", args=[FIRST_YEAR - 1])}"' not in first
    assert f'href="{reverse("calendar-year", args=[FIRST_YEAR + 1])}"' in first
    assert f'href="{reverse("calendar-year", args=[LAST_YEAR + 1])}"' not in last
    assert f'href="{reverse("calendar-year", args=[LAST_YEAR - 1])}"' in last

"""The header shows each person only the links their roles allow, each once, every one answering;
"My workbench" leads to the person's first workbench, and /workbench/ sends them there."""
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from monitoring.workbenches.tests.helpers import home_panel, nav_testids, section
from trading.models import Organisation

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
PUBLIC = ["nav-statistics", "nav-report"]
STAFF = ["nav-supervision", "nav-alerts", "nav-registrations", "nav-refunds", "nav-inquiries-to-answer",
         "nav-challenges", "nav-company-reviews", "nav-supervisor-registry", "nav-ratings", "nav-archive",
         "nav-availability"]
REGULATOR = ["nav-review", "nav-complaints", "nav-reports", "nav-inquiries", "nav-regulator-statistics",
             "nav-flags", "nav-patterns", "nav-ratings", "nav-archive", "nav-availability"]


def _header(client, user=None) -> str:
    if user is not None:
        client.force_login(user)
    return client.get(reverse("lot-list"), **EN).content.decode()


def _links(page: str) -> list[str]:
    """The header's test ids but the unread count (roles granted leave a notice)."""
    return [testid for testid in nav_testids(page) if testid != "unread"]


def _nav_hrefs(page: str) -> list[str]:
    """Where the header's links lead, the account part (the person's name, the unread count) left out."""
    nav = re.search(r"<nav[^>]*>(.*?)</nav>", page, re.S).group(1)
    return re.findall(r'<a href="([^"]+)"', nav.split('class="who"')[0])


@pytest.fixture
def tenderee_member(make_person):
    tenderee = Organisation.objects.create(name="市第一人民医院", uscc="12330100MA00009005", kind="tenderee")
    return make_person("hospital_rep", [], organisation=tenderee)


@pytest.mark.parametrize(("username", "roles", "expected"), [
    ("bidder", ["bidder"], [*PUBLIC, "nav-workbenches", "nav-my-complaints", "nav-my-services", "nav-company"]),
    ("staffer", ["staff"], [*PUBLIC, "nav-workbenches", *STAFF]),
    ("manager", ["staff", "staff_manager"], [*PUBLIC, "nav-workbenches", *STAFF, "nav-assessment"]),
    ("reg", ["regulator"], [*PUBLIC, "nav-workbenches", "nav-supervision", "nav-alerts", *REGULATOR]),
    ("reg_keeper", ["regulator", "custodian"], [*PUBLIC, "nav-workbenches", "nav-supervision", "nav-alerts",
                                                 *REGULATOR]),
    ("expert", ["expert"], [*PUBLIC, "nav-workbenches", "nav-panel"]),
    ("keeper", ["custodian"], [*PUBLIC, "nav-workbenches"]),
    ("watcher", ["supervisor"], [*PUBLIC, "nav-workbench"]),  # the registry's workbench is theirs
    ("guard", ["security_admin"], [*PUBLIC, "nav-security"]),
])
def test_each_role_sees_its_own_links_once_and_each_answers(client, make_person, username, roles, expected):
    extra = {"organisation": "甲建设有限公司"} if "bidder" in roles else {}
    if "supervisor" in roles or "expert" in roles:
        extra["resident_id"] = "11010519491231002X"
    user = make_person(username, roles, **extra)
    page = _header(client, user)
    assert _links(page) == [*expected, "who"]
    hrefs = _nav_hrefs(page)
    assert len(hrefs) == len(set(hrefs)), "a link is shown twice"
    for href in hrefs:
        response = client.get(href)
        assert response.status_code in (200, 302), f"{href} answers {response.status_code} to {username}"
        if response.status_code == 302:
            assert client.get(response["Location"]).status_code == 200


def test_anonymous_visitors_see_the_public_links_and_signing_in(client):
    page = _header(client)
    assert nav_testids(page) == [*PUBLIC, "nav-sign-up"]
    assert reverse("login") in _nav_hrefs(page) and 'data-testid="nav-workbenches"' not in page


def test_a_tenderee_s_representative_has_the_panels_and_their_workbench(client, tenderee_member):
    assert _links(_header(client, tenderee_member)) == [*PUBLIC, "nav-workbenches", "nav-panel", "who"]
    assert client.get(reverse("workbench-expert")).status_code == 200


def test_a_link_two_audiences_allow_is_shown_once(client, make_person):
    tenderee = Organisation.objects.create(name="市自然资源和规划局", uscc="11330100MB0000100X", kind="tenderee")
    expert = make_person("expert_rep", ["expert"], organisation=tenderee, resident_id="11010519491231002X")
    assert _links(_header(client, expert)) == [*PUBLIC, "nav-workbenches", "nav-panel", "who"]


def test_the_workbench_link_goes_to_the_first_workbench_and_marks_the_page_shown(client, make_person):
    regulator = make_person("reg_custodian", ["regulator", "custodian"])
    client.force_login(regulator)
    assert client.get(reverse("workbench"))["Location"] == reverse("workbench-regulator")
    page = client.get(reverse("workbench-regulator"), **EN).content.decode()
    assert (f'<a href="{reverse("workbench-regulator")}" data-testid="nav-workbenches" aria-current="page">'
            "My workbench</a>") in page
    tabs = re.search(r'data-testid="workbench-tabs">(.*?)</nav>', page, re.S).group(1)
    assert reverse("workbench-custodian") in tabs and "Key custodian workspace" in tabs
    assert client.get(reverse("workbench-custodian")).status_code == 200


def test_the_workbench_address_sends_anonymous_people_to_sign_in_and_the_roleless_to_their_account(
        client, make_person):
    response = client.get(reverse("workbench"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    client.force_login(make_person("nobody", []))
    assert client.get(reverse("workbench"))["Location"] == reverse("account")


def test_the_header_costs_visitors_no_query_and_a_bidder_its_roles_and_organisation(client, bidder_a):
    def header_queries() -> list[str]:
        with CaptureQueriesContext(connection) as queries:
            client.get(reverse("announcement-list"))
        return [q["sql"] for q in queries if "trading_userrole" in q["sql"] or "trading_organisation" in q["sql"]]

    assert header_queries() == []
    client.force_login(bidder_a)
    assert len(header_queries()) == 2


def test_the_home_page_part_of_each_role_in_chinese(make_person):
    person = make_person("many", ["bidder", "company_admin", "expert"], organisation="甲建设有限公司",
                         resident_id="11010519491231002X")
    panel = home_panel(person, "zh-hans")
    assert "<h2>投标人工作台</h2>" in section(panel, "home-bidder")
    assert "<h2>评标专家工作台</h2>" in section(panel, "home-expert")
    assert 'data-testid="home-company_admin"' in panel and 'data-testid="home-staff"' not in panel
    assert reverse("company-mine") in section(panel, "home-company_admin")
    assert "<h2>" in panel and 'data-testid="no-role"' not in panel
    assert 'data-testid="no-role"' in home_panel(make_person("nobody", []))

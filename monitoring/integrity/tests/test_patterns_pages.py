"""The regulators' patterns page and a finding's page (Chinese and English), the API, and turning a
finding into an inquiry to the bidder concerned; everyone else is refused."""
import re

import pytest
from django.db.models.functions import Coalesce
from rest_framework.test import APIClient

from monitoring.integrity.models import Finding
from monitoring.integrity.patterns import COVER
from monitoring.integrity.services_patterns import PatternError, finding_refer, patterns_analyse
from monitoring.integrity.tests.patterns_history import plan_clean, plan_write, plant_cover_ring
from monitoring.integrity.tests.test_patterns_nightly import SEED, at
from monitoring.models import AuditEntry
from supervisors.regulation.errors import RegulationError
from supervisors.regulation.models import Inquiry
from trading.models import Lot

pytestmark = pytest.mark.django_db


@pytest.fixture
def analysed(make_person):
    """A history of 200 lots with a cover ring, analysed on 10 March 2026."""
    clerk = make_person("history_clerk", ["bidder"], organisation="历史记录公司")
    plan = plan_clean(SEED)
    plant_cover_ring(plan, lots=24, covers=3)
    plan_write(plan, user=clerk)
    with at(2026, 3, 10, 2, 30):
        return patterns_analyse()


@pytest.fixture
def cover(analysed):
    return Finding.objects.filter(run=analysed, pattern=COVER).order_by("pk").first()


def latest_lot(finding, organisation_id):
    lots = Lot.objects.filter(pk__in=[lot["id"] for lot in finding.lots],
                              registrations__organisation_id=organisation_id)
    return lots.order_by(Coalesce("bid_deadline", "listing_end").desc(), "-pk").first()


def test_the_page_lists_the_latest_run_by_pattern_with_fences(client, analysed, regulator):
    client.force_login(regulator)
    page = client.get("/regulator/patterns/", HTTP_ACCEPT_LANGUAGE="en")
    text = page.content.decode()
    assert page.status_code == 200
    assert f'data-run="{analysed.pk}"' in text and '<td data-testid="run-lots">200</td>' in text
    assert re.findall(r'<section data-pattern="(\w+)">', text) == [
        "cluster", "cover", "rotation", "win_rate", "single_bid"]
    cover_section = text.split('<section data-pattern="cover">')[1].split("</section>")[0]
    assert cover_section.count("<tr data-finding=") == 3 and cover_section.count('data-testid="new"') == 3
    assert "Cover bidders (陪标)" in cover_section and "Cardinal R025" in cover_section
    upper = analysed.thresholds["cover"]["fence"]["upper"]
    assert f'<td data-testid="fence-upper">{upper}</td>' in cover_section
    assert "no win, " in cover_section and "just above the winner" in cover_section
    rotation = text.split('<section data-pattern="rotation">')[1].split("</section>")[0]
    assert 'data-testid="none"' in rotation
    zh = client.get("/regulator/patterns/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert '<html lang="zh-hans">' in zh and "<th>市场</th>" in zh and "<th>招标人</th>" in zh


def test_before_any_run_the_page_says_so(client, regulator):
    client.force_login(regulator)
    text = client.get("/regulator/patterns/").content.decode()
    assert 'data-testid="no-run"' in text
    assert client.get("/regulator/patterns/", {"run": "999999"}).status_code == 404


def test_only_regulators_see_the_patterns(client, analysed, cover, staff, bidder_a):
    assert client.get("/regulator/patterns/").status_code == 302  # to sign in
    for person in (staff, bidder_a):
        client.force_login(person)
        assert client.get("/regulator/patterns/").status_code == 403
        assert client.get(f"/regulator/patterns/{cover.pk}/").status_code == 403
    client.force_login(staff)
    assert client.post(f"/regulator/patterns/{cover.pk}/", {"question": "说明情况"}).status_code == 403
    assert AuditEntry.objects.filter(kind="regulation.refused", data__action="finding_refer").count() == 1
    api = APIClient()
    assert api.get("/api/v1/integrity/patterns/").status_code in (401, 403)
    api.force_login(bidder_a)
    assert api.get("/api/v1/integrity/patterns/").status_code == 403
    assert api.get(f"/api/v1/integrity/patterns/{cover.pk}/").status_code == 403
    refused = api.post(f"/api/v1/integrity/patterns/{cover.pk}/refer/", {"question": "说明情况"}, format="json")
    assert (refused.status_code, refused.json()["code"]) == (403, "not_regulator")
    assert not Inquiry.objects.exists() and Finding.objects.get(pk=cover.pk).inquiry is None


def test_the_finding_page_shows_its_evidence(client, cover, regulator):
    client.force_login(regulator)
    text = client.get(f"/regulator/patterns/{cover.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    bidder, winner = cover.organisations[:2]
    assert (f'<tr data-uscc="{bidder["uscc"]}"><td>{bidder["name"]}</td><td>{bidder["uscc"]}</td>'
            '<td>cover bidder</td>') in text
    assert f'<tr data-uscc="{winner["uscc"]}"><td>{winner["name"]}</td>' in text
    for lot in cover.evidence["lots"]:
        assert f'<a href="/regulator/lots/{lot["id"]}/" data-lot="{lot["id"]}">{lot["code"]}</a>' in text
    assert "Above the winner" in text and "CNY " in text and 'data-testid="refer-form"' in text
    assert f"{cover.evidence['close']}" in text
    zh = client.get(f"/regulator/patterns/{cover.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert " 元" in zh and "<th>市场</th>" in zh


def test_a_regulator_turns_a_finding_into_an_inquiry_on_its_page(client, cover, regulator):
    bidder = cover.organisations[0]
    client.force_login(regulator)
    with at(2026, 3, 11, 10, 0):
        response = client.post(f"/regulator/patterns/{cover.pk}/", {
            "organisation": bidder["id"], "question": "请说明贵公司在上述标段中的报价依据。"})
    assert response.status_code == 302 and response["Location"] == f"/regulator/patterns/{cover.pk}/"
    cover.refresh_from_db()
    inquiry = cover.inquiry
    assert inquiry.organisation_id == bidder["id"] and inquiry.lot == latest_lot(cover, bidder["id"])
    assert inquiry.question == "请说明贵公司在上述标段中的报价依据。" and inquiry.asked_by == regulator
    assert cover.referred_by == regulator and cover.referred_at is not None
    event = AuditEntry.objects.get(kind="integrity.finding_referred")
    assert (event.subject, event.actor) == ("patterns", f"user:{regulator.pk}")
    assert event.data | {"question_sha256": ""} == {
        "finding": cover.pk, "run": cover.run_id, "pattern": "cover", "inquiry": inquiry.pk, "lot": inquiry.lot_id,
        "organisation": bidder["id"], "question_sha256": ""}
    assert AuditEntry.objects.filter(kind="inquiry.asked", subject=f"inquiry:{inquiry.pk}").exists()
    page = client.get(f"/regulator/patterns/{cover.pk}/").content.decode()
    assert 'data-testid="referred"' in page and f'href="/inquiries/{inquiry.pk}/"' in page
    assert 'data-testid="refer-form"' not in page
    again = client.post(f"/regulator/patterns/{cover.pk}/", {"organisation": bidder["id"], "question": "再问一次"})
    assert again.status_code == 409 and Inquiry.objects.count() == 1


def test_a_referral_to_the_centre_goes_to_the_findings_latest_lot(cover, regulator):
    with at(2026, 3, 11, 10, 0):
        finding = finding_refer(finding_id=cover.pk, regulator=regulator, question="请中心说明。")
    lots = Lot.objects.filter(pk__in=[lot["id"] for lot in cover.lots])
    assert finding.inquiry.organisation is None
    assert finding.inquiry.lot == lots.order_by(Coalesce("bid_deadline", "listing_end").desc(), "-pk").first()


def test_bad_referrals_change_nothing(client, analysed, cover, regulator, bidder_a):
    others = Finding.objects.exclude(pk=cover.pk).exclude(pattern=COVER).first()
    stranger = next(o["id"] for o in others.organisations if o["id"] not in {x["id"] for x in cover.organisations})
    with pytest.raises(PatternError) as refused:
        finding_refer(finding_id=cover.pk, regulator=regulator, question="说明", organisation_id=stranger)
    assert refused.value.code == "organisation_not_concerned"
    with pytest.raises(PatternError) as refused:
        finding_refer(finding_id=cover.pk, regulator=regulator, question="   ")
    assert refused.value.code == "question_required"
    with pytest.raises(PatternError) as refused:
        finding_refer(finding_id=999999, regulator=regulator, question="说明")
    assert (refused.value.code, refused.value.status) == ("finding_not_found", 404)
    with pytest.raises(RegulationError) as refused:
        finding_refer(finding_id=cover.pk, regulator=bidder_a, question="说明")
    assert refused.value.code == "not_regulator"
    client.force_login(regulator)
    page = client.post(f"/regulator/patterns/{cover.pk}/", {"organisation": stranger, "question": "说明"})
    assert page.status_code == 400  # not among the form's choices
    assert not Inquiry.objects.exists() and not AuditEntry.objects.filter(kind="integrity.finding_referred").exists()


def test_the_api_reads_the_latest_run_and_refers(analysed, cover, regulator, django_assert_num_queries):
    api = APIClient()
    api.force_login(regulator)
    # The session, the user, their second factor, their roles, the run, the findings with markets and tenderees.
    with django_assert_num_queries(6):
        body = api.get("/api/v1/integrity/patterns/").json()
    assert body["run"]["id"] == analysed.pk and body["run"]["lots"] == 200
    assert body["run"]["thresholds"]["cover"]["fence"] == analysed.thresholds["cover"]["fence"]
    assert len(body["findings"]) == analysed.findings
    covers = api.get("/api/v1/integrity/patterns/", {"pattern": "cover"}, HTTP_ACCEPT_LANGUAGE="en").json()["findings"]
    assert {f["key"] for f in covers} == set(Finding.objects.filter(pattern=COVER).values_list("key", flat=True))
    one = next(f for f in covers if f["id"] == cover.pk)
    assert one["pattern_label"] == "Cover bidders (陪标)" and one["evidence"]["wins"] == 0
    assert one["organisations"][0]["role"] == "cover" and one["lots"] == cover.lots
    bad = api.get("/api/v1/integrity/patterns/", {"pattern": "collusion"})
    assert (bad.status_code, bad.json()["code"]) == (400, "pattern_unknown")
    assert api.get("/api/v1/integrity/patterns/999999/").json()["code"] == "finding_not_found"
    with at(2026, 3, 11, 10, 0):
        referred = api.post(f"/api/v1/integrity/patterns/{cover.pk}/refer/", {
            "organisation": cover.organisations[0]["id"], "question": "请说明报价依据。",
            "due_at": "2026-03-20T17:00:00+08:00"}, format="json")
    assert referred.status_code == 200 and referred.json()["inquiry"] == Inquiry.objects.get().pk
    assert Inquiry.objects.get().due_at.isoformat() == "2026-03-20T09:00:00+00:00"
    again = api.post(f"/api/v1/integrity/patterns/{cover.pk}/refer/", {"question": "再问"}, format="json")
    assert (again.status_code, again.json()["code"]) == (409, "finding_referred")
    assert api.post(f"/api/v1/integrity/patterns/{cover.pk}/refer/", {}, format="json").status_code == 400


def test_the_api_before_any_run(regulator):
    api = APIClient()
    api.force_login(regulator)
    assert api.get("/api/v1/integrity/patterns/").json() == {"run": None, "findings": []}


def test_the_schema_documents_the_patterns_api(client):
    schema = client.get("/api/schema/", {"format": "json"}).json()
    assert {"/api/v1/integrity/patterns/", "/api/v1/integrity/patterns/{finding_id}/",
            "/api/v1/integrity/patterns/{finding_id}/refer/"} <= set(schema["paths"])
    refer = schema["paths"]["/api/v1/integrity/patterns/{finding_id}/refer/"]["post"]["responses"]
    assert refer["409"]["content"]["application/json"]["schema"]["$ref"] == "#/components/schemas/Error"

"""The public reporting channel (网上举报): anyone files a report with evidence and gets a case number
and a private follow link; regulators triage, answer and close; the reporter rates the answer once.
Who reported and how to reach them is shown to regulators only: never on the follow page, to a
bidder or to staff, nor in the audit chain."""
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from monitoring.models import AuditEntry
from supervisors.regulation.errors import RegulationError
from supervisors.regulation.models import PublicReport
from supervisors.regulation.services import (EvidenceUpload, public_report_answer, public_report_close,
                                             public_report_file, public_report_rate, public_report_triage)
from trading.models import Notification
from trading.storage import get_storage

pytestmark = pytest.mark.django_db

TEXT = "开标前有人私下联系投标人，要求抬高报价。"
CONTACT = "13912345678"
ANSWER = "经核查，已责令招标人整改并约谈相关人员。"
PDF = b"%PDF-1.4\n% evidence\n" + bytes(range(256)) * 4
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _upload(data: bytes, name: str) -> EvidenceUpload:
    return EvidenceUpload(stream=io.BytesIO(data), name=name, length=len(data))


def _events() -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(subject__startswith="report:").order_by("id"))


def test_an_anonymous_report_is_triaged_answered_closed_and_rated(lot, regulator, staff):
    report = public_report_file(text=TEXT, lot_id=lot.pk, contact=CONTACT,
                                evidence=[_upload(PDF, "录音整理.pdf"), _upload(PNG, "截图.png")])
    assert re.fullmatch(r"JB-\d{4}-\d{6}", report.case_number) and len(report.follow_token) >= 40
    assert (report.status, report.reporter, report.contact, report.lot) == ("received", None, CONTACT, lot)
    assert [(item["name"], item["content_type"], item["size"]) for item in report.evidence] == [
        ("录音整理.pdf", "application/pdf", len(PDF)), ("截图.png", "image/png", len(PNG))]
    assert get_storage().get(report.evidence[0]["key"]).read() == PDF
    notice = Notification.objects.get(user=regulator, kind="report.filed")
    assert report.case_number in notice.title_en and notice.link == reverse("regulator-report", args=[report.pk])
    assert not Notification.objects.filter(user=staff, kind="report.filed").exists()

    public_report_triage(report_id=report.pk, regulator=regulator, note="涉嫌串通投标，转稽查")
    with pytest.raises(RegulationError) as early:
        public_report_rate(token=report.follow_token, rating=4)
    assert early.value.code == "not_answered"
    answered = public_report_answer(report_id=report.pk, regulator=regulator, answer=ANSWER)
    assert (answered.status, answered.answered_by) == ("answered", f"user:{regulator.pk}")
    rated = public_report_rate(token=report.follow_token, rating=4)
    assert (rated.rating, rated.status) == (4, "answered")
    with pytest.raises(RegulationError) as twice:
        public_report_rate(token=report.follow_token, rating=5)
    assert twice.value.code == "already_rated"
    closed = public_report_close(report_id=report.pk, regulator=regulator)
    assert (closed.status, closed.answer, closed.rating) == ("closed", ANSWER, 4) and closed.closed_at

    assert [(e.kind, e.actor) for e in _events()] == [
        ("report.filed", "public"), ("report.triaged", f"user:{regulator.pk}"),
        ("report.answered", f"user:{regulator.pk}"), ("report.rated", "public"),
        ("report.closed", f"user:{regulator.pk}")]
    assert _events()[0].data == {"case": report.case_number, "lot": lot.pk}
    assert not any(CONTACT in str(e.data) for e in AuditEntry.objects.all())


def test_a_signed_in_reporter_is_known_to_regulators_only_and_told_of_the_answer(client, lot, regulator, staff,
                                                                               bidder_a, bidder_b):
    report = public_report_file(text=TEXT, lot_id=lot.pk, reporter=bidder_b, contact=CONTACT)
    assert report.reporter == bidder_b
    filed = AuditEntry.objects.get(kind="report.filed")
    assert (filed.actor, filed.data) == ("public", {"case": report.case_number, "lot": lot.pk})

    client.force_login(regulator)
    page = client.get(reverse("regulator-report", args=[report.pk])).content.decode()
    assert bidder_b.username in page and CONTACT in page and bidder_b.organisation.name in page
    assert CONTACT in client.get(reverse("regulator-reports")).content.decode()
    for outsider in (bidder_a, staff, bidder_b):
        client.force_login(outsider)
        assert client.get(reverse("regulator-report", args=[report.pk])).status_code == 403
        assert client.get(reverse("regulator-reports")).status_code == 403
    client.logout()
    follow = client.get(reverse("report-follow", args=[report.follow_token]))
    assert follow.status_code == 200 and follow["Cache-Control"] == "private, no-store"
    page = follow.content.decode()
    assert report.case_number in page and TEXT in page
    assert CONTACT not in page and bidder_b.username not in page and str(bidder_b) not in page
    assert client.get(reverse("report-follow", args=["not-a-token"])).status_code == 404

    public_report_triage(report_id=report.pk, regulator=regulator)
    public_report_answer(report_id=report.pk, regulator=regulator, answer=ANSWER)
    notice = Notification.objects.get(user=bidder_b, kind="report.answered")
    assert notice.link == reverse("report-follow", args=[report.follow_token])


def test_bad_reports_are_refused_and_store_nothing(lot, make_lot):
    cases = [
        ({"text": TEXT}, "contact_required"),
        ({"text": "  ", "contact": CONTACT}, "text_required"),
        ({"text": TEXT, "contact": CONTACT, "evidence": [_upload(b"MZ\x90\x00", "run.exe")]}, "evidence_type"),
        ({"text": TEXT, "contact": CONTACT, "evidence": [_upload(b"", "empty.pdf")]}, "evidence_empty"),
        ({"text": TEXT, "contact": CONTACT, "evidence": [_upload(PDF, f"{n}.pdf") for n in range(6)]},
         "evidence_too_many"),
        ({"text": TEXT, "contact": CONTACT, "evidence": [EvidenceUpload(io.BytesIO(PDF), "big.pdf", 11 << 20)]},
         "evidence_too_large"),
        ({"text": TEXT, "contact": CONTACT, "lot_id": make_lot("construction").pk}, "lot_not_found"),
    ]
    for arguments, code in cases:
        with pytest.raises(RegulationError) as refused:
            public_report_file(**arguments)
        assert refused.value.code == code, arguments
    assert not PublicReport.objects.exists() and not AuditEntry.objects.filter(kind="report.filed").exists()
    general = public_report_file(text=TEXT, contact=CONTACT)
    assert general.lot is None


def test_only_regulators_handle_reports_and_steps_keep_their_order(regulator, staff, bidder_a):
    report = public_report_file(text=TEXT, contact=CONTACT)
    for intruder in (staff, bidder_a):
        for step in (public_report_triage, public_report_close):
            with pytest.raises(RegulationError) as refused:
                step(report_id=report.pk, regulator=intruder)
            assert refused.value.code == "not_regulator"
    assert AuditEntry.objects.filter(kind="regulation.refused").count() == 4
    with pytest.raises(RegulationError) as untriaged:
        public_report_answer(report_id=report.pk, regulator=regulator, answer=ANSWER)
    assert untriaged.value.code == "report_status"
    with pytest.raises(RegulationError) as silent:
        public_report_close(report_id=report.pk, regulator=regulator)
    assert silent.value.code == "text_required"
    closed = public_report_close(report_id=report.pk, regulator=regulator, answer="不属于本部门职责，请向市场监管局反映。")
    assert (closed.status, closed.answered_by) == ("closed", f"user:{regulator.pk}")
    assert public_report_rate(token=report.follow_token, rating=2).rating == 2
    with pytest.raises(RegulationError) as bad:
        public_report_rate(token=report.follow_token, rating=6)
    assert bad.value.code == "rating_invalid"


def test_pages_anyone_files_from_a_lot_and_a_regulator_works_the_case(client, lot, regulator):
    page = client.get(reverse("lot-detail", args=[lot.pk])).content.decode()
    link = re.search(r'<a href="([^"]+)" data-testid="report-link">', page).group(1)
    form = client.get(link.replace("&amp;", "&")).content.decode()
    assert 'data-testid="report-lot"' in form and f'value="{lot.code}"' in form
    assert client.post(reverse("report-file"), {"lot_code": lot.code, "text": TEXT}).status_code == 400
    response = client.post(reverse("report-file"), {
        "lot_code": lot.code, "text": TEXT, "contact": CONTACT,
        "evidence": [SimpleUploadedFile("现场照片.png", PNG, content_type="image/png")]})
    report = PublicReport.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("report-filed", args=[report.follow_token])
    filed = client.get(response["Location"]).content.decode()
    assert report.case_number in filed and reverse("report-follow", args=[report.follow_token]) in filed
    assert report.lot == lot and report.evidence[0]["name"] == "现场照片.png"

    client.force_login(regulator)
    assert report.case_number in client.get(reverse("regulator-reports") + "?status=received").content.decode()
    assert report.case_number not in client.get(reverse("regulator-reports") + "?status=closed").content.decode()
    download = client.get(reverse("regulator-report-evidence", args=[report.pk, 0]))
    assert b"".join(download.streaming_content) == PNG and "sandbox" in download["Content-Security-Policy"]
    assert client.get(reverse("regulator-report-evidence", args=[report.pk, 1])).status_code == 404
    step = "regulator-report-step"
    assert client.post(reverse(step, args=[report.pk, "triage"]), {"note": "转稽查"}).status_code == 302
    assert client.post(reverse(step, args=[report.pk, "answer"]), {"answer": ""}).status_code == 400
    assert client.post(reverse(step, args=[report.pk, "answer"]), {"answer": ANSWER}).status_code == 302
    client.logout()
    follow = reverse("report-follow", args=[report.follow_token])
    assert 'data-testid="rating-form"' in client.get(follow).content.decode()
    assert client.post(reverse("report-rate", args=[report.follow_token]), {"rating": "5"}).status_code == 302
    assert 'data-rating="5"' in client.get(follow).content.decode()
    client.force_login(regulator)
    assert client.post(reverse(step, args=[report.pk, "close"]), {}).status_code == 302
    assert PublicReport.objects.get().status == "closed"


def test_api_file_anonymously_follow_rate_and_the_regulators_steps(lot, regulator, bidder_a,
                                                                   django_assert_num_queries):
    public = APIClient()
    filed = public.post(reverse("api-reports"), {
        "text": TEXT, "lot": lot.pk, "contact": CONTACT,
        "evidence": [SimpleUploadedFile("a.pdf", PDF, content_type="application/pdf")]}, format="multipart")
    assert filed.status_code == 201, filed.json()
    token, case = filed.json()["follow_token"], filed.json()["case_number"]
    assert filed.json()["follow_url"] == reverse("report-follow", args=[token])
    refused = public.post(reverse("api-reports"), {"text": TEXT}, format="multipart")
    assert (refused.status_code, refused.json()["code"]) == (400, "contact_required")
    followed = public.get(reverse("api-report-follow", args=[token])).json()
    assert followed["case_number"] == case and "contact" not in followed and "reporter" not in followed

    staff_side = APIClient()
    staff_side.force_authenticate(bidder_a)
    assert staff_side.get(reverse("api-reports")).status_code == 403
    assert staff_side.post(reverse("api-report-triage", args=[1]), {}, format="json").json()["code"] == "not_regulator"
    regulators = APIClient()
    regulators.force_authenticate(regulator)
    (listed,) = regulators.get(reverse("api-reports") + "?status=received").json()["results"]
    assert (listed["case_number"], listed["contact"], listed["reporter"]) == (case, CONTACT, None)
    report_id = listed["id"]
    assert regulators.post(reverse("api-report-triage", args=[report_id]), {}, format="json").status_code == 200
    answered = regulators.post(reverse("api-report-answer", args=[report_id]), {"answer": ANSWER}, format="json")
    assert answered.json()["status"] == "answered"
    rated = public.post(reverse("api-report-rating", args=[token]), {"rating": 3}, format="json")
    assert (rated.status_code, rated.json()["rating"]) == (200, 3)
    assert public.post(reverse("api-report-rating", args=[token]), {"rating": 3}, format="json").status_code == 409
    assert regulators.get(reverse("api-report", args=[report_id])).json()["rating"] == 3
    public_report_file(text=TEXT, reporter=bidder_a)
    with django_assert_num_queries(2):  # the count, the page with lots and reporters (roles are cached)
        listed = regulators.get(reverse("api-reports")).json()["results"]
    assert [r["reporter"] for r in listed] == [bidder_a.username, None], "waiting reports first"

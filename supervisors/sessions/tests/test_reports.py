"""The observation report: every checklist item answered, locked once filed, signed with the
platform key, checked offline by ``python -m supervisors.verify report`` — which fails on one
changed byte."""
import hashlib
import io
import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from rest_framework.test import APIClient

from bidding.crypto import receipts
from bidding.crypto.canonical import canonical_json
from monitoring.models import AuditEntry
from supervisors.registry.models import SessionKind
from supervisors.services import observation_note_save
from supervisors.sessions.models import ObservationReport
from supervisors.sessions.rules import checklist_items
from supervisors.sessions.selectors import report_file, seat_reports
from supervisors.sessions.services import observation_report_submit
from trading import signing
from trading.errors import PlatformError
from trading.models import User
from trading.storage import get_storage
from trading.workdays import add_working_days, day_end, local_day

pytestmark = pytest.mark.django_db
ROOT = Path(settings.BASE_DIR)
PDF = b"%PDF-1.4\n% a photograph of the opening room's sign-in sheet\n"


def all_yes(kind=SessionKind.OPENING) -> dict:
    return {code: "yes" for code, _label in checklist_items(kind)}


def submit(seat, user, **overrides):
    values = {"assignment_id": seat.pk, "user": user, "checklist": all_yes(), "issues": "", "rating": 4,
              "text": "开标过程规范", "signed_off": True}
    values.update(overrides)
    return observation_report_submit(**values)


def refused(**kwargs) -> PlatformError:
    with pytest.raises(PlatformError) as caught:
        submit(**kwargs)
    return caught.value


@pytest.fixture
def blocked(tmp_path_factory) -> Path:
    """Packages that fail on import, put first on the path: the verifier must not need Django."""
    blocked = tmp_path_factory.mktemp("blocked")
    for name in ("django", "config", "monitoring", "trading", "environ", "rest_framework"):
        (blocked / name).mkdir()
        (blocked / name / "__init__.py").write_text(f"raise ImportError('{name} must not be imported')\n")
    return blocked


def verify(blocked: Path, report: Path, key: Path) -> subprocess.CompletedProcess:
    environment = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONPATH": f"{blocked}{os.pathsep}{ROOT}"}
    return subprocess.run([sys.executable, "-m", "supervisors.verify", "report", str(report), "--key", str(key)],
                          cwd=ROOT, env=environment, capture_output=True, text=True, timeout=60)


def test_a_filed_report_is_locked_signed_and_verifies_offline(live_lot, seat, supervisor, staff, after_opening,
                                                               blocked, tmp_path, settings):
    settings.S3_ENDPOINT_URL = None
    settings.PLATFORM_STORAGE_DIR = tmp_path / "objects"
    observation_note_save(lot_id=live_lot.pk, user=supervisor, text="草稿")
    with time_machine.travel(after_opening, tick=False):
        report = submit(seat, supervisor, issues="投标人签到表有一处涂改", rating=4,
                        attachments=[io.BytesIO(PDF)], text="开标过程规范，签到表涂改已由工作人员说明")

    body = json.loads(report.payload)["body"]
    assert report.payload == canonical_json(json.loads(report.payload)).decode()
    assert receipts.signed_verify({"document": json.loads(report.payload), "signature": report.signature},
                                  "observation-report", signing.public_key()) == body
    assert (body["lot"]["code"], body["session"], body["supervisor"]["name"], body["rating"]) == (
        live_lot.code, "opening", str(supervisor), 4)
    assert body["checklist"] == all_yes() and body["late"] is False
    sha = hashlib.sha256(PDF).hexdigest()
    assert body["attachments"] == [{"name": "attachment.pdf", "sha256": sha, "size": len(PDF),
                                    "content_type": "application/pdf"}]
    assert get_storage().get(f"supervision/reports/{live_lot.pk}/{sha}").read() == PDF
    # Due two working days after the session's end (the bid deadline), at the end of that day in China.
    due = day_end(add_working_days(local_day(live_lot.bid_deadline), 2))
    assert report.due_at == due and body["due_at"].startswith(due.strftime("%Y-%m-%dT%H:%M"))
    event = AuditEntry.objects.get(kind="supervision.report_submitted", subject=f"assignment:{seat.pk}")
    assert event.data["signature"] == report.signature
    assert event.data["payload_sha256"] == hashlib.sha256(report.payload.encode()).hexdigest()

    with time_machine.travel(after_opening, tick=False):
        assert refused(seat=seat, user=supervisor, rating=5).code == "report_locked"
    assert ObservationReport.objects.get().rating == 4

    # Downloaded through the API, checked with nothing but the public key.
    api = APIClient()
    api.force_authenticate(User.objects.get(pk=staff.pk))
    response = api.get(f"/api/v1/observation-reports/{report.pk}/file/")
    assert response.status_code == 200 and response.content == report_file(report=report)
    assert 'filename="observation-report-' in response["Content-Disposition"]
    key = tmp_path / "platform-key.pem"
    key.write_bytes(signing.public_key_pem())
    good = tmp_path / "report.json"
    good.write_bytes(response.content)
    result = verify(blocked, good, key)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"ok observation report of lot {live_lot.code} (opening) by {supervisor}")
    assert "signed off, rating 4/5, 1 attachments" in result.stdout

    forged = tmp_path / "forged.json"
    forged.write_bytes(response.content.replace(b'"rating":4', b'"rating":5'))
    assert forged.read_bytes() != response.content
    result = verify(blocked, forged, key)
    assert result.returncode == 1 and result.stderr.startswith("bad:")
    one_byte = bytearray(response.content)
    index = one_byte.index("涂改".encode())
    one_byte[index + 2] ^= 0x01
    forged.write_bytes(bytes(one_byte))
    assert verify(blocked, forged, key).returncode == 1


def test_every_checklist_item_is_answered_and_a_refusal_to_sign_off_says_why(live_lot, seat, supervisor,
                                                                           after_opening):
    with time_machine.travel(after_opening, tick=False):
        partial = all_yes()
        partial.pop("envelopes_verified")
        assert refused(seat=seat, user=supervisor, checklist=partial).code == "checklist_incomplete"
        assert refused(seat=seat, user=supervisor, checklist={**all_yes(), "envelopes_verified": "maybe"}
                       ).code == "checklist_incomplete"
        assert refused(seat=seat, user=supervisor, checklist={**all_yes(), "coffee": "yes"}).code == "checklist_invalid"
        assert refused(seat=seat, user=supervisor, rating=6).code == "rating_invalid"
        assert refused(seat=seat, user=supervisor, signed_off=False).code == "refusal_reason_required"
        assert refused(seat=seat, user=supervisor, attachments=[io.BytesIO(b"<html>")]).code == "attachment_invalid"
        assert not ObservationReport.objects.exists()

        report = submit(seat, supervisor, checklist={**all_yes(), "no_outside_contact": "no"}, signed_off=False,
                        refusal_reason="工作人员在开标期间与投标人私下交谈")
    assert report.signed_off is False and report.refusal_reason == "工作人员在开标期间与投标人私下交谈"
    assert json.loads(report.payload)["body"]["checklist"]["no_outside_contact"] == "no"


def test_only_the_seats_supervisor_files_it_after_the_session(live_lot, seat, supervisor, other_supervisor,
                                                             bidder_a, after_opening):
    error = refused(seat=seat, user=supervisor)
    assert (error.code, error.status) == ("session_not_ended", 409)
    with time_machine.travel(after_opening, tick=False):
        for person, code in ((other_supervisor, "not_seated"), (bidder_a, "not_supervisor")):
            error = refused(seat=seat, user=person)
            assert (error.code, error.status) == (code, 403)
            assert AuditEntry.objects.filter(kind="supervision.refused", subject=f"user:{person.pk}",
                                             data__action="observation_report").exists()
    assert not ObservationReport.objects.exists()


def test_a_late_report_is_taken_and_marked_late(live_lot, seat, supervisor):
    [row] = seat_reports(user=supervisor)
    assert (row.session_kind, row.ended_at, row.report) == ("opening", live_lot.bid_deadline, None)
    with time_machine.travel(row.due_at + timedelta(hours=1), tick=False):
        report = submit(seat, supervisor)
    assert json.loads(report.payload)["body"]["late"] is True
    assert report.submitted_at > report.due_at == row.due_at
    [row] = seat_reports(user=supervisor)
    assert row.report == report


def test_the_report_api_files_reads_and_refuses(live_lot, seat, supervisor, bidder_a, regulator, after_opening,
                                                tmp_path, settings):
    settings.S3_ENDPOINT_URL = None
    settings.PLATFORM_STORAGE_DIR = tmp_path / "objects"
    url = f"/api/v1/supervisor-assignments/{seat.pk}/report/"

    def api_as(user):
        api = APIClient()
        api.force_authenticate(User.objects.get(pk=user.pk))
        return api

    with time_machine.travel(after_opening, tick=False):
        response = api_as(bidder_a).post(url, {"checklist": all_yes(), "rating": 3, "signed_off": True},
                                         format="json")
        assert (response.status_code, response.json()["code"]) == (403, "not_supervisor")
        attachment = io.BytesIO(PDF)
        attachment.name = "签到表.pdf"
        response = api_as(supervisor).post(url, {"checklist": json.dumps(all_yes()), "rating": "3",
                                                 "signed_off": "true", "issues": "无", "attachments": [attachment]},
                                           format="multipart")
    assert response.status_code == 201, response.content
    report = response.json()
    assert (report["rating"], report["session"], report["late"]) == (3, "opening", False)
    assert report["attachments"][0]["name"] == "签到表.pdf"

    assert api_as(regulator).get(f"/api/v1/observation-reports/{report['id']}/").json()["signature"]
    refused_read = api_as(bidder_a).get(f"/api/v1/observation-reports/{report['id']}/file/")
    assert (refused_read.status_code, refused_read.json()["code"]) == (403, "not_reader")
    assert api_as(supervisor).get(f"/api/v1/observation-reports/{report['id']}/file/").status_code == 200
    with time_machine.travel(after_opening, tick=False):
        again = api_as(supervisor).post(url, {"checklist": all_yes(), "rating": 5, "signed_off": True}, format="json")
    assert (again.status_code, again.json()["code"]) == (409, "report_locked")

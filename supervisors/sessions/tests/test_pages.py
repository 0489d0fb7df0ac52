"""The pages: the supervisor's lot page and its forms, the report form and the filed report, staff's
answering page, and the officials' check-in page — in English and Chinese."""
from decimal import Decimal

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse

from supervisors.services import observation_note_save
from supervisors.sessions.models import (LiaisonQuestion, ObservationReport, OfficialCheckIn, SessionObjection,
                                         StopRequest)
from supervisors.sessions.rules import checklist_items
from supervisors.sessions.services import liaison_question_ask, stop_request_raise
from trading.models import Lot

pytestmark = pytest.mark.django_db


def in_language(client, language: str) -> None:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language


@pytest.mark.parametrize("language, room", [("en", "Opening room"), ("zh-hans", "开标会场")])
def test_the_supervisors_lot_page_in_both_languages(client, live_lot, supervisor, language, room):
    client.force_login(supervisor)
    in_language(client, language)
    page = client.get(reverse("supervision-lot", args=[live_lot.pk]))
    assert page.status_code == 200
    assert f'<html lang="{language}">' in page.content.decode() and room in page.content.decode()
    mine = client.get(reverse("supervision-mine")).content.decode()
    assert reverse("supervision-lot", args=[live_lot.pk]) in mine


def test_the_supervisor_acts_from_the_lot_page(client, live_lot, supervisor, other_supervisor, bidder_a):
    client.force_login(supervisor)
    response = client.post(reverse("supervision-stop", args=[live_lot.pk]),
                           {"session": "opening", "reason": "评标室有人吸烟"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("supervision-lot", args=[live_lot.pk])
    assert "评标室有人吸烟" in response.content.decode()
    client.post(reverse("supervision-objection", args=[live_lot.pk]), {"session": "opening", "text": "异议内容"})
    client.post(reverse("supervision-question", args=[live_lot.pk]), {"text": "是否录像？"})
    assert (StopRequest.objects.count(), SessionObjection.objects.count(), LiaisonQuestion.objects.count()) == (1, 1, 1)
    refused = client.post(reverse("supervision-stop", args=[live_lot.pk]), {"session": "opening", "reason": " "})
    assert refused.status_code == 400 and 'data-testid="error"' in refused.content.decode()

    client.force_login(other_supervisor)
    assert client.get(reverse("supervision-lot", args=[live_lot.pk])).status_code == 404
    refused = client.post(reverse("supervision-stop", args=[live_lot.pk]), {"session": "opening", "reason": "停"})
    assert refused.status_code == 404  # not seated: the lot is not theirs to open
    client.force_login(bidder_a)
    assert client.get(reverse("supervision-lot", args=[live_lot.pk])).status_code == 403
    assert StopRequest.objects.count() == 1


def test_staff_answer_from_their_page_and_regulators_read_it(client, live_lot, supervisor, staff, regulator,
                                                             bidder_a):
    stop = stop_request_raise(lot_id=live_lot.pk, session_kind="opening", user=supervisor, reason="网络中断")
    question = liaison_question_ask(lot_id=live_lot.pk, user=supervisor, text="何时恢复？")
    client.force_login(regulator)
    page = client.get(reverse("staff-supervision")).content.decode()
    assert "网络中断" in page and str(supervisor) in page and 'data-testid="stop-answer-form"' not in page
    client.force_login(bidder_a)
    assert client.get(reverse("staff-supervision")).status_code == 403

    client.force_login(staff)
    in_language(client, "zh-hans")
    assert 'data-testid="stop-answer-form"' in client.get(reverse("staff-supervision")).content.decode()
    client.post(reverse("staff-stop-answer", args=[stop.pk]), {"decision": "stopped", "answer": "暂停开标"})
    client.post(reverse("staff-question-answer", args=[question.pk]), {"answer": "十分钟内恢复"})
    stop.refresh_from_db()
    question.refresh_from_db()
    assert (stop.decision, question.answer) == ("stopped", "十分钟内恢复")
    live_lot.refresh_from_db()
    assert live_lot.status == Lot.Status.SUSPENDED
    again = client.post(reverse("staff-stop-answer", args=[stop.pk]), {"decision": "continued", "answer": "x"})
    assert again.status_code == 409


def test_the_report_form_starts_from_the_note_and_files_the_report(client, live_lot, seat, supervisor, staff,
                                                                   bidder_a, after_opening):
    observation_note_save(lot_id=live_lot.pk, user=supervisor, text="开标准时开始")
    client.force_login(supervisor)
    url = reverse("supervision-report-form", args=[seat.pk])
    form = client.get(url)
    assert form.context["form"].initial["text"] == "开标准时开始"
    data = {f"check_{code}": "yes" for code, _label in checklist_items("opening")}
    data.update(rating="5", text="开标准时开始，过程规范", signed_off="yes", issues="")
    with time_machine.travel(after_opening, tick=False):
        client.force_login(supervisor)  # a session signed in weeks before has expired
        incomplete = client.post(url, {key: value for key, value in data.items() if key != "check_identity_checked"})
        assert incomplete.status_code == 400
        response = client.post(url, data, follow=True)
    report = ObservationReport.objects.get()
    assert response.redirect_chain[-1][0] == reverse("supervision-report", args=[report.pk])
    page = response.content.decode()
    assert "开标准时开始，过程规范" in page and reverse("api-observation-report-file", args=[report.pk]) in page
    assert client.get(url).url == reverse("supervision-report", args=[report.pk])  # locked: no form again

    client.force_login(staff)
    in_language(client, "zh-hans")
    assert "开标准时开始，过程规范" in client.get(reverse("supervision-report", args=[report.pk])).content.decode()
    client.force_login(bidder_a)
    assert client.get(reverse("supervision-report", args=[report.pk])).status_code == 403


def test_a_regulator_checks_in_from_the_officials_page(client, make_lot, publish_sealed, regulator, staff):
    lot = publish_sealed(make_lot("construction", estimate="60000000.00", deposit=Decimal("0")))
    client.force_login(staff)
    page = client.get(reverse("lot-officials", args=[lot.pk])).content.decode()
    assert 'data-major="1"' in page and 'data-testid="check-in-form"' not in page
    client.force_login(regulator)
    in_language(client, "zh-hans")
    response = client.post(reverse("lot-officials", args=[lot.pk]), {"session": "opening"}, follow=True)
    assert str(regulator) in response.content.decode()
    assert OfficialCheckIn.objects.filter(lot=lot, official=regulator).exists()
    again = client.post(reverse("lot-officials", args=[lot.pk]), {"session": "opening"})
    assert again.status_code == 409

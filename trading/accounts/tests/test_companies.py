"""Companies sign themselves up, staff review them, the company's administrator manages its people;
a company registers for lots only once approved, and a person acts for one company in a lot."""
import io
import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from monitoring.models import AuditEntry
from tests.fixtures import PASSWORD
from trading.accounts.services.companies import (LicenceUpload, company_change_request, company_review,
                                                 company_sign_up, email_verify)
from trading.errors import AccountError, TradingError
from trading.models import (Notification, Organisation, OrganisationChange, Registration, Role, RoleChange, User,
                            UserRole)
from trading.services.registrations import registration_create, registration_withdraw
from trading.storage import get_storage
from trading.tests.builders import PUBLISHED_AT, lot_tender
from trading.validators import resident_id_check_character, uscc_check_character

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n% business licence\n" + b"0" * 2000
PNG = b"\x89PNG\r\n\x1a\n" + b"1" * 500


@pytest.fixture
def clock(time_machine):
    """The clock frozen at the moment the builders' lots are published."""
    time_machine.move_to(PUBLISHED_AT, tick=False)
    return time_machine


def uscc(serial: int) -> str:
    body = f"91330106MA{serial:07d}"
    return body + uscc_check_character(body)


def resident_id(serial: int) -> str:
    body = f"33010619850101{serial:03d}"
    return body + resident_id_check_character(body)


def sign_up_values(serial: int = 1, **overrides) -> dict:
    return {"uscc": uscc(serial), "name": f"杭州第{serial}科技有限公司", "legal_representative": "张三",
            "licence": LicenceUpload(io.BytesIO(PDF), "营业执照.pdf", len(PDF)),
            "contact_username": f"contact_{serial}", "contact_display_name": "李联系",
            "contact_resident_id": resident_id(serial), "contact_email": f"contact{serial}@example.cn",
            "password": "a-long-company-secret-7", **overrides}


def mailed_token(to: str) -> str:
    message = [m for m in mail.outbox if to in m.to][-1]
    return re.search(r"/account/verify-email/([^/\s]+)/", message.body).group(1)


def signed_up(capture, serial: int = 1, *, verified: bool = True) -> OrganisationChange:
    with capture(execute=True):
        change = company_sign_up(**sign_up_values(serial))
    if verified:
        email_verify(token=mailed_token(change.submitted_by.email))
    return OrganisationChange.objects.get(pk=change.pk)


def approved_admin(capture, staff, serial: int = 1) -> User:
    change = signed_up(capture, serial)
    company_review(change_id=change.pk, reviewer=staff, approve=True)
    return User.objects.get(pk=change.submitted_by_id)


def counts() -> tuple:
    return Organisation.objects.count(), User.objects.count(), OrganisationChange.objects.count()


def api_as(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


def test_a_sign_up_makes_a_pending_company_its_contact_and_a_review(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        change = company_sign_up(**sign_up_values(1), base_url="https://ggzy.example.cn/")
    organisation = change.organisation
    contact = User.objects.get(username="contact_1")
    assert (organisation.status, organisation.kind) == (Organisation.Status.PENDING, Organisation.Kind.BIDDER)
    assert (change.kind, change.status, change.submitted_by) == ("sign_up", "pending", contact)
    assert contact.organisation == organisation and contact.role_set == set() and contact.email_verified_at is None
    assert contact.check_password("a-long-company-secret-7")
    assert organisation.licence_key == f"organisations/{uscc(1)}/licence/{organisation.licence_sha256}"
    assert get_storage().get(organisation.licence_key).read() == PDF
    event = AuditEntry.objects.get(subject=f"organisation:{organisation.pk}", kind="company.signed_up")
    assert event.actor == f"user:{contact.pk}" and resident_id(1) not in str(event.data)
    assert "contact1@example.cn" not in str(event.data)
    (message,) = mail.outbox
    assert message.to == ["contact1@example.cn"] and "https://ggzy.example.cn/account/verify-email/" in message.body

    verified = email_verify(token=mailed_token("contact1@example.cn"))
    assert verified.email_verified_at is not None
    assert email_verify(token=mailed_token("contact1@example.cn")).email_verified_at == verified.email_verified_at
    assert AuditEntry.objects.filter(subject=f"user:{contact.pk}", kind="user.email_verified").count() == 1


BAD_INPUT = {
    "bad USCC check character": ({"uscc": uscc(5)[:-1] + ("0" if uscc(5)[-1] != "0" else "1")}, 400, "uscc_check"),
    "bad resident ID": ({"contact_resident_id": resident_id(5)[:-1] + "0" if resident_id(5)[-1] != "0"
                         else resident_id(5)[:-1] + "1"}, 400, "rid_check"),
    "duplicate USCC": ({"uscc": uscc(1)}, 409, "uscc_taken"),
    "resident ID of another account": ({"contact_resident_id": resident_id(1)}, 409, "resident_id_taken"),
    "taken username": ({"contact_username": "contact_1"}, 409, "username_taken"),
    "missing licence": ({"licence": None}, 400, "licence_missing"),
    "wrong file type": ({"licence": ("licence.pdf", b"<html>not a licence</html>")}, 400, "licence_type"),
    "too large a licence": ({"licence": ("licence.pdf", b"%PDF-" + b"0" * (10 * 1024 * 1024))}, 400,
                            "licence_too_large"),
    "weak password": ({"password": "12345678"}, 400, "weak_password"),
}


@pytest.mark.parametrize("case", BAD_INPUT, ids=list(BAD_INPUT))
def test_bad_sign_up_input_is_refused_clearly_through_the_api_and_stores_nothing(case,
                                                                                 django_capture_on_commit_callbacks):
    signed_up(django_capture_on_commit_callbacks, 1, verified=False)
    overrides, status, code = BAD_INPUT[case]
    values = sign_up_values(5, **overrides)
    licence = values.pop("licence")
    body = dict(values)
    if licence is not None:
        name, data = ("营业执照.pdf", PDF) if isinstance(licence, LicenceUpload) else licence
        body["licence"] = io.BytesIO(data)
        body["licence"].name = name
    before, mails = counts(), len(mail.outbox)
    response = APIClient().post(reverse("api-company-sign-up"), body, format="multipart")
    assert (response.status_code, response.json()["code"]) == (status, code), response.json()
    assert response.json()["detail"]
    assert counts() == before and len(mail.outbox) == mails


def test_an_expired_or_altered_link_is_refused(django_capture_on_commit_callbacks, settings):
    change = signed_up(django_capture_on_commit_callbacks, 1, verified=False)
    token = mailed_token(change.submitted_by.email)
    api = APIClient()
    with time_machine.travel(timedelta(hours=settings.PLATFORM_EMAIL_LINK_HOURS, minutes=1)):
        expired = api.post(reverse("api-email-verify"), {"token": token}, format="json")
    assert (expired.status_code, expired.json()["code"]) == (410, "link_expired")
    altered = api.post(reverse("api-email-verify"), {"token": token[:-2] + "xx"}, format="json")
    assert (altered.status_code, altered.json()["code"]) == (400, "link_invalid")
    assert User.objects.get(pk=change.submitted_by_id).email_verified_at is None
    assert api.post(reverse("api-email-verify"), {"token": token}, format="json").json()["email_verified"] is True


def test_staff_approve_a_sign_up_once_the_address_is_confirmed_and_the_contact_gets_the_company_roles(
        django_capture_on_commit_callbacks, staff):
    change = signed_up(django_capture_on_commit_callbacks, 1, verified=False)
    api = api_as(staff)
    queue = api.get(reverse("api-company-reviews")).json()["results"]
    assert [(c["id"], c["kind"], c["contact_email_verified"]) for c in queue] == [(change.pk, "sign_up", False)]
    url = reverse("api-company-review-decision", args=[change.pk])
    early = api.post(url, {"approve": True}, format="json")
    assert (early.status_code, early.json()["code"]) == (409, "email_not_verified")

    email_verify(token=mailed_token(change.submitted_by.email))
    approved = api.post(url, {"approve": True}, format="json")
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    contact = User.objects.get(pk=change.submitted_by_id)
    assert contact.organisation.status == Organisation.Status.APPROVED
    assert contact.role_set == {Role.BIDDER, Role.COMPANY_ADMIN}
    assert set(RoleChange.objects.filter(user=contact).values_list("role", "proposed_by")) == {
        (Role.BIDDER, f"user:{staff.pk}"), (Role.COMPANY_ADMIN, f"user:{staff.pk}")}
    assert Notification.objects.filter(user=contact, kind="company.approved").exists()
    assert AuditEntry.objects.filter(subject=f"organisation:{contact.organisation_id}", kind="company.approved",
                                     actor=f"user:{staff.pk}").exists()
    again = api.post(url, {"approve": False, "reason": "late"}, format="json")
    assert (again.status_code, again.json()["code"]) == (409, "change_decided")


def test_a_refused_sign_up_says_why_and_the_company_corrects_it_and_asks_again(
        django_capture_on_commit_callbacks, staff):
    change = signed_up(django_capture_on_commit_callbacks, 1)
    url = reverse("api-company-review-decision", args=[change.pk])
    api = api_as(staff)
    unexplained = api.post(url, {"approve": False, "reason": " "}, format="json")
    assert (unexplained.status_code, unexplained.json()["code"]) == (400, "reason_missing")
    assert api.post(url, {"approve": False, "reason": "营业执照模糊，无法辨认"}, format="json").status_code == 200
    contact = User.objects.get(pk=change.submitted_by_id)
    assert contact.organisation.status == Organisation.Status.REFUSED and contact.role_set == set()
    assert Notification.objects.filter(user=contact, kind="company.refused").exists()

    mine = api_as(contact)
    company = mine.get(reverse("api-company-mine")).json()
    assert company["status"] == "refused" and company["refusal"]["reason"] == "营业执照模糊，无法辨认"
    clear = io.BytesIO(PNG)
    clear.name = "licence.png"
    resubmitted = mine.post(reverse("api-company-resubmit"), {"name": "杭州第1科技股份有限公司", "licence": clear},
                            format="multipart")
    assert resubmitted.status_code == 201, resubmitted.json()
    assert resubmitted.json()["previous"]["name"] == "杭州第1科技有限公司"
    organisation = Organisation.objects.get(pk=contact.organisation_id)
    assert organisation.status == Organisation.Status.PENDING and organisation.name == "杭州第1科技股份有限公司"
    assert get_storage().get(organisation.licence_key).read() == PNG
    twice = mine.post(reverse("api-company-resubmit"), {"name": "x"}, format="multipart")
    assert (twice.status_code, twice.json()["code"]) == (409, "company_not_refused")
    company_review(change_id=resubmitted.json()["id"], reviewer=staff, approve=True)
    assert User.objects.get(pk=contact.pk).role_set == {Role.BIDDER, Role.COMPANY_ADMIN}


def test_only_staff_who_do_not_belong_to_the_company_review_it(django_capture_on_commit_callbacks, staff, bidder_a,
                                                               make_person):
    change = signed_up(django_capture_on_commit_callbacks, 1)
    refused = api_as(bidder_a).post(reverse("api-company-review-decision", args=[change.pk]), {"approve": True},
                                    format="json")
    assert refused.status_code == 403
    with pytest.raises(AccountError) as caught:
        company_review(change_id=change.pk, reviewer=bidder_a, approve=True)
    assert caught.value.code == "not_staff"
    insider = make_person("staff_insider", ["staff"], organisation=change.organisation)
    with pytest.raises(AccountError) as caught:
        company_review(change_id=change.pk, reviewer=insider, approve=True)
    assert caught.value.code == "reviewer_member"
    assert OrganisationChange.objects.get(pk=change.pk).status == OrganisationChange.Status.PENDING


def test_a_change_of_particulars_waits_for_review_one_at_a_time_and_keeps_the_history(
        django_capture_on_commit_callbacks, staff):
    admin = approved_admin(django_capture_on_commit_callbacks, staff)
    organisation = admin.organisation
    api = api_as(admin)
    licence = io.BytesIO(PNG)
    licence.name = "新营业执照.png"
    asked = api.post(reverse("api-company-change"), {"name": "杭州新名称有限公司", "legal_representative": "王五",
                                                     "licence": licence}, format="multipart")
    assert asked.status_code == 201, asked.json()
    assert asked.json()["previous"]["name"] == "杭州第1科技有限公司"
    assert Organisation.objects.get(pk=organisation.pk).name == "杭州第1科技有限公司"  # until approved
    second = api.post(reverse("api-company-change"), {"name": "又一个名称"}, format="multipart")
    assert (second.status_code, second.json()["code"]) == (409, "change_pending")

    company_review(change_id=asked.json()["id"], reviewer=staff, approve=True)
    organisation.refresh_from_db()
    assert (organisation.name, organisation.legal_representative) == ("杭州新名称有限公司", "王五")
    assert get_storage().get(organisation.licence_key).read() == PNG
    company = api.get(reverse("api-company-mine")).json()
    assert [(c["kind"], c["name"]) for c in company["history"]] == [("change", "杭州新名称有限公司"),
                                                                    ("sign_up", "杭州第1科技有限公司")]
    assert company["history"][0]["previous"]["legal_representative"] == "张三"
    empty = api.post(reverse("api-company-change"), {"name": "杭州新名称有限公司"}, format="multipart")
    assert (empty.status_code, empty.json()["code"]) == (400, "change_empty")


def test_only_the_company_administrator_asks_for_a_change(django_capture_on_commit_callbacks, staff, bidder_a):
    admin = approved_admin(django_capture_on_commit_callbacks, staff)
    for outsider in (bidder_a, staff):
        with pytest.raises(AccountError) as caught:
            company_change_request(organisation=admin.organisation, user=outsider, name="夺取")
        assert caught.value.code == "not_company_admin"
    assert not OrganisationChange.objects.filter(kind=OrganisationChange.Kind.CHANGE).exists()


def test_the_company_administrator_adds_and_removes_people(django_capture_on_commit_callbacks, staff, client):
    admin = approved_admin(django_capture_on_commit_callbacks, staff)
    api = api_as(admin)
    person = {"username": "clerk_wang", "display_name": "王办事", "resident_id": resident_id(20),
              "email": "wang@example.cn", "password": PASSWORD}
    with django_capture_on_commit_callbacks(execute=True):
        added = api.post(reverse("api-company-users"), person, format="json")
    assert added.status_code == 201 and added.json()["roles"] == [Role.BIDDER]
    clerk = User.objects.get(username="clerk_wang")
    assert clerk.organisation == admin.organisation
    assert RoleChange.objects.get(user=clerk, role=Role.BIDDER).proposed_by == f"user:{admin.pk}"
    assert mailed_token("wang@example.cn")
    taken = api.post(reverse("api-company-users"), {**person, "username": "clerk_two", "email": "two@example.cn"},
                     format="json")
    assert (taken.status_code, taken.json()["code"]) == (409, "resident_id_taken")

    Token.objects.create(user=clerk)
    client.force_login(clerk)
    assert client.get(reverse("company-mine")).status_code == 200
    removed = api.delete(reverse("api-company-user", args=[clerk.pk]), {"reason": "离职"}, format="json")
    assert removed.status_code == 204
    clerk = User.objects.get(pk=clerk.pk)
    assert not clerk.is_active and clerk.role_set == set() and not Token.objects.filter(user=clerk).exists()
    assert RoleChange.objects.get(user=clerk, role=Role.BIDDER, action="revoke").reason == "离职"
    assert client.get(reverse("company-mine")).status_code == 302  # the session ended
    assert AuditEntry.objects.filter(subject=f"organisation:{admin.organisation_id}",
                                     kind__in=["company.user_added", "company.user_removed"]).count() == 2

    itself = api.delete(reverse("api-company-user", args=[admin.pk]), format="json")
    assert (itself.status_code, itself.json()["code"]) == (403, "self_remove")
    other_admin = approved_admin(django_capture_on_commit_callbacks, staff, 2)
    foreign = api_as(other_admin).delete(reverse("api-company-user", args=[admin.pk]), format="json")
    assert (foreign.status_code, foreign.json()["code"]) == (404, "not_company_member")
    people = api.get(reverse("api-company-mine")).json()["people"]
    assert [(p["username"], p["is_active"], p["roles"]) for p in people] == [
        ("contact_1", True, [Role.BIDDER, Role.COMPANY_ADMIN]), ("clerk_wang", False, [])]


def test_a_company_user_may_not_add_people(django_capture_on_commit_callbacks, staff):
    admin = approved_admin(django_capture_on_commit_callbacks, staff)
    api_as(admin).post(reverse("api-company-users"), {"username": "clerk", "resident_id": resident_id(21),
                                                      "email": "c@example.cn", "password": PASSWORD}, format="json")
    clerk = User.objects.get(username="clerk")
    refused = api_as(clerk).post(reverse("api-company-users"), {"username": "x", "resident_id": resident_id(22),
                                                                "email": "x@example.cn", "password": PASSWORD},
                                 format="json")
    assert (refused.status_code, refused.json()["code"]) == (403, "not_company_admin")
    assert not User.objects.filter(username="x").exists()


def test_a_pending_company_cannot_register_for_a_lot(clock, django_capture_on_commit_callbacks, staff, bidder_a):
    lot = lot_tender()
    contact = signed_up(django_capture_on_commit_callbacks, 1).submitted_by
    with pytest.raises(TradingError) as caught:
        registration_create(lot_id=lot.pk, user=contact)
    assert caught.value.code == "not_bidder"
    Organisation.objects.filter(pk=bidder_a.organisation_id).update(status=Organisation.Status.PENDING)
    response = api_as(User.objects.get(pk=bidder_a.pk)).post(reverse("api-lot-registration", args=[lot.pk]))
    assert (response.status_code, response.json()["code"]) == (403, "company_not_approved")
    assert not Registration.objects.exists()


def test_a_person_acts_for_one_bidder_of_a_lot(clock, bidder_a, bidder_b):
    lot = lot_tender()
    first = registration_create(lot_id=lot.pk, user=bidder_a)
    User.objects.filter(pk=bidder_a.pk).update(organisation=bidder_b.organisation)  # moved to another company
    moved = User.objects.get(pk=bidder_a.pk)
    with pytest.raises(TradingError) as caught:
        registration_create(lot_id=lot.pk, user=moved)
    assert caught.value.code == "person_acts_for_another_bidder"
    assert list(Registration.objects.values_list("organisation", flat=True)) == [bidder_a.organisation_id]
    registration_withdraw(registration_id=first.pk, user=bidder_a)
    assert registration_create(lot_id=lot.pk, user=moved).organisation_id == bidder_b.organisation_id


# --- pages -----------------------------------------------------------------------------------------------


def test_the_sign_up_page_in_both_languages_refuses_bad_input_on_its_field(client, settings):
    for language, heading in (("en", '<html lang="en">'), ("zh-hans", '<html lang="zh-hans">')):
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        page = client.get(reverse("company-sign-up"))
        html = page.content.decode()
        assert page.status_code == 200 and heading in html and 'name="licence"' in html
    assert reverse("company-sign-up") in client.get(reverse("login")).content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    values = sign_up_values(7, uscc=uscc(7)[:-1] + ("0" if uscc(7)[-1] != "0" else "1"))
    licence = io.BytesIO(PDF)
    licence.name = "licence.pdf"
    values["licence"] = licence
    values["password_again"] = values["password"]
    refused = client.post(reverse("company-sign-up"), values)
    assert refused.status_code == 400 and "check character" in refused.content.decode()
    assert not Organisation.objects.filter(uscc__startswith=uscc(7)[:17]).exists()


def test_a_company_signs_up_on_the_pages_and_staff_approve_it_on_theirs(client, staff, bidder_a, settings,
                                                                        django_capture_on_commit_callbacks):
    values = sign_up_values(8)
    licence = io.BytesIO(PDF)
    licence.name = "营业执照.pdf"
    values.update(licence=licence, password_again=values["password"])
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(reverse("company-sign-up"), values)
    assert sent.status_code == 302 and sent["Location"] == reverse("company-sign-up-sent")
    assert "contact8@example.cn" in client.get(sent["Location"]).content.decode()
    verified = client.get(reverse("email-verify", args=[mailed_token("contact8@example.cn")]))
    assert verified.status_code == 200 and 'data-testid="email-verified"' in verified.content.decode()
    assert client.get(reverse("email-verify", args=["nonsense"])).status_code == 400

    contact = User.objects.get(username="contact_8")
    client.force_login(contact)
    mine = client.get(reverse("company-mine")).content.decode()
    assert 'data-status="pending"' in mine and reverse("company-mine") in mine
    change = OrganisationChange.objects.get(submitted_by=contact)
    own_licence = client.get(reverse("company-licence", args=[change.pk]))
    assert b"".join(own_licence.streaming_content) == PDF
    client.force_login(bidder_a)
    assert client.get(reverse("company-licence", args=[change.pk])).status_code == 404
    assert client.get(reverse("company-reviews")).status_code == 403

    client.force_login(staff)  # both factors given (the root conftest)
    queue = client.get(reverse("company-reviews")).content.decode()
    assert f'data-change="{change.pk}"' in queue and reverse("company-licence", args=[change.pk]) in queue
    assert b"".join(client.get(reverse("company-licence", args=[change.pk])).streaming_content) == PDF
    decide = reverse("company-review-decide", args=[change.pk])
    assert client.post(decide, {"decision": "refuse", "reason": ""}).status_code == 400
    assert client.post(decide, {"decision": "approve"}).status_code == 302
    assert User.objects.get(pk=contact.pk).role_set == {Role.BIDDER, Role.COMPANY_ADMIN}


def test_the_administrator_manages_people_and_particulars_on_the_company_page(client, staff,
                                                                              django_capture_on_commit_callbacks):
    admin = approved_admin(django_capture_on_commit_callbacks, staff)
    client.force_login(admin)
    page = client.get(reverse("company-mine")).content.decode()
    assert 'data-testid="user-form"' in page and 'data-testid="change-form"' in page
    person = {"username": "clerk_li", "display_name": "李办事", "resident_id": resident_id(30),
              "email": "li@example.cn", "password": "short"}
    weak = client.post(reverse("company-user-add"), person)
    assert weak.status_code == 400 and not User.objects.filter(username="clerk_li").exists()
    person["password"] = PASSWORD
    assert client.post(reverse("company-user-add"), person).status_code == 302
    clerk = User.objects.get(username="clerk_li")
    assert clerk.role_set == {Role.BIDDER}
    assert 'data-person="clerk_li" data-active="true"' in client.get(reverse("company-mine")).content.decode()
    assert client.post(reverse("company-user-remove", args=[clerk.pk]), {"reason": "调岗"}).status_code == 302
    assert not User.objects.get(pk=clerk.pk).is_active
    assert not UserRole.objects.filter(user=clerk).exists()

    wrong = io.BytesIO(b"GIF89a not accepted")
    wrong.name = "licence.gif"
    refused = client.post(reverse("company-change"), {"name": "新名", "legal_representative": "张三",
                                                      "licence": wrong})
    assert refused.status_code == 400 and not OrganisationChange.objects.filter(kind="change").exists()
    asked = client.post(reverse("company-change"), {"name": "新名", "legal_representative": "张三"})
    assert asked.status_code == 302
    assert OrganisationChange.objects.get(kind="change").name == "新名"


def test_a_refused_company_reads_the_reason_and_resubmits_on_its_page(client, staff, settings,
                                                                     django_capture_on_commit_callbacks):
    change = signed_up(django_capture_on_commit_callbacks, 1, verified=False)
    contact = change.submitted_by
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(contact)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(reverse("email-verify-send")).status_code == 302
    assert len([m for m in mail.outbox if contact.email in m.to]) == 2
    email_verify(token=mailed_token(contact.email))
    company_review(change_id=change.pk, reviewer=staff, approve=False, reason="法定代表人与执照不符")
    page = client.get(reverse("company-mine")).content.decode()
    assert 'data-status="refused"' in page and "法定代表人与执照不符" in page and 'data-testid="resubmit-form"' in page
    again = client.post(reverse("company-resubmit"), {"name": change.name, "legal_representative": "赵六"})
    assert again.status_code == 302
    assert Organisation.objects.get(pk=change.organisation_id).legal_representative == "赵六"
    assert 'data-status="pending"' in client.get(reverse("company-mine")).content.decode()
    client.force_login(staff)
    assert "赵六" in client.get(reverse("company-reviews")).content.decode()


def test_the_review_queue_costs_the_same_queries_however_long(django_capture_on_commit_callbacks, staff,
                                                             django_assert_num_queries):
    for serial in (1, 2, 3):
        signed_up(django_capture_on_commit_callbacks, serial)
    api = api_as(staff)
    with django_assert_num_queries(3):  # none per change
        queue = api.get(reverse("api-company-reviews")).json()
    assert [change["uscc"] for change in queue["results"]] == [uscc(1), uscc(2), uscc(3)]

"""Roles and the separation of duties (管办分离, DESIGN §7): every grant through one service, each
forbidden move refused through the pages, the API and the admin with a clear message and an audit
event, two people for the regulator and custodian roles."""
import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from monitoring.events import actor_of
from monitoring.models import AuditEntry
from trading.accounts.services.roles import STAFF_GROUP, role_change_approve, role_grant
from trading.errors import AccountError
from trading.models import Notification, RoleChange, User, UserRole

pytestmark = pytest.mark.django_db


@pytest.fixture
def security_a(make_person):
    return make_person("security_a", ["security_admin"], display_name="安全管理员甲")


@pytest.fixture
def security_b(make_person):
    return make_person("security_b", ["security_admin"], display_name="安全管理员乙")


@pytest.fixture
def newcomer(make_person):
    return make_person("newcomer", [], display_name="新同事")


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def api_as(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def refusals(code: str) -> list[AuditEntry]:
    return [entry for entry in AuditEntry.objects.filter(kind="role.refused") if entry.data["code"] == code]


def roles_of(user) -> set[str]:
    return set(UserRole.objects.filter(user=user).values_list("role", flat=True))


def test_a_grant_records_who_whom_which_role_why_and_notifies_the_person(security_a, newcomer):
    response = signed_in(security_a).post(f"/security/people/{newcomer.pk}/grant/",
                                          {"role": "staff", "reason": "新入职交易中心"})
    assert response.status_code == 302
    assert roles_of(newcomer) == {"staff"}
    change = RoleChange.objects.get(user=newcomer)
    assert (change.action, change.status, change.proposed_by, change.reason) == (
        "grant", "done", actor_of(security_a), "新入职交易中心")
    event = AuditEntry.objects.get(kind="role.granted", subject=f"user:{newcomer.pk}")
    assert event.actor == actor_of(security_a)
    assert event.data["role"] == "staff" and event.data["reason"] == "新入职交易中心"
    notice = Notification.objects.get(user=newcomer, kind="role.granted")
    assert "交易中心工作人员" in notice.title_zh or "staff" in notice.title_en.lower()
    newcomer = User.objects.get(pk=newcomer.pk)
    assert newcomer.is_staff and list(newcomer.groups.values_list("name", flat=True)) == [STAFF_GROUP]


@pytest.mark.parametrize("way", ["service", "page", "api"])
def test_nobody_grants_themselves_a_role(security_a, way):
    if way == "service":
        with pytest.raises(AccountError) as caught:
            role_grant(user=security_a, role="staff", reason="自己", grantor=security_a)
        assert caught.value.code == "self_grant"
    elif way == "page":
        response = signed_in(security_a).post(f"/security/people/{security_a.pk}/grant/",
                                              {"role": "staff", "reason": "自己"})
        assert response.status_code == 403
        assert "Nobody grants" in response.content.decode() or "另一人" in response.content.decode() or \
            response.context["error"]
    else:
        response = api_as(security_a).post(f"/api/v1/security/people/{security_a.pk}/roles/",
                                           {"role": "staff", "reason": "自己"}, format="json")
        assert response.status_code == 403 and response.json()["code"] == "self_grant"
    assert roles_of(security_a) == {"security_admin"}
    assert len(refusals("self_grant")) == 1


@pytest.mark.parametrize("way", ["service", "page", "api"])
def test_staff_of_the_centre_never_hold_the_regulator_role(security_a, security_b, staff, way):
    if way == "service":
        with pytest.raises(AccountError) as caught:
            role_grant(user=staff, role="regulator", reason="兼任", grantor=security_a)
        assert caught.value.code == "staff_regulator"
    elif way == "page":
        response = signed_in(security_a).post(f"/security/people/{staff.pk}/grant/",
                                              {"role": "regulator", "reason": "兼任"})
        assert response.status_code == 403 and response.context["error"]
    else:
        response = api_as(security_a).post(f"/api/v1/security/people/{staff.pk}/roles/",
                                           {"role": "regulator", "reason": "兼任"}, format="json")
        assert response.status_code == 403 and response.json()["code"] == "staff_regulator"
    assert roles_of(staff) == {"staff"}
    assert not RoleChange.objects.filter(user=staff, role="regulator").exists()
    assert len(refusals("staff_regulator")) == 1


def test_a_regulator_does_not_become_staff_either(security_a, regulator):
    with pytest.raises(AccountError) as caught:
        role_grant(user=regulator, role="staff", reason="调岗", grantor=security_a)
    assert caught.value.code == "staff_regulator"
    assert roles_of(regulator) == {"regulator"}


def test_granting_the_regulator_role_takes_two_people_and_the_history_shows_both(security_a, security_b, newcomer):
    proposer = signed_in(security_a)
    proposer.post(f"/security/people/{newcomer.pk}/grant/", {"role": "regulator", "reason": "住建局监管科"})
    change = RoleChange.objects.get(user=newcomer, role="regulator")
    assert change.status == "proposed" and roles_of(newcomer) == set()

    response = proposer.post(f"/security/proposals/{change.pk}/decide/", {"decision": "approve"})
    assert response.status_code == 403 and response.context["error"]
    assert len(refusals("same_person_approves")) == 1 and roles_of(newcomer) == set()

    second = signed_in(security_b)
    assert str(change.pk) in second.get("/security/proposals/").content.decode()
    assert second.post(f"/security/proposals/{change.pk}/decide/", {"decision": "approve"}).status_code == 302
    assert roles_of(newcomer) == {"regulator"}
    change.refresh_from_db()
    assert (change.status, change.proposed_by, change.decided_by) == ("done", actor_of(security_a),
                                                                         actor_of(security_b))
    event = AuditEntry.objects.get(kind="role.granted", subject=f"user:{newcomer.pk}")
    assert (event.data["proposed_by"], event.data["approved_by"]) == (actor_of(security_a), actor_of(security_b))

    history = second.get("/security/history/?role=regulator").content.decode()
    assert "安全管理员甲" in history and "安全管理员乙" in history and "住建局监管科" in history


def test_only_a_security_administrator_approves_a_grant(security_a, staff, newcomer):
    change = role_grant(user=newcomer, role="custodian", reason="开标密钥保管", grantor=security_a)
    assert change.status == "proposed"
    with pytest.raises(AccountError) as caught:
        role_change_approve(change_id=change.pk, approver=staff, approve=True)
    assert caught.value.code == "approver_not_security_admin"
    response = api_as(staff).post(f"/api/v1/security/role-changes/{change.pk}/decision/", {"approve": True},
                                  format="json")
    assert response.status_code == 403
    assert roles_of(newcomer) == set()


def test_the_person_concerned_cannot_approve_their_own_grant(security_a, security_b):
    change = role_grant(user=security_b, role="custodian", reason="开标密钥保管", grantor=security_a)
    response = api_as(security_b).post(f"/api/v1/security/role-changes/{change.pk}/decision/", {"approve": True},
                                       format="json")
    assert response.status_code == 403 and response.json()["code"] == "self_grant"
    assert "custodian" not in roles_of(security_b)


def test_a_refused_proposal_says_why_and_grants_nothing(security_a, security_b, newcomer):
    change = role_grant(user=newcomer, role="regulator", reason="监管", grantor=security_a)
    response = api_as(security_b).post(f"/api/v1/security/role-changes/{change.pk}/decision/",
                                       {"approve": False}, format="json")
    assert response.status_code == 400 and response.json()["code"] == "reason_missing"
    response = api_as(security_b).post(f"/api/v1/security/role-changes/{change.pk}/decision/",
                                       {"approve": False, "reason": "未经组织推荐"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "refused"
    assert roles_of(newcomer) == set()
    assert Notification.objects.filter(user=newcomer, kind="role.proposal_refused").exists()


@pytest.mark.parametrize("way", ["service", "api"])
def test_a_company_user_is_never_a_key_custodian(security_a, bidder_a, way):
    if way == "service":
        with pytest.raises(AccountError) as caught:
            role_grant(user=bidder_a, role="custodian", reason="保管", grantor=security_a)
        assert caught.value.code == "custodian_company_user"
    else:
        response = api_as(security_a).post(f"/api/v1/security/people/{bidder_a.pk}/roles/",
                                           {"role": "custodian", "reason": "保管"}, format="json")
        assert response.status_code == 403 and response.json()["code"] == "custodian_company_user"
    assert roles_of(bidder_a) == {"bidder"}
    assert len(refusals("custodian_company_user")) == 1


def test_a_custodian_is_never_a_company_user(make_person):
    custodian = make_person("keeper", ["custodian"])
    with pytest.raises(AccountError) as caught:
        role_grant(user=custodian, role="bidder", reason="投标", actor="system:test")
    assert caught.value.code in {"company_role_outsider", "custodian_company_user"}
    assert roles_of(custodian) == {"custodian"}


def test_who_may_grant_what(staff, bidder_a, newcomer, make_person):
    with pytest.raises(AccountError) as caught:
        role_grant(user=newcomer, role="expert", reason="专家", grantor=staff)
    assert caught.value.code == "not_allowed_to_grant"
    company_admin = make_person("boss_a", ["bidder", "company_admin"], organisation="甲建设有限公司")
    with pytest.raises(AccountError) as caught:
        role_grant(user=bidder_a, role="staff", reason="借调", grantor=company_admin)
    assert caught.value.code == "not_allowed_to_grant"
    other = make_person("bidder_b_person", [], organisation="乙工程有限公司")
    with pytest.raises(AccountError) as caught:
        role_grant(user=other, role="bidder", reason="帮忙", grantor=company_admin)
    assert caught.value.code == "company_role_outsider"
    assert roles_of(other) == set() and roles_of(newcomer) == set()


def test_security_pages_and_api_are_only_for_security_administrators(staff, regulator, bidder_a):
    for person in (staff, regulator, bidder_a):
        assert signed_in(person).get("/security/people/").status_code == 403
        assert api_as(person).get("/api/v1/security/people/").status_code == 403
    assert Client().get("/security/history/").status_code == 302


def test_revoking_staff_takes_the_admin_away_too(security_a, staff):
    signed_in(security_a).post(f"/security/people/{staff.pk}/revoke/", {"role": "staff", "reason": "离职"})
    staff = User.objects.get(pk=staff.pk)
    assert roles_of(staff) == set() and not staff.is_staff and not staff.groups.exists()
    assert AuditEntry.objects.filter(kind="role.revoked", subject=f"user:{staff.pk}").exists()


def test_a_locked_person_s_sessions_and_tokens_end_at_once(security_a, bidder_a):
    client = signed_in(bidder_a)
    token = Token.objects.create(user=bidder_a)
    assert client.get("/account/").status_code == 200
    response = api_as(security_a).post(f"/api/v1/security/people/{bidder_a.pk}/lock/", {"reason": "冒用他人身份"},
                                       format="json")
    assert response.status_code == 200 and response.json()["is_active"] is False
    assert client.get("/account/").status_code == 302
    assert not Token.objects.filter(key=token.key).exists()
    assert AuditEntry.objects.get(kind="user.locked").data["sessions_ended"] == 1
    response = api_as(security_a).delete(f"/api/v1/security/people/{bidder_a.pk}/lock/", {"reason": "核实无误"},
                                         format="json")
    assert response.status_code == 200 and User.objects.get(pk=bidder_a.pk).is_active


def test_the_admin_is_for_reference_data_only(staff, make_person):
    admin_client = signed_in(staff)
    assert admin_client.get("/admin/trading/user/add/").status_code == 403
    page = admin_client.get(f"/admin/trading/user/{staff.pk}/change/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "is_superuser" not in html and "user_permissions" not in html and "groups" not in html
    assert admin_client.post(f"/admin/trading/user/{staff.pk}/change/",
                             {"username": staff.username, "is_superuser": "on"}).status_code == 403
    assert admin_client.get("/admin/auth/group/").status_code == 404
    assert admin_client.get("/admin/trading/userrole/").status_code == 404
    assert not User.objects.get(pk=staff.pk).is_superuser


def test_a_superuser_made_on_the_server_and_its_use_are_on_the_record(monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "a-long-server-password-7")
    call_command("createsuperuser", "--noinput", "--username", "root", "--email", "root@example.cn")
    root = User.objects.get(username="root")
    assert AuditEntry.objects.get(kind="user.superuser_created").subject == f"user:{root.pk}"
    assert Client().post("/login/", {"username": "root", "password": "a-long-server-password-7"}).status_code == 302
    assert AuditEntry.objects.filter(kind="user.superuser_signed_in", actor=f"user:{root.pk}").exists()


def test_my_account_shows_my_roles_and_notices(security_a, newcomer):
    role_grant(user=newcomer, role="expert", reason="入库", grantor=security_a)
    client = signed_in(newcomer)
    html = client.get("/account/").content.decode()
    assert 'data-role="expert"' in html and 'data-kind="role.granted"' in html
    notices = APIClient()
    notices.force_authenticate(newcomer)
    listed = notices.get("/api/v1/notifications/?unread=1").json()["results"]
    assert [notice["kind"] for notice in listed] == ["role.granted"]
    assert notices.post(f"/api/v1/notifications/{listed[0]['id']}/read/").json()["read_at"]


def test_the_staff_group_holds_only_its_reference_data_permissions(security_a, newcomer):
    role_grant(user=newcomer, role="staff", reason="入职", grantor=security_a)
    codenames = set(Group.objects.get(name=STAFF_GROUP).permissions.values_list("codename", flat=True))
    assert "change_market" in codenames and "view_user" in codenames
    assert not {"add_user", "change_user", "add_userrole", "change_organisation", "change_rule"} & codenames


def test_a_lost_authenticator_is_reset_by_a_security_administrator_not_by_oneself(security_a, security_b, staff):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from trading.accounts.services.second_factor import totp_device_create

    totp_device_create(staff, confirmed=True)
    client = signed_in(staff)
    response = api_as(security_a).post(f"/api/v1/security/people/{security_a.pk}/second-factor/reset/",
                                       {"reason": "手机丢失"}, format="json")
    assert response.status_code == 403 and response.json()["code"] == "self_grant"
    page = signed_in(security_b).post(f"/security/people/{staff.pk}/reset-second-factor/", {"reason": "手机丢失"})
    assert page.status_code == 302
    assert not TOTPDevice.objects.filter(user=staff).exists()
    assert client.get("/account/").status_code == 302  # the session ended
    assert AuditEntry.objects.get(kind="second_factor.reset").data["devices_removed"] >= 1
    assert Notification.objects.filter(user=staff, kind="second_factor.reset").exists()

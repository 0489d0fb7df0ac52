"""No account, role or permission in the database that did not come through the platform's services
or ``createsuperuser`` (issue 17): the demo, a company's whole path, grants that take two people and
a superuser made on the server are played, then the database is scanned against the audit chain."""
import io
from io import StringIO

import pytest
from django.contrib.auth.models import Group, Permission
from django.core import mail
from django.core.management import call_command

from monitoring.models import AuditEntry
from tests.fixtures import PASSWORD
from trading.accounts.services.companies import (LicenceUpload, company_review, company_sign_up, company_user_add,
                                                 email_verify)
from trading.accounts.services.roles import STAFF_GROUP, role_change_approve, role_grant, staff_admin_permissions
from trading.accounts.tests.test_companies import PDF, mailed_token, resident_id, uscc
from trading.models import Organisation, Role, RoleChange, User, UserRole
from trading.services.parties import user_create

pytestmark = pytest.mark.django_db


def _events(kind: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(kind=kind))


def _play(django_capture_on_commit_callbacks, monkeypatch) -> None:
    call_command("load_demo", stdout=StringIO())
    staff = User.objects.get(username="demo_staff")
    with django_capture_on_commit_callbacks(execute=True):
        change = company_sign_up(uscc=uscc(77), name="杭州扫描科技有限公司", legal_representative="钱七",
                                 licence=LicenceUpload(io.BytesIO(PDF), "营业执照.pdf", len(PDF)),
                                 contact_username="scan_contact", contact_display_name="孙联系",
                                 contact_resident_id=resident_id(77), contact_email="scan@example.cn",
                                 password=PASSWORD)
    email_verify(token=mailed_token("scan@example.cn"))
    company_review(change_id=change.pk, reviewer=staff, approve=True)
    with django_capture_on_commit_callbacks(execute=True):
        company_user_add(admin=User.objects.get(username="scan_contact"), username="scan_colleague",
                         display_name="周同事", resident_id=resident_id(78), email="colleague@example.cn",
                         password=PASSWORD)
    first = user_create(username="scan_security_a", password=PASSWORD, roles=[Role.SECURITY_ADMIN],
                        actor="system:test")
    second = user_create(username="scan_security_b", password=PASSWORD, roles=[Role.SECURITY_ADMIN],
                         actor="system:test")
    newcomer = user_create(username="scan_newcomer", password=PASSWORD, roles=[], actor="system:test")
    proposal = role_grant(user=newcomer, role=Role.REGULATOR, reason="监管科", grantor=first)
    role_change_approve(change_id=proposal.pk, approver=second, approve=True)
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "a-long-server-password-7")
    call_command("createsuperuser", "--noinput", "--username", "root", "--email", "root@example.cn")
    mail.outbox.clear()


def test_every_account_role_and_permission_came_through_a_service(django_capture_on_commit_callbacks, monkeypatch):
    _play(django_capture_on_commit_callbacks, monkeypatch)

    made = {entry.subject for entry in _events("user.created") + _events("user.superuser_created")}
    made |= {f"user:{entry.data['contact']}" for entry in _events("company.signed_up")}
    made |= {f"user:{entry.data['user']}" for entry in _events("company.user_added")}
    people = set(User.objects.values_list("pk", flat=True))
    assert {f"user:{pk}" for pk in people} == made
    assert User.objects.count() > 20

    superusers = set(User.objects.filter(is_superuser=True).values_list("pk", flat=True))
    assert {f"user:{pk}" for pk in superusers} == {entry.subject for entry in _events("user.superuser_created")}

    granted = {entry.data["change"]: entry for entry in _events("role.granted")}
    for grant in UserRole.objects.all():
        change = RoleChange.objects.filter(user=grant.user, role=grant.role, status=RoleChange.Status.DONE).latest(
            "decided_at")
        assert change.action == RoleChange.Action.GRANT, (grant.user, grant.role)
        assert granted[change.pk].subject == f"user:{grant.user_id}"
    done = RoleChange.objects.filter(status=RoleChange.Status.DONE)
    assert set(done.filter(action="grant").values_list("pk", flat=True)) == set(granted)

    assert not Permission.objects.filter(user__isnull=False).exists()
    assert list(Group.objects.values_list("name", flat=True)) == [STAFF_GROUP]
    assert set(Group.objects.get().permissions.all()) == set(staff_admin_permissions())
    staff_ids = set(UserRole.objects.filter(role=Role.STAFF).values_list("user_id", flat=True))
    assert set(Group.objects.get().user_set.values_list("pk", flat=True)) == staff_ids
    assert set(User.objects.filter(is_staff=True).values_list("pk", flat=True)) == staff_ids | superusers

    created = {entry.subject for entry in _events("organisation.created") + _events("company.signed_up")}
    assert {f"organisation:{pk}" for pk in Organisation.objects.values_list("pk", flat=True)} == created

"""How a person becomes a staff manager: a security administrator grants the role like the staff
role (one person, a reason, on the record), on the security pages as through the service; the
role needs a second factor and, being the centre's, never goes with the regulator role."""
import pytest

from bidding.demo import ACCOUNTS
from monitoring.models import AuditEntry
from trading.accounts.selectors import second_factor_needed
from trading.accounts.services.roles import role_grant
from trading.errors import AccountError
from trading.models import Role, UserRole

pytestmark = pytest.mark.django_db


@pytest.fixture
def security(make_person):
    return make_person("security_a", ["security_admin"])


def test_a_security_administrator_grants_the_staff_manager_role_on_the_security_page(security, staff, client):
    client.force_login(security)
    response = client.post(f"/security/people/{staff.pk}/grant/",
                           {"role": "staff_manager", "reason": "任命为交易服务科科长"})
    assert response.status_code == 302
    assert UserRole.objects.filter(user=staff, role=Role.STAFF_MANAGER).exists()
    entry = AuditEntry.objects.get(kind="role.granted", data__role="staff_manager")
    assert (entry.actor, entry.subject, entry.data["reason"]) == (f"user:{security.pk}", f"user:{staff.pk}",
                                                                  "任命为交易服务科科长")
    staff.refresh_from_db()
    assert second_factor_needed(staff)
    # The new manager's page admits them at once.
    client.force_login(staff)
    assert client.get("/assessment/").status_code == 200


def test_the_staff_manager_role_is_the_centres_side_of_the_separation(security, regulator, staff, make_person):
    with pytest.raises(AccountError) as refused:
        role_grant(user=regulator, role=Role.STAFF_MANAGER, reason="兼任", grantor=security)
    assert refused.value.code == "staff_regulator"
    manager = make_person("manager_only", ["staff_manager"])
    with pytest.raises(AccountError) as reverse:
        role_grant(user=manager, role=Role.REGULATOR, reason="调任", grantor=security)
    assert reverse.value.code == "staff_regulator"
    # Staff do not make managers; nobody makes themself one.
    with pytest.raises(AccountError) as not_theirs:
        role_grant(user=make_person("staff_2", ["staff"]), role=Role.STAFF_MANAGER, reason="推荐", grantor=staff)
    assert not_theirs.value.code == "not_allowed_to_grant"
    with pytest.raises(AccountError) as self_grant:
        role_grant(user=security, role=Role.STAFF_MANAGER, reason="自任", grantor=security)
    assert self_grant.value.code == "self_grant"


def test_the_demo_has_a_staff_manager_who_is_staff_too():
    (roles,) = [roles for username, _password, roles, _name in ACCOUNTS if username == "demo_manager"]
    assert set(roles) == {Role.STAFF, Role.STAFF_MANAGER}

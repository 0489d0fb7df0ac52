"""Every grant and revocation of a role, through one service (DESIGN §7, 管办分离).

Who may grant what (``GRANTABLE``): a security administrator grants the roles of the centre (staff
and staff managers), its custodians, experts, supervisors and regulators; a company's administrator
(or staff, when they approve a company) grants the bidder and company-administrator roles to the
company's own people; staff grant the supervisor role when they appoint a vetted social supervisor.
Superusers, made only by ``createsuperuser`` on the server, may do what a security administrator
does. ``system:*`` actors (the demo, the tests' fixtures) grant through the same service with no
person behind them.

Separation rules, each refused with its own code and an audit event (``role.refused``) that is
committed before the refusal is raised, so the attempt leaves its trace and changes nothing else:

- ``self_grant``: nobody grants (or revokes) a role of their own;
- ``staff_regulator``: a member of the centre's staff (or a staff manager) never holds the
  regulator role, nor a regulator the staff or staff-manager role;
- ``custodian_company_user``: a key custodian is never a company's user (bidder or company
  administrator), nor the reverse;
- ``company_role_outsider``: the bidder and company-administrator roles go only to people of an
  approved bidding company, and a company administrator grants them only in their own company;
- ``not_allowed_to_grant``: the grantor holds no power over that role;
- two people for ``TWO_PERSON_ROLES`` (regulator, custodian): the grant waits as ``proposed`` until
  a second person with the security-administrator role, who is neither the proposer nor the
  person concerned, approves (``same_person_approves``, ``approver_not_security_admin``).

Each change is a ``RoleChange`` row (who asked, for whom, which role, why, when, who approved), an
event on the audit chain under ``user:<pk>``, and a notice to the person concerned.
"""
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from monitoring.events import access_changed, actor_of, record
from trading import clock
from trading.errors import AccountError
from trading.models import TWO_PERSON_ROLES, Organisation, Role, RoleChange, User, UserRole
from trading.services.notifications import notify

# The roles each role (or a superuser, as "superuser") may grant and revoke.
CENTRE_ROLES = frozenset({Role.STAFF, Role.CUSTODIAN, Role.EXPERT, Role.SUPERVISOR, Role.REGULATOR,
                          Role.SECURITY_ADMIN, Role.STAFF_MANAGER})
# The centre's side of 管办分离: never held together with the regulator role.
CENTRE_SIDE = frozenset({Role.STAFF, Role.STAFF_MANAGER})
COMPANY_ROLES = frozenset({Role.BIDDER, Role.COMPANY_ADMIN})
GRANTABLE = {
    Role.SECURITY_ADMIN: CENTRE_ROLES,
    "superuser": CENTRE_ROLES | COMPANY_ROLES,
    Role.COMPANY_ADMIN: COMPANY_ROLES,
    # Staff grant the company roles when they approve a company, and the supervisor role when they
    # appoint a social supervisor from the registry (supervisors.registry), which vets them first.
    Role.STAFF: COMPANY_ROLES | {Role.SUPERVISOR},
}
REASON_MAX = 2000

# Staff keep reference data in the admin (markets and procedures) and may look up the records the
# platform's pages change (people, companies, rules, the calendar, holds); those change only there.
STAFF_GROUP = "trading-centre staff"
STAFF_ADMIN_CHANGE = ["market", "procedure"]
STAFF_ADMIN_VIEW = ["user", "organisation", "rule", "calendarday", "calendaryear", "calendaralert", "lothold"]


def _refuse(*, code: str, message, user: User, role: str, actor: str, action: str) -> None:
    with transaction.atomic():
        record(kind="role.refused", actor=actor, subject=f"user:{user.pk}",
               data={"role": role, "action": action, "code": code})
    raise AccountError(code, message)


def _powers(grantor: User | None) -> set[str]:
    if grantor is None:
        return set()
    powers = set()
    if grantor.is_superuser:
        powers |= GRANTABLE["superuser"]
    for held in grantor.role_set:
        powers |= GRANTABLE.get(held, frozenset())
    return powers


def _separation_check(*, user: User, role: str, grantor: User | None, actor: str, action: str) -> None:
    """The rules a grant or revocation must keep, whoever asks (see the module's docstring)."""
    refuse = {"user": user, "role": role, "actor": actor, "action": action}
    if role not in Role.values:
        raise AccountError("unknown_role", _("Unknown role: %(roles)s.") % {"roles": role}, status=400)
    if grantor is not None and grantor.pk == user.pk:
        _refuse(code="self_grant", message=_("Nobody grants or revokes a role of their own: another person "
                                             "does it."), **refuse)
    if grantor is not None and not actor.startswith("system:"):
        if role not in _powers(grantor):
            _refuse(code="not_allowed_to_grant", message=_("You may not grant or revoke the role “%(role)s”.")
                    % {"role": Role(role).label}, **refuse)
        if (role in COMPANY_ROLES and not grantor.is_superuser and not grantor.has_role(Role.STAFF)
                and grantor.organisation_id != user.organisation_id):
            _refuse(code="company_role_outsider", message=_("A company administrator manages the people of "
                                                            "their own company only."), **refuse)
    if action == RoleChange.Action.REVOKE:
        return
    held = user.role_set
    if (role == Role.REGULATOR and held & CENTRE_SIDE) or (role in CENTRE_SIDE and Role.REGULATOR in held):
        _refuse(code="staff_regulator", message=_("The centre's staff and the regulators are different people "
                                                  "(管办分离): nobody holds both roles."), **refuse)
    if role in COMPANY_ROLES:
        organisation = user.organisation
        if organisation is None or organisation.kind != Organisation.Kind.BIDDER:
            _refuse(code="company_role_outsider", message=_("The bidder and company-administrator roles are "
                                                            "for people of a bidding company."), **refuse)
        if organisation.status != Organisation.Status.APPROVED:
            _refuse(code="company_not_approved", message=_("The company is not approved yet: its people get "
                                                           "their roles once staff approve it."), **refuse)
        if Role.CUSTODIAN in held:
            _refuse(code="custodian_company_user", message=_("A key custodian is never a company's user."),
                    **refuse)
    if role == Role.CUSTODIAN and (held & COMPANY_ROLES or (user.organisation_id
                                                            and user.organisation.kind == Organisation.Kind.BIDDER)):
        _refuse(code="custodian_company_user", message=_("A company's user is never a key custodian."), **refuse)


def role_grant(*, user: User, role: str, reason: str = "", actor: str | None = None,
               grantor: User | None = None) -> RoleChange:
    """Grant ``role`` to ``user``, by ``grantor`` (a person) or by a ``system:*`` actor. A grant of a
    two-person role by a person waits for a second person's approval (``role_change_approve``)."""
    actor = actor or actor_of(grantor)
    if grantor is None and not actor.startswith("system:"):
        raise AccountError("not_allowed_to_grant", _("Roles are granted by a person or by the platform itself."))
    reason = (reason or "").strip()[:REASON_MAX]
    if grantor is not None and not reason:
        raise AccountError("reason_missing", _("Say why the role is granted."), status=400)
    _separation_check(user=user, role=role, grantor=grantor, actor=actor, action=RoleChange.Action.GRANT)
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=user.pk).first()
        if UserRole.objects.filter(user=user, role=role).exists():
            raise AccountError("role_held", _("%(person)s already holds the role “%(role)s”.")
                               % {"person": user, "role": Role(role).label}, status=409)
        if RoleChange.objects.filter(user=user, role=role, action=RoleChange.Action.GRANT,
                                     status=RoleChange.Status.PROPOSED).exists():
            raise AccountError("role_proposed", _("A grant of this role to this person already awaits approval."),
                               status=409)
        change = RoleChange.objects.create(user=user, role=role, action=RoleChange.Action.GRANT, reason=reason,
                                           proposed_by=actor, proposed_at=clock.now())
        if role in TWO_PERSON_ROLES and grantor is not None:
            record(kind="role.proposed", actor=actor, subject=f"user:{user.pk}",
                   data={"role": role, "change": change.pk, "reason": reason})
            return change
        _apply(change, actor=actor)
    return change


def role_revoke(*, user: User, role: str, reason: str = "", actor: str | None = None,
                grantor: User | None = None) -> RoleChange:
    """Take ``role`` from ``user``. Revocation takes one person: taking power away is never a risk."""
    actor = actor or actor_of(grantor)
    reason = (reason or "").strip()[:REASON_MAX]
    if grantor is not None and not reason:
        raise AccountError("reason_missing", _("Say why the role is revoked."), status=400)
    _separation_check(user=user, role=role, grantor=grantor, actor=actor, action=RoleChange.Action.REVOKE)
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=user.pk).first()
        if not UserRole.objects.filter(user=user, role=role).exists():
            raise AccountError("role_not_held", _("%(person)s does not hold the role “%(role)s”.")
                               % {"person": user, "role": Role(role).label}, status=409)
        change = RoleChange.objects.create(user=user, role=role, action=RoleChange.Action.REVOKE, reason=reason,
                                           proposed_by=actor, proposed_at=clock.now())
        _apply(change, actor=actor)
    return change


def role_change_approve(*, change_id: int, approver: User, approve: bool, reason: str = "") -> RoleChange:
    """The second person's decision on a proposed grant: a security administrator who is neither the
    proposer nor the person concerned."""
    actor = actor_of(approver)
    change = RoleChange.objects.select_related("user").filter(pk=change_id).first()
    if change is None:
        raise AccountError("role_change_missing", _("No such role change."), status=404)
    refuse = {"user": change.user, "role": change.role, "actor": actor, "action": "approve"}
    if not approver.has_role(Role.SECURITY_ADMIN):
        _refuse(code="approver_not_security_admin", message=_("A second person with the security-administrator "
                                                              "role approves this grant."), **refuse)
    if actor == change.proposed_by:
        _refuse(code="same_person_approves", message=_("You proposed this grant: a second person approves it."),
                **refuse)
    if approver.pk == change.user_id:
        _refuse(code="self_grant", message=_("Nobody grants or revokes a role of their own: another person "
                                             "does it."), **refuse)
    reason = (reason or "").strip()[:REASON_MAX]
    if not approve and not reason:
        raise AccountError("reason_missing", _("Say why the grant is refused."), status=400)
    if approve:  # the person's roles may have changed since the proposal
        _separation_check(user=change.user, role=change.role, grantor=approver, actor=actor,
                          action=RoleChange.Action.GRANT)
    with transaction.atomic():
        change = RoleChange.objects.select_for_update().select_related("user").get(pk=change_id)
        if change.status != RoleChange.Status.PROPOSED:
            raise AccountError("role_change_decided", _("This grant was already decided."), status=409)
        change.decided_by, change.decided_at, change.decision_reason = actor, clock.now(), reason
        if approve:
            _apply(change, actor=actor)
        else:
            change.refuse()
            change.save()
            record(kind="role.proposal_refused", actor=actor, subject=f"user:{change.user_id}",
                   data={"role": change.role, "change": change.pk, "reason": reason})
            notify(user=change.user, kind="role.proposal_refused",
                   title=gettext_lazy("The proposed role “%(role)s” was not granted"),
                   body=gettext_lazy("Reason: %(reason)s"), params={"role": Role(change.role).label, "reason": reason},
                   link="/account/")
    return change


def _apply(change: RoleChange, *, actor: str) -> None:
    """Carry out a grant or revocation: the role row, the admin's staff group, the audit event and
    the notice. Caller holds the person's lock."""
    user, role = change.user, change.role
    if change.action == RoleChange.Action.GRANT:
        UserRole.objects.create(user=user, role=role, granted_by=change.proposed_by)
        if role == Role.STAFF:
            _admit_to_admin(user)
        kind, title = "role.granted", gettext_lazy("You now hold the role “%(role)s”")
    else:
        UserRole.objects.filter(user=user, role=role).delete()
        if role == Role.STAFF:
            user.is_staff = False
            user.save(update_fields=["is_staff"])
            user.groups.remove(*Group.objects.filter(name=STAFF_GROUP))
        kind, title = "role.revoked", gettext_lazy("The role “%(role)s” was taken from you")
    user.__dict__.pop("_role_set", None)
    access_changed(user.pk)  # open live rooms check the person's roles again after commit
    if change.decided_by == "":
        change.decided_by, change.decided_at = change.proposed_by, clock.now()
    change.carry_out()
    change.save()
    record(kind=kind, actor=actor, subject=f"user:{user.pk}",
           data={"role": role, "change": change.pk, "reason": change.reason, "proposed_by": change.proposed_by,
                 "approved_by": change.decided_by if change.decided_by != change.proposed_by else None})
    notify(user=user, kind=kind, title=title, body=gettext_lazy("Reason: %(reason)s"),
           params={"role": Role(role).label, "reason": change.reason or "-"}, link="/account/")


def staff_admin_permissions():
    """The permissions of the staff's admin group, and nothing else."""
    return Permission.objects.filter(content_type__app_label="trading").filter(
        Q(content_type__model__in=STAFF_ADMIN_CHANGE, codename__regex=r"^(view|add|change)_")
        | Q(content_type__model__in=STAFF_ADMIN_VIEW, codename__startswith="view_"))


def _admit_to_admin(user: User) -> None:
    group, created = Group.objects.get_or_create(name=STAFF_GROUP)
    wanted = staff_admin_permissions()
    if created or set(group.permissions.all()) != set(wanted):
        group.permissions.set(wanted)
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    user.groups.add(group)

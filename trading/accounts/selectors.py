"""Reads about accounts, companies, roles and notices."""
from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext

from monitoring.events import WITHHELD_ACTOR
from trading.models import SECOND_FACTOR_ROLES, Organisation, OrganisationChange, Role, RoleChange, User, UserRole


SYSTEM_ACTOR = "system"


def second_factor_needed(user) -> bool:
    """Whether this person's sessions need a second factor: a role that runs, keeps or reviews deals,
    or a superuser."""
    return user.is_superuser or bool(user.role_set & SECOND_FACTOR_ROLES)


def may_manage_roles(user) -> bool:
    return user.is_authenticated and (user.is_superuser or user.has_role(Role.SECURITY_ADMIN))


def people_list(*, query: str = "", role: str = ""):
    """People for the security administrator's list, with their roles, searchable by name."""
    people = User.objects.select_related("organisation").prefetch_related("roles").order_by("username")
    if query:
        people = people.filter(Q(username__icontains=query) | Q(display_name__icontains=query)
                               | Q(organisation__name__icontains=query))
    if role:
        people = people.filter(roles__role=role)
    return people


def role_changes_list(*, user_id: int | None = None, status: str = "", role: str = ""):
    """The grant history, newest first; filtered by person, status or role."""
    changes = RoleChange.objects.select_related("user", "user__organisation").order_by("-proposed_at", "-pk")
    if user_id is not None:
        changes = changes.filter(user_id=user_id)
    if status:
        changes = changes.filter(status=status)
    if role:
        changes = changes.filter(role=role)
    return changes


def actor_names(actors) -> dict[str, str]:
    """Who each actor string of the record is, for people (never ``user:2``): a person's display
    name, "the platform" for its own steps (``system``, ``system:clock``), a bidder's number in a
    sale (``bidder:3``); one query for all the people among them."""
    actors = {actor for actor in actors if actor}
    ids = {actor: int(actor.removeprefix("user:")) for actor in actors
           if actor.startswith("user:") and actor.removeprefix("user:").isdigit()}
    people = {user.pk: str(user) for user in User.objects.filter(pk__in=set(ids.values()))}
    names = {}
    for actor in actors:
        if actor in ids:
            names[actor] = people.get(ids[actor]) or gettext("A former user")
        elif actor == SYSTEM_ACTOR or actor.startswith(SYSTEM_ACTOR + ":"):
            names[actor] = gettext("The platform")
        elif actor.startswith("bidder:"):
            names[actor] = gettext("Bidder No. %(n)s") % {"n": actor.removeprefix("bidder:")}
        elif actor == WITHHELD_ACTOR:
            names[actor] = gettext("Withheld until the opening")
        else:
            names[actor] = gettext("Someone else")
    return names


def actor_name(actor: str) -> str:
    return actor_names([actor])[actor] if actor else "—"


def with_actor_names(changes) -> list:
    """The role changes, each with ``proposed_by_name`` and ``decided_by_name`` for display."""
    changes = list(changes)
    names = actor_names({actor for change in changes for actor in (change.proposed_by, change.decided_by) if actor})
    for change in changes:
        change.proposed_by_name = names.get(change.proposed_by, change.proposed_by)
        change.decided_by_name = names.get(change.decided_by, "") if change.decided_by != change.proposed_by else ""
    return changes


def notifications_for(*, user, unread_only: bool = False):
    notices = user.notifications.order_by("-created_at", "-pk")
    return notices.filter(read_at__isnull=True) if unread_only else notices

def company_of(user) -> Organisation | None:
    """The bidding company the signed-in person belongs to, whatever its review status."""
    if not user.is_authenticated or user.organisation_id is None:
        return None
    organisation = user.organisation
    return organisation if organisation.kind == Organisation.Kind.BIDDER else None


def company_history(organisation: Organisation) -> QuerySet[OrganisationChange]:
    """The approved sign-up and changes, newest first: what the company's particulars were and when."""
    return organisation.changes.filter(status=OrganisationChange.Status.APPROVED).select_related("submitted_by")


def company_pending(organisation: Organisation) -> OrganisationChange | None:
    return organisation.changes.filter(status=OrganisationChange.Status.PENDING).select_related(
        "submitted_by").first()


def company_refusal(organisation: Organisation) -> OrganisationChange | None:
    """The refused sign-up, with staff's reason, while the company stands refused."""
    if organisation.status != Organisation.Status.REFUSED:
        return None
    return organisation.changes.filter(kind=OrganisationChange.Kind.SIGN_UP,
                                       status=OrganisationChange.Status.REFUSED).first()


def company_people(organisation: Organisation) -> QuerySet[User]:
    """The company's people, present ones first, each with their roles."""
    return (User.objects.filter(organisation=organisation)
            .prefetch_related(Prefetch("roles", queryset=UserRole.objects.order_by("role")))
            .order_by("-is_active", "username"))


def company_reviews_pending() -> QuerySet[OrganisationChange]:
    """Staff's queue: sign-ups and changes awaiting a decision, the oldest first."""
    return (OrganisationChange.objects.filter(status=OrganisationChange.Status.PENDING)
            .select_related("organisation", "submitted_by").order_by("submitted_at", "pk"))


def company_licence_change(*, change_id: int, user) -> OrganisationChange | None:
    """A review whose business licence ``user`` may download: staff, and the company's own people."""
    change = OrganisationChange.objects.filter(pk=change_id).first()
    if change is None or not user.is_authenticated or not user.is_active:
        return None
    member = user.organisation_id is not None and user.organisation_id == change.organisation_id
    return change if member or user.has_role(Role.STAFF) else None


def person_roles(person: User) -> list[str]:
    """The roles of a person from ``company_people``, in the prefetched order."""
    return [grant.role for grant in person.roles.all()]

"""Relations a supervisor declares with organisations (as experts declare theirs): each is a ground
of exclusion from the draw of any lot where that organisation is the tenderee or a bidder
(``draws._grounds``: ``declared_relation``, shown on the public record as ``conflict``)."""
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from monitoring.events import actor_of, record
from supervisors.registry.errors import RegistryError, refuse
from supervisors.registry.errors import RegistryErrorCode as Code
from supervisors.registry.models import Supervisor, SupervisorRelation
from supervisors.registry.services.common import reason_text, subject_of, supervisor_lock
from trading import clock
from trading.models import Organisation, Role, User


def supervisor_relation_declare(*, supervisor_id: int, user: User, organisation_uscc: str, kind: str,
                                note: str = "") -> SupervisorRelation:
    """The supervisor declares a relation; staff may record one the supervisor declared in writing.
    The organisation is named by its unified social credit code, as it is known on the platform."""
    actor, subject = actor_of(user), subject_of(supervisor_id)
    own = Supervisor.objects.filter(pk=supervisor_id, user_id=getattr(user, "pk", None)).exists()
    if not own and not (user.is_authenticated and user.has_role(Role.STAFF)):
        refuse(Code.NOT_YOURS, _("A supervisor declares their own relations; staff may record them."), actor=actor,
               subject=subject)
    if kind not in SupervisorRelation.Kind.values:
        raise RegistryError(Code.RELATION_KIND, _("Choose the kind of relation."))
    organisation = Organisation.objects.filter(uscc=(organisation_uscc or "").strip().upper()).first()
    if organisation is None:
        raise RegistryError(Code.RELATION_ORGANISATION, _("No organisation on the platform has this unified social "
                                                          "credit code."))
    note = reason_text(note, required=False)
    try:
        with transaction.atomic():
            supervisor = supervisor_lock(supervisor_id)
            relation = SupervisorRelation.objects.create(supervisor=supervisor, organisation=organisation, kind=kind,
                                                         note=note, declared_by=actor, declared_at=clock.now())
            record(kind="supervisor.relation_declared", actor=actor, subject=subject,
                   data={"relation": relation.pk, "organisation": organisation.pk, "uscc": organisation.uscc,
                         "kind": kind})
    except IntegrityError:
        raise RegistryError(Code.RELATION_EXISTS, _("This relation is declared already."), status=409) from None
    return relation

"""Accountability (问责) and the yearly evaluation of a social supervisor.

A sanction is a warning, a suspension or a dismissal, each with its reason and optional evidence (a
PDF in the object store); a suspension or a dismissal also moves the supervisor (``lifecycle``).
The evaluation's figures are computed from the record (``selectors.supervisor_figures``) when staff
give the grade, and kept with it as they stood then."""
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from monitoring.events import record
from supervisors.registry.errors import RegistryError
from supervisors.registry.errors import RegistryErrorCode as Code
from supervisors.registry.models import Sanction, SupervisorEvaluation
from supervisors.registry.selectors import supervisor_figures
from supervisors.registry.services.common import (lock_for_seats, reason_text, staff_on, status_move, subject_of,
                                                  supervisor_lock)
from supervisors.registry.services.documents import Upload, pdf_store
from supervisors.registry.services.lifecycle import dismiss_locked
from trading import clock
from trading.models import User
from trading.services.notifications import notify
from trading.workdays import local_day

FIRST_YEAR = 2000


def sanction_impose(*, supervisor_id: int, by: User, kind: str, reason: str,
                    evidence: Upload | None = None) -> Sanction:
    """Record a sanction; a suspension suspends and a dismissal dismisses (the role and every seat
    revoked), in the same transaction."""
    actor, reason = staff_on(by, supervisor_id), reason_text(reason)
    if kind not in Sanction.Kind.values:
        raise RegistryError(Code.SANCTION_KIND, _("A sanction is a warning, a suspension or a dismissal."))
    key, sha256 = pdf_store(evidence, folder=f"supervisors/{supervisor_id}/sanctions", what=_("The evidence"),
                            required=False)
    with transaction.atomic():
        if kind == Sanction.Kind.DISMISSAL:
            supervisor = lock_for_seats(supervisor_id)
            dismiss_locked(supervisor, by=by, actor=actor, reason=reason)
        else:
            supervisor = supervisor_lock(supervisor_id)
            if kind == Sanction.Kind.SUSPENSION:
                status_move(supervisor, "suspend", reason=reason, actor=actor, kind="supervisor.suspended")
        sanction = Sanction.objects.create(supervisor=supervisor, kind=kind, reason=reason, evidence_key=key,
                                           evidence_sha256=sha256, by=actor, at=clock.now())
        record(kind="supervisor.sanctioned", actor=actor, subject=subject_of(supervisor.pk),
               data={"sanction": sanction.pk, "kind": kind, "reason": reason, "evidence_sha256": sha256})
        if kind == Sanction.Kind.WARNING:  # a suspension or dismissal told the person with its move
            notify(user=supervisor.user, kind="supervisor.warned", title=_("You received a warning as a social "
                                                                           "supervisor"),
                   body=_("Reason: %(reason)s"), params={"reason": reason})
    return sanction


def evaluation_record(*, supervisor_id: int, by: User, year: int, grade: str,
                      comment: str = "") -> SupervisorEvaluation:
    """The year's evaluation: the figures from the record, and staff's grade and comment."""
    actor, comment = staff_on(by, supervisor_id), reason_text(comment, required=False)
    if not isinstance(year, int) or not FIRST_YEAR <= year <= local_day(clock.now()).year:
        raise RegistryError(Code.EVALUATION_YEAR, _("Evaluate a year that has begun."))
    if grade not in SupervisorEvaluation.Grade.values:
        raise RegistryError(Code.GRADE_INVALID, _("The grade is excellent, good, pass or fail."))
    try:
        with transaction.atomic():
            supervisor = supervisor_lock(supervisor_id)
            figures = supervisor_figures(supervisor=supervisor, year=year)
            evaluation = SupervisorEvaluation.objects.create(supervisor=supervisor, year=year, figures=figures,
                                                             grade=grade, comment=comment, by=actor, at=clock.now())
            record(kind="supervisor.evaluated", actor=actor, subject=subject_of(supervisor.pk),
                   data={"year": year, "grade": grade, "figures": figures})
            notify(user=supervisor.user, kind="supervisor.evaluated",
                   title=_("Your evaluation as a social supervisor for %(year)s: %(grade)s"),
                   body=_("Comment: %(comment)s") if comment else "",
                   params={"year": year, "grade": SupervisorEvaluation.Grade(grade).label, "comment": comment})
    except IntegrityError:
        raise RegistryError(Code.EVALUATION_EXISTS, _("%(year)s is evaluated already.") % {"year": year},
                            status=409) from None
    return evaluation

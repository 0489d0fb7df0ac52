"""Social supervisors (社会监督员) of a lot: who staff assigned to watch it, and each supervisor's
observation note, the draft of their report on that lot. Challenges and complaints: see
``supervisors.complaints.models``."""
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

# Complaints and challenges, the registry and draws, the sessions' rights and reports, and the
# regulators' inquiries and public reports have their own parts; Django finds their models here.
from supervisors.complaints.models import Challenge, Complaint
from supervisors.registry.models import (Recusal, Sanction, SessionKind, Supervisor, SupervisorDraw,
                                         SupervisorEvaluation, SupervisorRelation, SupervisorStatusChange)
from supervisors.regulation.models import Inquiry, PublicReport
from supervisors.sessions.models import (LiaisonQuestion, ObservationReport, OfficialCheckIn, SessionObjection,
                                         StopRequest)

__all__ = ["Assignment", "Challenge", "Complaint", "Inquiry", "LiaisonQuestion", "ObservationNote",
           "ObservationReport", "OfficialCheckIn", "PublicReport", "Recusal", "Sanction", "SessionKind",
           "SessionObjection", "StopRequest", "Supervisor", "SupervisorDraw", "SupervisorEvaluation",
           "SupervisorRelation", "SupervisorStatusChange"]


class Assignment(models.Model):
    """A supervisor assigned to a lot. Revoking keeps the row (who watched when is part of the
    record); a later assignment of the same person is a new row."""

    lot = models.ForeignKey("trading.Lot", verbose_name=_("lot"), on_delete=models.PROTECT,
                            related_name="supervisor_assignments")
    supervisor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("supervisor"), on_delete=models.PROTECT,
                                   related_name="supervisor_assignments")
    assigned_by = models.CharField(_("assigned by"), max_length=64)
    assigned_at = models.DateTimeField(_("assigned at"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.CharField(_("revoked by"), max_length=64, blank=True)
    # Seats from a random draw: the draw and the session they are for; staff's direct assignments
    # (before draws, and for a lot as a whole) have neither.
    draw = models.ForeignKey("supervisors.SupervisorDraw", verbose_name=_("draw"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="seats")
    session_kind = models.CharField(_("session"), max_length=16, choices=SessionKind.choices, blank=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)

    class Meta:
        verbose_name = _("supervisor assignment")
        verbose_name_plural = _("supervisor assignments")
        constraints = [
            # One active seat per person and session of a lot ("" for staff's seat on the whole lot), so
            # one supervisor may be drawn for a lot's opening and for its evaluation.
            models.UniqueConstraint(fields=["lot", "supervisor", "session_kind"], condition=Q(revoked_at__isnull=True),
                                    name="supervisor_assignment_active_once"),
            models.CheckConstraint(
                condition=Q(revoked_at__isnull=True, revoked_by="") | (Q(revoked_at__isnull=False) & ~Q(revoked_by="")),
                name="supervisor_assignment_revoked_by_whom"),
        ]

    def __str__(self):
        return f"{self.lot_id} · {self.supervisor_id}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class ObservationNote(models.Model):
    """The draft of one supervisor's observation report on one lot; saved over and over."""

    lot = models.ForeignKey("trading.Lot", verbose_name=_("lot"), on_delete=models.PROTECT,
                            related_name="observation_notes")
    supervisor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("supervisor"), on_delete=models.PROTECT,
                                   related_name="observation_notes")
    text = models.TextField(_("note"), blank=True)
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        verbose_name = _("observation note")
        verbose_name_plural = _("observation notes")
        constraints = [models.UniqueConstraint(fields=["lot", "supervisor"], name="observation_note_once")]

    def __str__(self):
        return f"{self.lot_id} · {self.supervisor_id}"


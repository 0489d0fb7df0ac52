"""A supervisor's rights during and after a session of a lot, and officials at major sessions.

During a live session (opening, evaluation, auction) a drawn supervisor may ask the centre's
liaison a question on the record (``LiaisonQuestion``), record an objection (``SessionObjection``)
and raise a stop request (``StopRequest``) that staff must answer on the record within the rule
table's minutes; the room shows it to everyone watching. After it, the supervisor files one
``ObservationReport``: the session kind's checklist, issues, a rating and text, attachments, and
whether they sign the session off; once submitted it is locked and signed with the platform key.
A major session (above the market's threshold) starts only once an official has checked in to its
room (``OfficialCheckIn``)."""
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from supervisors.registry.models import SessionKind


class StopRequest(models.Model):
    class Decision(models.TextChoices):
        STOPPED = "stopped", _("Session stopped")
        CONTINUED = "continued", _("Session continues")

    lot = models.ForeignKey("trading.Lot", verbose_name=_("lot"), on_delete=models.PROTECT,
                            related_name="stop_requests")
    session_kind = models.CharField(_("session"), max_length=16, choices=SessionKind.choices)
    supervisor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("supervisor"), on_delete=models.PROTECT,
                                   related_name="stop_requests")
    reason = models.TextField(_("reason"))
    raised_at = models.DateTimeField(_("raised at"))
    answer_due_at = models.DateTimeField(_("answer due at"))
    decision = models.CharField(_("decision"), max_length=16, choices=Decision.choices, blank=True)
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.CharField(_("answered by"), max_length=64, blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        ordering = ["raised_at", "pk"]
        indexes = [models.Index(fields=["answered_at", "answer_due_at"], name="stop_request_open")]


class LiaisonQuestion(models.Model):
    lot = models.ForeignKey("trading.Lot", verbose_name=_("lot"), on_delete=models.PROTECT,
                            related_name="liaison_questions")
    supervisor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("supervisor"), on_delete=models.PROTECT,
                                   related_name="liaison_questions")
    text = models.TextField(_("question"))
    asked_at = models.DateTimeField(_("asked at"))
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.CharField(_("answered by"), max_length=64, blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        ordering = ["asked_at", "pk"]


class SessionObjection(models.Model):
    lot = models.ForeignKey("trading.Lot", verbose_name=_("lot"), on_delete=models.PROTECT,
                            related_name="supervisor_objections")
    session_kind = models.CharField(_("session"), max_length=16, choices=SessionKind.choices)
    supervisor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("supervisor"), on_delete=models.PROTECT,
                                   related_name="session_objections")
    text = models.TextField(_("objection"))
    at = models.DateTimeField(_("at"))

    class Meta:
        ordering = ["at", "pk"]


class ObservationReport(models.Model):
    """Locked once submitted: ``payload`` is the canonical JSON that was signed, ``signature`` the
    platform's Ed25519 signature over it (base64)."""

    assignment = models.OneToOneField("supervisors.Assignment", on_delete=models.PROTECT,
                                      related_name="report")
    session_kind = models.CharField(_("session"), max_length=16, choices=SessionKind.choices)
    checklist = models.JSONField(_("checklist"), default=dict)
    issues = models.TextField(_("issues found"), blank=True)
    rating = models.PositiveSmallIntegerField(_("rating"))
    text = models.TextField(_("report"), blank=True)
    attachments = models.JSONField(_("attachments"), default=list)
    signed_off = models.BooleanField(_("signs the session off"))
    refusal_reason = models.TextField(_("why the session is not signed off"), blank=True)
    due_at = models.DateTimeField(_("due at"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"))
    payload = models.TextField(_("signed content"))
    signature = models.CharField(_("signature"), max_length=128)

    class Meta:
        ordering = ["submitted_at", "pk"]
        constraints = [models.CheckConstraint(condition=Q(rating__gte=1, rating__lte=5), name="report_rating_1_5")]


class OfficialCheckIn(models.Model):
    """An official (a regulator or the centre's management) present in a major session's room."""

    lot = models.ForeignKey("trading.Lot", verbose_name=_("lot"), on_delete=models.PROTECT,
                            related_name="official_check_ins")
    session_kind = models.CharField(_("session"), max_length=16, choices=SessionKind.choices)
    official = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("official"), on_delete=models.PROTECT,
                                 related_name="check_ins")
    at = models.DateTimeField(_("checked in at"))

    class Meta:
        ordering = ["at", "pk"]
        constraints = [models.UniqueConstraint(fields=["lot", "session_kind", "official"],
                                               name="official_check_in_once")]

"""Regulators acting online: inquiries (问询) to the centre or a party about a lot, answered on the
record by a due date; and the public reporting channel (网上举报): anyone reports a suspected
violation with evidence, gets a case number, follows the case and rates the answer. A regulator's
suspension order is a ``trading.LotHold`` of reason ``order`` (held and released by regulators)."""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition


class Inquiry(models.Model):
    lot = models.ForeignKey("trading.Lot", verbose_name=_("lot"), on_delete=models.PROTECT, related_name="inquiries")
    # The addressee: the centre (no organisation) or a party of the lot.
    organisation = models.ForeignKey("trading.Organisation", verbose_name=_("party asked"), null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="inquiries")
    question = models.TextField(_("question"))
    due_at = models.DateTimeField(_("answer due at"))
    asked_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("asked by"), on_delete=models.PROTECT,
                                 related_name="inquiries_asked")
    asked_at = models.DateTimeField(_("asked at"))
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("answered by"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="inquiries_answered")
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        verbose_name_plural = _("inquiries")
        ordering = ["-asked_at", "-pk"]


class PublicReport(FSMModelMixin, models.Model):
    """A report of a suspected violation. The reporter (signed in, or anonymous with a contact)
    follows the case with its number and ``follow_token``; their identity is shown to regulators only."""

    class Status(models.TextChoices):
        RECEIVED = "received", _("Received")
        TRIAGED = "triaged", _("Being handled")
        ANSWERED = "answered", _("Answered")
        CLOSED = "closed", _("Closed")

    case_number = models.CharField(_("case number"), max_length=32, unique=True)
    follow_token = models.CharField(max_length=64, unique=True)
    lot = models.ForeignKey("trading.Lot", verbose_name=_("lot"), null=True, blank=True, on_delete=models.PROTECT,
                            related_name="public_reports")
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("reporter"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="public_reports")
    contact = models.CharField(_("contact"), max_length=200, blank=True)
    text = models.TextField(_("what happened"))
    evidence = models.JSONField(_("evidence"), default=list)
    status = FSMField(_("status"), max_length=16, choices=Status.choices, default=Status.RECEIVED, protected=True)
    received_at = models.DateTimeField(_("received at"))
    triaged_by = models.CharField(_("handled by"), max_length=64, blank=True)
    triaged_at = models.DateTimeField(_("handled from"), null=True, blank=True)
    triage_note = models.TextField(_("regulator's note"), blank=True)
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.CharField(_("answered by"), max_length=64, blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    rating = models.PositiveSmallIntegerField(_("reporter's rating"), null=True, blank=True)
    rated_at = models.DateTimeField(_("rated at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        ordering = ["-received_at", "-pk"]

    @transition(field=status, source=Status.RECEIVED, target=Status.TRIAGED)
    def triage(self):
        """A regulator takes the case up."""

    @transition(field=status, source=Status.TRIAGED, target=Status.ANSWERED)
    def answer_case(self):
        """The regulator's answer to the reporter."""

    @transition(field=status, source=[Status.RECEIVED, Status.TRIAGED, Status.ANSWERED], target=Status.CLOSED)
    def close(self):
        """Done: after the answer, or at once for a report outside the regulator's remit."""

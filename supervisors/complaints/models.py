"""Procurement challenges (质疑) and complaints (投诉) about a lot, and how regulators handle them.

A challenge goes to the purchaser's side (staff reply); a complaint goes to the regulator, who
accepts or refuses it, may order the lot suspended, and decides. Each due instant is stored when
the step that starts its period happens, from the rule table and the working-day calendar, as the
exclusive end of its last day (``trading.workdays``); a step taken at or after it is late.

Who filed stays with the filer, the regulator and the centre: the lot's public page and room learn
only that the procedure is suspended or terminated.
"""
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_fsm import FSMField, FSMModelMixin, transition

from trading.workdays import local_day


def _last_day(due_at: datetime | None) -> date | None:
    """The local day a period ends on: ``due_at`` is 24:00 of it, the start of the next day."""
    return local_day(due_at) - timedelta(days=1) if due_at else None


class Challenge(FSMModelMixin, models.Model):
    """A supplier's challenge (质疑) to a procurement lot, and the purchaser's reply."""

    class Status(models.TextChoices):
        FILED = "filed", _("Awaiting reply")
        REPLIED = "replied", _("Replied")

    lot = models.ForeignKey("trading.Lot", verbose_name=_("lot"), on_delete=models.PROTECT, related_name="challenges")
    organisation = models.ForeignKey("trading.Organisation", verbose_name=_("supplier"), on_delete=models.PROTECT,
                                     related_name="+")
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("filed by"), on_delete=models.PROTECT,
                                 related_name="+")
    matter = models.CharField(_("what is challenged"), max_length=300)
    grounds = models.TextField(_("facts and grounds"))
    known_on = models.DateField(_("known on"), help_text=_("The day the supplier knew or should have known."))
    filed_at = models.DateTimeField(_("filed at"))
    reply_due_at = models.DateTimeField(_("reply due"), db_index=True)
    reply_due_provisional = models.BooleanField(_("reply due date provisional"), default=False)
    status = FSMField(_("status"), default=Status.FILED, choices=Status.choices, protected=True)
    reply = models.TextField(_("reply"), blank=True)
    replied_at = models.DateTimeField(_("replied at"), null=True, blank=True)
    replied_by = models.CharField(_("replied by"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("challenge")
        verbose_name_plural = _("challenges")
        ordering = ["filed_at", "id"]

    def __str__(self):
        return f"{self.lot_id}/{self.pk}"

    @transition(field=status, source=Status.FILED, target=Status.REPLIED)
    def answer(self):
        """The purchaser or its agency replied in writing."""

    @property
    def reply_last_day(self) -> date:
        return _last_day(self.reply_due_at)

    @property
    def replied_late(self) -> bool:
        return self.replied_at is not None and self.replied_at >= self.reply_due_at


class Complaint(FSMModelMixin, models.Model):
    """A complaint (投诉) against one lot: ``filed → accepted | refused``, ``accepted → decided``."""

    class Status(models.TextChoices):
        FILED = "filed", _("Filed")
        ACCEPTED = "accepted", pgettext_lazy("complaint status", "Accepted")
        REFUSED = "refused", _("Refused")
        DECIDED = "decided", _("Decided")

    class Outcome(models.TextChoices):
        UPHELD = "upheld", _("Upheld")
        DISMISSED = "dismissed", _("Dismissed")

    lot = models.ForeignKey("trading.Lot", verbose_name=_("lot"), on_delete=models.PROTECT, related_name="complaints")
    organisation = models.ForeignKey("trading.Organisation", verbose_name=_("complainant"),
                                     on_delete=models.PROTECT, related_name="+")
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("filed by"), on_delete=models.PROTECT,
                                 related_name="+")
    # Procurement: the complainant's own challenge the complaint follows (政府采购法 Art 55).
    challenge = models.ForeignKey(Challenge, verbose_name=_("challenge"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="complaints")
    act = models.CharField(_("act complained of"), max_length=300)
    grounds = models.TextField(_("facts and grounds"))
    known_on = models.DateField(_("known on"), help_text=_("The day the complainant knew or should have known."))
    filed_at = models.DateTimeField(_("filed at"))
    acceptance_due_at = models.DateTimeField(_("acceptance due"))
    acceptance_due_provisional = models.BooleanField(_("acceptance due date provisional"), default=False)
    status = FSMField(_("status"), default=Status.FILED, choices=Status.choices, protected=True)
    reviewed_at = models.DateTimeField(_("accepted or refused at"), null=True, blank=True)
    reviewed_by = models.CharField(_("accepted or refused by"), max_length=64, blank=True)
    refusal_reasons = models.TextField(_("reasons for refusal"), blank=True)
    # Set at filing where the period counts from receipt (procurement), else at acceptance.
    decision_due_at = models.DateTimeField(_("decision due"), null=True, blank=True)
    decision_due_provisional = models.BooleanField(_("decision due date provisional"), default=False)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.CharField(_("decided by"), max_length=64, blank=True)
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices, blank=True)
    decision_reasons = models.TextField(_("reasons for the decision"), blank=True)
    terminated_lot = models.BooleanField(_("lot terminated"), default=False)

    class Meta:
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        ordering = ["filed_at", "id"]
        indexes = [models.Index(fields=["status", "acceptance_due_at"], name="complaint_status_due")]
        constraints = [
            models.CheckConstraint(condition=Q(terminated_lot=False) | Q(outcome="upheld"),
                                   name="complaint_terminates_only_when_upheld"),
        ]

    def __str__(self):
        return f"{self.lot_id}/{self.pk}"

    @transition(field=status, source=Status.FILED, target=Status.ACCEPTED)
    def accept(self):
        """The regulator takes the complaint up."""

    @transition(field=status, source=Status.FILED, target=Status.REFUSED)
    def refuse(self):
        """Not taken up (out of time, not an interested party, no grounds), with reasons."""

    @transition(field=status, source=Status.ACCEPTED, target=Status.DECIDED)
    def decide(self):
        """The written decision: upheld or dismissed."""

    @property
    def due_at(self) -> datetime | None:
        """When the regulator's next step is due; None once decided or refused."""
        if self.status == self.Status.FILED:
            return self.acceptance_due_at
        if self.status == self.Status.ACCEPTED:
            return self.decision_due_at
        return None

    @property
    def due_last_day(self) -> date | None:
        return _last_day(self.due_at)

    @property
    def acceptance_last_day(self) -> date:
        return _last_day(self.acceptance_due_at)

    @property
    def decision_last_day(self) -> date | None:
        return _last_day(self.decision_due_at)

    @property
    def reviewed_late(self) -> bool:
        return self.reviewed_at is not None and self.reviewed_at >= self.acceptance_due_at

    @property
    def decided_late(self) -> bool:
        return (self.decided_at is not None and self.decision_due_at is not None
                and self.decided_at >= self.decision_due_at)

    def is_overdue(self, now: datetime) -> bool:
        return self.due_at is not None and self.due_at <= now

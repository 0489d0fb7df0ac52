"""Reviews of companies and the history of roles: the records that make every grant of power visible.

A company's sign-up and every later change of its name, legal representative or business licence is
an ``OrganisationChange`` that staff approve or refuse with a reason; the approved ones are the
company's history. Every grant and revocation of a role is a ``RoleChange``: who asked, for whom,
which role, why, when, and, for the roles that take two people, who approved."""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition

from trading.models.parties import Organisation, Role


class OrganisationChange(FSMModelMixin, models.Model):
    class Kind(models.TextChoices):
        SIGN_UP = "sign_up", _("Sign-up")
        CHANGE = "change", _("Change of particulars")

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting review")
        APPROVED = "approved", _("Approved")
        REFUSED = "refused", _("Refused")

    organisation = models.ForeignKey(Organisation, verbose_name=_("company"), on_delete=models.PROTECT,
                                     related_name="changes")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    status = FSMField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING, protected=True)
    name = models.CharField(_("name"), max_length=200)
    legal_representative = models.CharField(_("legal representative"), max_length=100)
    licence_key = models.CharField(_("business licence (stored object)"), max_length=300)
    licence_name = models.CharField(_("business licence file name"), max_length=200)
    licence_sha256 = models.CharField(_("business licence SHA-256"), max_length=64)
    previous = models.JSONField(_("particulars before"), default=dict, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("submitted by"),
                                     on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(_("submitted at"))
    reviewed_by = models.CharField(_("reviewed by"), max_length=64, blank=True)
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["organisation"], condition=models.Q(status="pending"),
                                               name="organisation_one_pending_change")]

    def __str__(self):
        return f"{self.organisation} · {self.get_kind_display()} · {self.get_status_display()}"

    @transition(field=status, source=Status.PENDING, target=Status.APPROVED)
    def approve(self):
        """Caller holds the company's lock and applies the particulars."""

    @transition(field=status, source=Status.PENDING, target=Status.REFUSED)
    def refuse(self):
        """Caller holds the company's lock; the reason is kept."""


class RoleChange(FSMModelMixin, models.Model):
    class Action(models.TextChoices):
        GRANT = "grant", _("Grant")
        REVOKE = "revoke", _("Revocation")

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Awaiting a second person")
        DONE = "done", _("Done")
        REFUSED = "refused", _("Refused")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("person"), on_delete=models.PROTECT,
                             related_name="role_changes")
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    action = models.CharField(_("action"), max_length=8, choices=Action.choices)
    status = FSMField(_("status"), max_length=16, choices=Status.choices, default=Status.PROPOSED, protected=True)
    reason = models.TextField(_("reason"))
    proposed_by = models.CharField(_("asked by"), max_length=64)
    proposed_at = models.DateTimeField(_("asked at"))
    decided_by = models.CharField(_("approved or refused by"), max_length=64, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_reason = models.TextField(_("reason for the decision"), blank=True)

    class Meta:
        ordering = ["-proposed_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["user", "role", "action"],
                                               condition=models.Q(status="proposed"),
                                               name="role_change_one_proposal")]

    def __str__(self):
        return f"{self.get_action_display()} · {self.user} · {self.get_role_display()}"

    @transition(field=status, source=Status.PROPOSED, target=Status.DONE)
    def carry_out(self):
        """Applied to the person's roles, by the asker alone or after a second person's approval."""

    @transition(field=status, source=Status.PROPOSED, target=Status.REFUSED)
    def refuse(self):
        """The second person refused, or the service refused it under a separation rule."""

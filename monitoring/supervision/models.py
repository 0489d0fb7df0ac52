"""Electronic supervision (电子监察): alerts raised by themselves.

An ``Alert`` is raised by the supervision sweep, either because a time-limited step of a lot nears
its limit (``yellow``) or passed it (``red``), counted on the real working-day calendar, or because
an event on the audit chain calls for one (a refused attempt to read sealed data, a failed
custodian passphrase, an opening started late, a stop request, a red flag). A regulator
acknowledges it with a comment; it is resolved when the step is done. Alerts are never deleted;
every change is an audit event under the subject ``alerts`` (the supervision dashboard's live
feed). ``key`` makes raising idempotent: one alert per rule and occurrence.

The models hold only Django and string references, so the recorder (``monitoring.models``) can
register them without importing any app."""
from django.db import models
from django.utils.translation import gettext_lazy as _


class Alert(models.Model):
    class Level(models.TextChoices):
        YELLOW = "yellow", _("Yellow: nearing its limit")
        RED = "red", _("Red: overdue or serious")

    class State(models.TextChoices):
        OPEN = "open", _("Open")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        RESOLVED = "resolved", _("Resolved")

    rule = models.CharField(_("rule"), max_length=64)
    key = models.CharField(max_length=200, unique=True)
    subject = models.CharField(_("about"), max_length=64)
    lot = models.ForeignKey("trading.Lot", verbose_name=_("lot"), null=True, blank=True, on_delete=models.PROTECT,
                            related_name="alerts")
    market = models.ForeignKey("trading.Market", verbose_name=_("market"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="alerts")
    level = models.CharField(_("level"), max_length=8, choices=Level.choices)
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.OPEN)
    data = models.JSONField(_("details"), default=dict)
    due_at = models.DateTimeField(_("limit"), null=True, blank=True)
    raised_at = models.DateTimeField(_("raised at"))
    escalated_at = models.DateTimeField(_("turned red at"), null=True, blank=True)
    acknowledged_by = models.CharField(_("acknowledged by"), max_length=64, blank=True)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    acknowledgement = models.TextField(_("regulator's comment"), blank=True)
    resolved_by = models.CharField(_("resolved by"), max_length=64, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)

    class Meta:
        app_label = "monitoring"
        ordering = ["-raised_at", "-pk"]
        indexes = [models.Index(fields=["state", "level"], name="alert_state_level"),
                   models.Index(fields=["market", "state"], name="alert_market_state")]

    def __str__(self):
        return f"{self.rule} · {self.subject} · {self.level}"


class AlertCursor(models.Model):
    """How far the event-driven rules have read the audit chain (one row)."""

    ROW = 1
    id = models.PositiveSmallIntegerField(primary_key=True, default=ROW)
    last_entry = models.BigIntegerField(default=0)

    class Meta:
        app_label = "monitoring"

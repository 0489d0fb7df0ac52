"""Service ratings (好差评, 国办发〔2019〕51号; docs/ratings.md).

A ``Service`` is one service the platform rendered to a party (a registration reviewed, a deposit
refunded, a question answered, an opening held, a complaint handled), read from the audit chain by
a sweep (``RatingCursor`` is how far it read), so no app has to know that ratings exist. The
party's ``Rating`` is on the national five-step scale; a bad one (不满意 or worse) is answered by the
centre within the rule table's limit, and the answer is shown to the rater."""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Level(models.IntegerChoices):
    VERY_SATISFIED = 5, _("Very satisfied")
    SATISFIED = 4, _("Satisfied")
    BASICALLY_SATISFIED = 3, _("Basically satisfied")
    DISSATISFIED = 2, _("Dissatisfied")
    VERY_DISSATISFIED = 1, _("Very dissatisfied")


# The last two levels are the negative ones (差评), which the centre must answer.
BAD_LEVELS = (Level.DISSATISFIED, Level.VERY_DISSATISFIED)


class Service(models.Model):
    class Kind(models.TextChoices):
        REGISTRATION_REVIEW = "registration_review", _("Registration review")
        DEPOSIT_REFUND = "deposit_refund", _("Deposit refund")
        ENQUIRY_ANSWER = "enquiry_answer", _("Answer to a question")
        OPENING = "opening", _("Bid opening")
        COMPLAINT_HANDLING = "complaint_handling", _("Complaint handling")

    kind = models.CharField(_("service"), max_length=24, choices=Kind.choices)
    ref = models.CharField(_("about"), max_length=64)
    lot = models.ForeignKey("trading.Lot", verbose_name=_("lot"), null=True, blank=True, on_delete=models.PROTECT,
                            related_name="+")
    market = models.ForeignKey("trading.Market", verbose_name=_("market"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey("trading.Organisation", verbose_name=_("party served"),
                                     on_delete=models.PROTECT, related_name="+")
    # Who rendered it (an actor string, ``user:12``) where one person did: staff assessment reads it.
    rendered_by = models.CharField(_("rendered by"), max_length=64, blank=True)
    rendered_at = models.DateTimeField(_("rendered at"))
    entry = models.BigIntegerField(_("audit entry"))

    class Meta:
        app_label = "monitoring"
        ordering = ["-rendered_at", "-pk"]
        verbose_name = _("service rendered")
        verbose_name_plural = _("services rendered")
        constraints = [models.UniqueConstraint(fields=["kind", "ref", "organisation"], name="service_once")]
        indexes = [models.Index(fields=["organisation", "rendered_at"], name="service_party")]


class Rating(models.Model):
    service = models.OneToOneField(Service, verbose_name=_("service"), on_delete=models.PROTECT,
                                   related_name="rating")
    level = models.PositiveSmallIntegerField(_("rating"), choices=Level.choices)
    comment = models.TextField(_("comment"), blank=True)
    rated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("rated by"), on_delete=models.PROTECT,
                                 related_name="+")
    rated_at = models.DateTimeField(_("rated at"))
    answer_due_at = models.DateTimeField(_("answer due at"), null=True, blank=True)
    answer = models.TextField(_("centre's answer"), blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("answered by"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        app_label = "monitoring"
        ordering = ["-rated_at", "-pk"]
        verbose_name = _("service rating")
        verbose_name_plural = _("service ratings")
        constraints = [models.CheckConstraint(condition=models.Q(level__gte=1, level__lte=5),
                                              name="rating_level_scale")]


class RatingCursor(models.Model):
    """How far the services sweep has read the audit chain (one row)."""

    ROW = 1
    id = models.PositiveSmallIntegerField(primary_key=True, default=ROW)
    last_entry = models.BigIntegerField(default=0)

    class Meta:
        app_label = "monitoring"

"""The registry of social supervisors (社会监督员), from a unit's recommendation to accountability,
and their random draw for each session of a lot.

A ``Supervisor`` moves recommended → vetted → appointed (agreement signed, pledge accepted by the
supervisor themself, certificate issued) → suspended / dismissed / expired, each move a
``SupervisorStatusChange`` (reason, by whom, when; audited). ``SupervisorRelation`` rows are the
relations a supervisor declared (grounds of exclusion from a draw). ``Sanction`` rows are the
accountability record (warnings, suspensions, dismissals with evidence); ``SupervisorEvaluation``
the yearly evaluation. A ``SupervisorDraw`` seats supervisors on one session of a lot from the
eligible pool with a recorded CSPRNG seed, so anyone can redo it; each seat is an ``Assignment``
(``supervisors.models``) tied to its draw; a drawn supervisor accepts or applies to recuse
(``Recusal``), and an approved recusal redraws."""
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_fsm import FSMField, FSMModelMixin, transition


class SessionKind(models.TextChoices):
    # Their own context: the bare words are also lot statuses (开标中, 评标中), which read wrong here.
    OPENING = "opening", pgettext_lazy("session", "Opening")
    EVALUATION = "evaluation", pgettext_lazy("session", "Evaluation")
    AUCTION = "auction", pgettext_lazy("session", "Auction")


class Supervisor(FSMModelMixin, models.Model):
    class Status(models.TextChoices):
        RECOMMENDED = "recommended", _("Recommended")
        VETTED = "vetted", _("Vetted")
        APPOINTED = "appointed", _("Appointed")
        SUSPENDED = "suspended", _("Suspended")
        DISMISSED = "dismissed", _("Dismissed")
        EXPIRED = "expired", _("Term expired")

    user = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name=_("person"), on_delete=models.PROTECT,
                                related_name="supervisor_profile")
    status = FSMField(_("status"), max_length=16, choices=Status.choices, default=Status.RECOMMENDED, protected=True)
    self_nominated = models.BooleanField(_("self-nominated"), default=False)
    unit_name = models.CharField(_("recommending unit"), max_length=200, blank=True)
    unit_uscc = models.CharField(_("recommending unit's unified social credit code"), max_length=18, blank=True)
    letter_key = models.CharField(_("recommendation letter (stored object)"), max_length=300, blank=True)
    letter_sha256 = models.CharField(_("recommendation letter SHA-256"), max_length=64, blank=True)
    employer_name = models.CharField(_("employer"), max_length=200, blank=True)
    employer = models.ForeignKey("trading.Organisation", verbose_name=_("employer on the platform"), null=True,
                                 blank=True, on_delete=models.PROTECT, related_name="employed_supervisors")
    markets = models.ManyToManyField("trading.Market", verbose_name=_("markets watched"), blank=True,
                                     related_name="supervisors")
    recommended_at = models.DateTimeField(_("recommended at"))
    recommended_by = models.CharField(_("recommended by"), max_length=64)
    vetted_at = models.DateTimeField(_("vetted at"), null=True, blank=True)
    vetted_by = models.CharField(_("vetted by"), max_length=64, blank=True)
    vetting_notes = models.TextField(_("vetting notes"), blank=True)
    agreement_signed_on = models.DateField(_("agreement signed on"), null=True, blank=True)
    agreement_key = models.CharField(_("signed agreement (stored object)"), max_length=300, blank=True)
    agreement_sha256 = models.CharField(_("signed agreement SHA-256"), max_length=64, blank=True)
    term_start = models.DateField(_("term start"), null=True, blank=True)
    term_end = models.DateField(_("term end"), null=True, blank=True)
    pledge_accepted_at = models.DateTimeField(_("duties and integrity pledge accepted at"), null=True, blank=True)
    certificate_number = models.CharField(_("certificate number"), max_length=32, blank=True)
    certificate_key = models.CharField(_("certificate PDF (stored object)"), max_length=300, blank=True)
    term_notice_at = models.DateTimeField(_("term-end notice sent at"), null=True, blank=True)

    class Meta:
        ordering = ["user__username"]
        constraints = [models.UniqueConstraint(fields=["certificate_number"], condition=~Q(certificate_number=""),
                                               name="supervisor_certificate_once")]

    def __str__(self):
        return str(self.user)

    @transition(field=status, source=Status.RECOMMENDED, target=Status.VETTED)
    def vet(self):
        """Staff checked: no employment by a party of the markets watched, no penalty record."""

    @transition(field=status, source=[Status.VETTED, Status.EXPIRED], target=Status.APPOINTED)
    def appoint(self):
        """Agreement signed and term set; the pledge and the certificate follow (or a renewal)."""

    @transition(field=status, source=Status.APPOINTED, target=Status.SUSPENDED)
    def suspend(self):
        """Accountability: no draws while suspended."""

    @transition(field=status, source=Status.SUSPENDED, target=Status.APPOINTED)
    def reinstate(self):
        """The suspension ends."""

    @transition(field=status, source=[Status.RECOMMENDED, Status.VETTED, Status.APPOINTED, Status.SUSPENDED],
                target=Status.DISMISSED)
    def dismiss(self):
        """Accountability, or a candidate turned down; final."""

    @transition(field=status, source=[Status.APPOINTED, Status.SUSPENDED], target=Status.EXPIRED)
    def expire(self):
        """The term ended without renewal (the sweep)."""


class SupervisorRelation(models.Model):
    """A relation the supervisor declared with an organisation: a ground of exclusion from the draw
    of any lot where that organisation is the tenderee or a bidder (as experts declare theirs)."""

    class Kind(models.TextChoices):
        EMPLOYEE = "employee", _("Employed there (now or in the last 3 years)")
        RELATIVE = "relative", _("A close relative works there in management")
        INTEREST = "interest", _("An economic interest in it")
        OTHER = "other", _("Another relation that could affect fairness")

    supervisor = models.ForeignKey(Supervisor, on_delete=models.PROTECT, related_name="relations")
    organisation = models.ForeignKey("trading.Organisation", verbose_name=_("organisation"),
                                     on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("relation"), max_length=16, choices=Kind.choices)
    note = models.TextField(_("note"), blank=True)
    declared_by = models.CharField(_("declared by"), max_length=64)
    declared_at = models.DateTimeField(_("declared at"))

    class Meta:
        ordering = ["declared_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["supervisor", "organisation", "kind"],
                                               name="supervisor_relation_once")]


class SupervisorStatusChange(models.Model):
    supervisor = models.ForeignKey(Supervisor, on_delete=models.PROTECT, related_name="status_changes")
    from_status = models.CharField(max_length=16, choices=Supervisor.Status.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=Supervisor.Status.choices)
    reason = models.TextField(_("reason"), blank=True)
    by = models.CharField(_("by"), max_length=64)
    at = models.DateTimeField(_("at"))

    class Meta:
        ordering = ["at", "pk"]


class Sanction(models.Model):
    """Accountability (问责): a warning, a suspension or a dismissal, with its reason and evidence."""

    class Kind(models.TextChoices):
        WARNING = "warning", _("Warning")
        SUSPENSION = "suspension", _("Suspension")
        DISMISSAL = "dismissal", _("Dismissal")

    supervisor = models.ForeignKey(Supervisor, on_delete=models.PROTECT, related_name="sanctions")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    reason = models.TextField(_("reason"))
    evidence_key = models.CharField(_("evidence (stored object)"), max_length=300, blank=True)
    evidence_sha256 = models.CharField(_("evidence SHA-256"), max_length=64, blank=True)
    by = models.CharField(_("by"), max_length=64)
    at = models.DateTimeField(_("at"))

    class Meta:
        ordering = ["-at", "-pk"]


class SupervisorEvaluation(models.Model):
    """The yearly evaluation of one supervisor: figures computed from the record and a grade."""

    class Grade(models.TextChoices):
        EXCELLENT = "excellent", _("Excellent")
        GOOD = "good", _("Good")
        PASS = "pass", _("Pass")
        FAIL = "fail", _("Fail")

    supervisor = models.ForeignKey(Supervisor, on_delete=models.PROTECT, related_name="evaluations")
    year = models.PositiveSmallIntegerField(_("year"))
    figures = models.JSONField(_("figures from the record"), default=dict)
    grade = models.CharField(_("grade"), max_length=16, choices=Grade.choices)
    comment = models.TextField(_("comment"), blank=True)
    by = models.CharField(_("by"), max_length=64)
    at = models.DateTimeField(_("at"))

    class Meta:
        ordering = ["-year"]
        constraints = [models.UniqueConstraint(fields=["supervisor", "year"], name="supervisor_evaluation_once")]


class SupervisorDraw(models.Model):
    """One random draw of supervisors for one session of a lot. ``pool`` is the eligible people in
    the order the seed gives them; ``excluded`` each excluded person with their grounds; a redraw
    after a recusal is a new row pointing at the one it completes."""

    lot = models.ForeignKey("trading.Lot", verbose_name=_("lot"), on_delete=models.PROTECT,
                            related_name="supervisor_draws")
    session_kind = models.CharField(_("session"), max_length=16, choices=SessionKind.choices)
    size = models.PositiveSmallIntegerField(_("supervisors drawn"))
    seed = models.CharField(_("seed (hex)"), max_length=64)
    pool = models.JSONField(_("eligible pool"), default=list)
    excluded = models.JSONField(_("excluded, with grounds"), default=list)
    drawn = models.JSONField(_("drawn"), default=list)
    replaces = models.ForeignKey("self", verbose_name=_("redraw of"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="redraws")
    drawn_by = models.CharField(_("drawn by"), max_length=64)
    drawn_at = models.DateTimeField(_("drawn at"))

    class Meta:
        ordering = ["drawn_at", "pk"]


class Recusal(FSMModelMixin, models.Model):
    """A drawn supervisor's application to recuse (回避申请), decided by staff."""

    class Status(models.TextChoices):
        APPLIED = "applied", _("Applied")
        APPROVED = "approved", _("Approved")
        REFUSED = "refused", _("Refused")

    assignment = models.OneToOneField("supervisors.Assignment", on_delete=models.PROTECT, related_name="recusal")
    reason = models.TextField(_("reason"))
    applied_at = models.DateTimeField(_("applied at"))
    status = FSMField(_("status"), max_length=16, choices=Status.choices, default=Status.APPLIED, protected=True)
    decided_by = models.CharField(_("decided by"), max_length=64, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_reason = models.TextField(_("reason for the decision"), blank=True)
    redraw = models.ForeignKey(SupervisorDraw, verbose_name=_("redraw"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")

    @transition(field=status, source=Status.APPLIED, target=Status.APPROVED)
    def approve(self):
        """The seat is revoked and a redraw fills it."""

    @transition(field=status, source=Status.APPLIED, target=Status.REFUSED)
    def refuse(self):
        """The supervisor keeps the seat; the reason is kept."""

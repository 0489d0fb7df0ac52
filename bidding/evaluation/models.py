"""Evaluation and award: the expert pool, panels and their draws, score sheets, candidates; award
proposals, candidate objections, notices and contracts."""
from django.conf import settings
from django.db import models
from django.utils.translation import get_language, gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition

from bidding.sealed.models import Bid
from trading.models import Lot, Organisation


class Specialty(models.Model):
    """A field an expert may be drawn for (seeded; edited in the admin)."""

    code = models.SlugField(_("code"), primary_key=True, max_length=40)
    name_zh = models.CharField(_("name (Chinese)"), max_length=50)
    name_en = models.CharField(_("name (English)"), max_length=80)

    class Meta:
        ordering = ["code"]
        verbose_name = _("specialty")
        verbose_name_plural = _("specialties")

    @property
    def name(self):
        return self.name_zh if (get_language() or "zh-hans").startswith("zh") else self.name_en

    def __str__(self):
        return self.name


class Expert(models.Model):
    """A member of the expert pool: a person with the expert role."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name=_("person"), on_delete=models.PROTECT,
                                related_name="expert")
    specialties = models.ManyToManyField(Specialty, verbose_name=_("specialties"), related_name="experts")
    employer = models.ForeignKey(Organisation, verbose_name=_("employer"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="employed_experts",
                                 help_text=_("Where the employer is a party on the platform."))
    employer_name = models.CharField(_("employer"), max_length=200)
    available = models.BooleanField(_("available"), default=True)
    unavailable_until = models.DateField(_("unavailable until"), null=True, blank=True)

    class Meta:
        ordering = ["user__username"]
        verbose_name = _("expert")
        verbose_name_plural = _("experts")

    def __str__(self):
        return str(self.user)


class ExpertRelation(models.Model):
    """A relation the expert declared with an organisation: each is a recusal ground where that
    organisation is the tenderee or a bidder (实施条例 Art 46)."""

    class Kind(models.TextChoices):
        EMPLOYEE = "employee", _("Employed there (now or in the last 3 years)")
        RELATIVE = "relative", _("A close relative works there in management")
        INTEREST = "interest", _("An economic interest in it")
        OTHER = "other", _("Another relation that could affect fairness")

    expert = models.ForeignKey(Expert, on_delete=models.CASCADE, related_name="relations")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("relation"), max_length=10, choices=Kind.choices)
    note = models.CharField(_("note"), max_length=200, blank=True)


class ExpertPenalty(models.Model):
    """An administrative or criminal penalty for misconduct in tendering: a recusal ground while it
    runs (``ends_on`` empty: for good)."""

    expert = models.ForeignKey(Expert, on_delete=models.CASCADE, related_name="penalties")
    reason = models.CharField(_("reason"), max_length=300)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"), null=True, blank=True)


class Evaluation(FSMModelMixin, models.Model):
    """How a lot is evaluated and by whom. Created by staff once the lot is in evaluation."""

    class Method(models.TextChoices):
        LOWEST_PRICE = "lowest_price", _("Lowest evaluated price")
        COMPREHENSIVE = "comprehensive", _("Comprehensive scoring")

    class Category(models.TextChoices):
        GOODS = "goods", _("Goods")
        SERVICES = "services", _("Services")
        WORKS = "works", _("Works")

    class PriceFormula(models.TextChoices):
        LOW_PRICE_FIRST = "low_price_first", _("Lowest price as benchmark (财政部令第87号 Art 55)")
        AVERAGE = "average", _("Average of the valid prices as benchmark")

    class Status(models.TextChoices):
        FORMING = "forming", _("Forming the panel")
        SCORING = "scoring", _("Scoring")
        REPORTED = "reported", _("Reported")

    lot = models.OneToOneField(Lot, on_delete=models.PROTECT, related_name="evaluation")
    status = FSMField(default=Status.FORMING, choices=Status.choices, protected=True)
    method = models.CharField(_("method"), max_length=20, choices=Method.choices)
    category = models.CharField(_("category"), max_length=10, choices=Category.choices)
    panel_size = models.PositiveSmallIntegerField(_("panel size"))
    representatives = models.PositiveSmallIntegerField(_("tenderee's representatives"), default=0)
    # Comprehensive scoring: technical items [{"code", "name", "max"}] whose maxima and the price
    # weight add up to 100 points.
    items = models.JSONField(default=list)
    price_weight = models.DecimalField(_("price weight (points of 100)"), max_digits=5, decimal_places=2, default=0)
    price_formula = models.CharField(_("price formula"), max_length=20, choices=PriceFormula.choices, blank=True)
    # The average formula: points lost per 1 % above and below the benchmark.
    above_deduction = models.DecimalField(max_digits=5, decimal_places=2, default=1)
    below_deduction = models.DecimalField(max_digits=5, decimal_places=2, default=0.5)
    trim_outliers = models.BooleanField(
        _("drop each item's highest and lowest score"), default=False,
        help_text=_("Only with 7 or more members: the method says so."))
    created_at = models.DateTimeField()
    created_by = models.CharField(max_length=64)
    report = models.JSONField(null=True, blank=True, help_text=_("The signed evaluation report."))
    reported_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"{self.lot} ({self.get_status_display()})"

    @property
    def experts_needed(self) -> int:
        return self.panel_size - self.representatives

    @transition(field=status, source=Status.FORMING, target=Status.SCORING)
    def start_scoring(self):
        """Every seat is taken by a member who confirmed having no conflict."""

    @transition(field=status, source=Status.SCORING, target=Status.REPORTED)
    def close_report(self):
        """Every sheet is in: the result is computed and the report signed."""


class ExpertDraw(models.Model):
    """One random draw: the seed, the pool as it stood (eligible and excluded with their grounds)
    and who was drawn. Anyone holding the record can redo it (``bidding.scoring.draw_order``)."""

    evaluation = models.ForeignKey(Evaluation, on_delete=models.PROTECT, related_name="draws")
    specialty = models.ForeignKey(Specialty, on_delete=models.PROTECT, related_name="+")
    count = models.PositiveSmallIntegerField()
    seed = models.CharField(max_length=64)
    eligible = models.JSONField(help_text=_("Expert ids that could be drawn."))
    excluded = models.JSONField(help_text=_("Expert id → recusal ground."))
    drawn = models.JSONField(help_text=_("Expert ids drawn, in order."))
    replacing = models.ForeignKey("PanelMember", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()
    by = models.CharField(max_length=64)

    class Meta:
        ordering = ["at", "id"]


class PanelMember(FSMModelMixin, models.Model):
    class Kind(models.TextChoices):
        EXPERT = "expert", _("Expert")
        REPRESENTATIVE = "representative", _("Tenderee's representative")

    class Status(models.TextChoices):
        DRAWN = "drawn", _("Drawn, to confirm")
        SEATED = "seated", _("Seated")
        RECUSED = "recused", _("Recused")
        DECLINED = "declined", _("Declined")

    evaluation = models.ForeignKey(Evaluation, on_delete=models.PROTECT, related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="panel_seats")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    expert = models.ForeignKey(Expert, null=True, blank=True, on_delete=models.PROTECT, related_name="seats")
    draw = models.ForeignKey(ExpertDraw, null=True, blank=True, on_delete=models.PROTECT, related_name="members")
    status = FSMField(default=Status.DRAWN, choices=Status.choices, protected=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["evaluation", "user"], name="panel_member_once")]

    def __str__(self):
        return f"{self.user} ({self.get_status_display()})"

    @transition(field=status, source=Status.DRAWN, target=Status.SEATED)
    def seat(self):
        """The member declared having no conflict with the tenderee or any bidder."""

    @transition(field=status, source=Status.DRAWN, target=Status.RECUSED)
    def recuse(self):
        """The member declared a conflict: a replacement is drawn."""

    @transition(field=status, source=Status.DRAWN, target=Status.DECLINED)
    def decline(self):
        """The member cannot serve (not reached, unavailable): a replacement is drawn."""


class ScoreSheet(models.Model):
    """One member's findings on every opened bid: compliant or not (with the reason) and, for
    comprehensive scoring, a score per technical item. Nobody else sees it before they submit their
    own; once submitted it is locked."""

    member = models.OneToOneField(PanelMember, on_delete=models.PROTECT, related_name="sheet")
    # {bid id: {"compliant": bool, "reason": str, "scores": {item code: "12.50"}}}
    entries = models.JSONField(default=dict)
    submitted_at = models.DateTimeField(null=True, blank=True)


class ScoreChange(models.Model):
    """A submitted sheet changed: its entries before and after, and why."""

    sheet = models.ForeignKey(ScoreSheet, on_delete=models.PROTECT, related_name="changes")
    reason = models.TextField()
    before = models.JSONField()
    after = models.JSONField()
    at = models.DateTimeField()


class Candidate(models.Model):
    """A ranked bid of the evaluation's result (at most the rule's number are candidates)."""

    evaluation = models.ForeignKey(Evaluation, on_delete=models.PROTECT, related_name="candidates")
    bid = models.OneToOneField(Bid, on_delete=models.PROTECT, related_name="candidacy")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    rank = models.PositiveSmallIntegerField()
    price = models.DecimalField(max_digits=16, decimal_places=2)
    technical = models.DecimalField(max_digits=7, decimal_places=2, null=True)
    price_score = models.DecimalField(max_digits=7, decimal_places=2, null=True)
    total = models.DecimalField(max_digits=7, decimal_places=2, null=True)

    class Meta:
        ordering = ["evaluation", "rank"]
        constraints = [models.UniqueConstraint(fields=["evaluation", "rank"], name="candidate_rank_once")]


class CandidateObjection(models.Model):
    """A bidder's objection (异议) to the published candidates (实施条例 Art 54): answered within the
    rule's days, the lot suspended meanwhile. Who objected stays with the centre and the objector."""

    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="candidate_objections")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("objection"))
    filed_at = models.DateTimeField()
    reply_due_at = models.DateTimeField()
    reply = models.TextField(_("reply"), blank=True)
    replied_at = models.DateTimeField(null=True, blank=True)
    replied_by = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["filed_at", "id"]

    @property
    def replied_late(self) -> bool:
        return self.replied_at is not None and self.replied_at >= self.reply_due_at


class AwardProposal(FSMModelMixin, models.Model):
    """Staff propose a candidate as the winner; the regulator approves or returns it with reasons."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        UNDER_REVIEW = "under_review", _("Under review")
        APPROVED = "approved", _("Approved")
        RETURNED = "returned", _("Returned")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="award_proposals")
    candidate = models.ForeignKey(Candidate, on_delete=models.PROTECT, related_name="proposals")
    status = FSMField(default=Status.PROPOSED, choices=Status.choices, protected=True)
    note = models.TextField(_("note"), blank=True)
    proposed_at = models.DateTimeField()
    proposed_by = models.CharField(max_length=64)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.CharField(max_length=64, blank=True)
    review_reasons = models.TextField(_("reasons"), blank=True)

    class Meta:
        ordering = ["proposed_at", "id"]
        constraints = [models.UniqueConstraint(
            fields=["lot"], condition=models.Q(status__in=["proposed", "under_review"]),
            name="one_open_award_proposal")]

    @transition(field=status, source=Status.PROPOSED, target=Status.UNDER_REVIEW)
    def submit(self):
        """Sent to the regulator's review queue."""

    @transition(field=status, source=Status.UNDER_REVIEW, target=Status.APPROVED)
    def approve(self):
        """The regulator approved: the award notice goes out."""

    @transition(field=status, source=Status.UNDER_REVIEW, target=Status.RETURNED)
    def return_(self):
        """The regulator returned it with reasons; staff may propose again."""

    @transition(field=status, source=Status.APPROVED, target=Status.WITHDRAWN)
    def withdraw(self):
        """The winner declined, failed to sign or was disqualified (实施条例 Art 55)."""


class Notice(models.Model):
    """A signed notice of the result: the award notice (中标通知书 / 成交通知书) to the winner, a
    result notice to each other bidder."""

    class Kind(models.TextChoices):
        AWARD = "award", _("Award notice")
        RESULT = "result", _("Result notice")

    proposal = models.ForeignKey(AwardProposal, on_delete=models.PROTECT, related_name="notices")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    document = models.JSONField()
    issued_at = models.DateTimeField()

    class Meta:
        ordering = ["proposal", "kind", "id"]
        constraints = [models.UniqueConstraint(fields=["proposal", "organisation"], name="notice_once")]


class Contract(models.Model):
    """The contract the winner signed, as recorded by staff; due within the rule's days of the award
    notice (招标投标法 Art 46). The sweep warns staff and regulators as the limit nears and once it
    has passed."""

    proposal = models.OneToOneField(AwardProposal, on_delete=models.PROTECT, related_name="contract")
    due_at = models.DateTimeField()
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    amount = models.DecimalField(_("amount"), max_digits=16, decimal_places=2, null=True, blank=True)
    reference = models.CharField(_("contract number"), max_length=100, blank=True)
    recorded_at = models.DateTimeField(null=True, blank=True)
    recorded_by = models.CharField(max_length=64, blank=True)
    warned_at = models.DateTimeField(null=True, blank=True)
    overdue_at = models.DateTimeField(null=True, blank=True)

"""The registry of markets and procedures, and the projects and lots that are traded."""
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_fsm import RETURN_VALUE, FSMField, FSMModelMixin, transition

from trading.models.parties import Organisation


class Market(models.Model):
    """One of the five element markets; seeded by migration, edited in the admin."""

    code = models.SlugField(_("code"), primary_key=True, max_length=32)
    name_zh = models.CharField(_("name (Chinese)"), max_length=50)
    name_en = models.CharField(_("name (English)"), max_length=80)
    sells = models.BooleanField(_("sells"), default=False,
                                help_text=_("True where the highest price wins (land, equity)."))
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position"]
        verbose_name = _("market")
        verbose_name_plural = _("markets")

    @property
    def name(self):
        return self.name_zh if (get_language() or "zh-hans").startswith("zh") else self.name_en

    def __str__(self):
        return self.name


class Procedure(models.Model):
    """How a market trades: a tender (sealed bids, opening, evaluation) or a listing (quotes, auction).

    The differences between procedures are these attributes and the rule table, never branches on
    the market's code in services.
    """

    class Kind(models.TextChoices):
        TENDER = "tender", pgettext_lazy("procedure kind", "Tender")
        LISTING = "listing", pgettext_lazy("procedure kind", "Listing")

    market = models.ForeignKey(Market, on_delete=models.PROTECT, related_name="procedures")
    code = models.SlugField(_("code"), max_length=40)
    name_zh = models.CharField(_("name (Chinese)"), max_length=50)
    name_en = models.CharField(_("name (English)"), max_length=80)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.TENDER)
    requires_prequalification = models.BooleanField(
        _("registrations need approval"), default=False,
        help_text=_("Staff approve each registration before the bidder may download documents or bid."),
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["market", "code"], name="procedure_code_per_market")]
        ordering = ["market__position", "id"]
        verbose_name = _("procedure")
        verbose_name_plural = _("procedures")

    @property
    def name(self):
        return self.name_zh if (get_language() or "zh-hans").startswith("zh") else self.name_en

    def __str__(self):
        return self.name


class Project(models.Model):
    code = models.CharField(_("project code"), max_length=40, unique=True)
    title = models.CharField(_("title"), max_length=200)
    market = models.ForeignKey(Market, on_delete=models.PROTECT, related_name="projects")
    procedure = models.ForeignKey(Procedure, on_delete=models.PROTECT, related_name="projects")
    tenderee = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="projects")
    # The district the project is in (行政区划), as the portal's search offers it: free text kept short,
    # e.g. "市本级", "高新区"; empty where the centre does not say.
    region = models.CharField(_("region"), max_length=40, blank=True, db_index=True)
    # The project's total investment (项目总投资) where the tenderee states one, as construction
    # projects do; the statistics' "investment" (docs/statistics.md). Lots carry their own budget.
    investment = models.DecimalField(_("total investment"), max_digits=16, decimal_places=2, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "code"]

    def __str__(self):
        return f"{self.code} {self.title}"


class Lot(FSMModelMixin, models.Model):
    """What is bid on (标段/包). Its status moves only through the transitions below."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PENDING_REVIEW = "pending_review", _("Pending review")
        PUBLISHED = "published", _("Published")
        BIDDING = "bidding", _("Open for bids")
        LISTING = "listing", _("Listing")
        CLOSED = "closed", _("Bidding closed")
        OPENING = "opening", _("Opening")
        EVALUATION = "evaluation", _("Evaluation")
        PUBLICITY = "publicity", _("Candidate publicity")
        AWARD_REVIEW = "award_review", _("Award under review")
        AUCTION = "auction", _("Live auction")
        AWARDED = "awarded", _("Awarded")
        CONTRACTED = "contracted", _("Contracted")
        SUSPENDED = "suspended", _("Suspended")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")
        TERMINATED = "terminated", _("Terminated")

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="lots")
    number = models.PositiveSmallIntegerField(_("lot number"), default=1)
    title = models.CharField(_("title"), max_length=200)
    currency = models.CharField(max_length=3, default="CNY")
    estimate = models.DecimalField(_("estimate or budget ceiling"), max_digits=16, decimal_places=2)
    deposit = models.DecimalField(_("bid deposit"), max_digits=14, decimal_places=2, default=0)
    # What the assets were appraised at (评估值), for state-owned equity and land: the statistics'
    # appreciation is the deal less this (docs/statistics.md). Empty where no appraisal was filed.
    appraised_value = models.DecimalField(_("appraised value"), max_digits=16, decimal_places=2, null=True,
                                          blank=True)
    # The schedule. Tender lots use documents_*, bidding_opens_at and bid_deadline; listing lots use
    # listing_*. All aware UTC; shown in Asia/Shanghai.
    documents_from = models.DateTimeField(_("documents on sale from"), null=True, blank=True)
    documents_until = models.DateTimeField(_("documents on sale until"), null=True, blank=True)
    bidding_opens_at = models.DateTimeField(_("bidding opens"), null=True, blank=True)
    bid_deadline = models.DateTimeField(_("bid deadline"), null=True, blank=True)
    listing_start = models.DateTimeField(_("listing starts"), null=True, blank=True)
    listing_end = models.DateTimeField(_("listing ends"), null=True, blank=True)
    publicity_end = models.DateTimeField(_("publicity ends"), null=True, blank=True)
    status = FSMField(_("status"), default=Status.DRAFT, choices=Status.choices, protected=True)
    suspended_from = models.CharField(max_length=20, blank=True, choices=Status.choices)
    # When the sweep next has something to do for this lot (see ``due_move``); kept by the services.
    next_due_at = models.DateTimeField(null=True, blank=True, db_index=True)
    # The failed lot this one tenders again (重新招标, ``trading.services.retender``): each failed lot
    # at most once, which the one-to-one keeps even against two staff acting at the same time.
    retender_of = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT,
                                       related_name="retendered_as", verbose_name=_("tenders again"))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["project", "number"]
        constraints = [models.UniqueConstraint(fields=["project", "number"], name="lot_number_per_project")]

    def __str__(self):
        return f"{self.project.code}-{self.number} {self.title}"

    @property
    def market(self) -> Market:
        return self.project.market

    @property
    def procedure(self) -> Procedure:
        return self.project.procedure

    @property
    def is_listing(self) -> bool:
        return self.project.procedure.kind == Procedure.Kind.LISTING

    @property
    def code(self) -> str:
        return f"{self.project.code}-{self.number}"

    @property
    def display_title(self) -> str:
        """The lot's name as pages print it: a single-lot project often names its lot as itself
        (市民中心二期土建工程 twice), and a lot's own title may be only "第一标段", so the project's
        title comes first unless the lot's already says it."""
        project = self.project.title.strip()
        lot = self.title.strip()
        if not project or project in lot:
            return lot
        if not lot or lot in project:
            return project
        return f"{project} — {lot}"

    @property
    def is_public(self) -> bool:
        """Published or later: the public portal shows the lot."""
        return self.status not in (self.Status.DRAFT, self.Status.PENDING_REVIEW)

    @property
    def result_public(self) -> bool:
        """Whether the lot has a public result (its result page): a tender's candidates from their
        publicity on, a sale's deal once sold; also while a hold suspends the lot from there."""
        status = self.suspended_from if self.status == self.Status.SUSPENDED else self.status
        if self.market.sells:
            return status in (self.Status.AWARDED, self.Status.CONTRACTED)
        return status in (self.Status.PUBLICITY, self.Status.AWARD_REVIEW, self.Status.AWARDED,
                          self.Status.CONTRACTED)

    @property
    def price_ceiling(self):
        """The highest price a bid may ask (最高投标限价), public with the lot: the estimate where the
        lowest price wins (the evaluation finds a bid over it invalid). None where the market sells,
        whose estimate is the listing price, a floor."""
        return None if self.market.sells else self.estimate

    # The time-driven moves: (status, schedule field, transition). A tender lot has no listing dates
    # and a listing lot no bidding dates, so at most one applies; ``due_move`` and ``next_due_at``
    # read this one table.
    TIMED_MOVES = [
        (Status.PUBLISHED, "bidding_opens_at", "open_bidding"),
        (Status.PUBLISHED, "listing_start", "start_listing"),
        (Status.BIDDING, "bid_deadline", "close_bidding"),
        (Status.PUBLICITY, "publicity_end", "end_publicity"),
    ]

    def due_move(self) -> tuple[str, object] | None:
        """The transition the clock will trigger next, and when; None if none is scheduled."""
        for status, field, name in self.TIMED_MOVES:
            at = getattr(self, field)
            if self.status == status and at is not None:
                return name, at
        return None

    def next_due_refresh(self) -> None:
        move = self.due_move()
        self.next_due_at = move[1] if move else None

    @transition(field=status, source=Status.DRAFT, target=Status.PENDING_REVIEW)
    def submit_for_review(self):
        """Staff have filled in the lot; a reviewer checks it before publication."""

    @transition(field=status, source=Status.PENDING_REVIEW, target=Status.PUBLISHED)
    def publish(self):
        """The announcement is out."""

    @transition(field=status, source=Status.PENDING_REVIEW, target=Status.DRAFT)
    def return_to_draft(self):
        """The reviewer sent it back with reasons."""

    @transition(field=status, source=Status.PUBLISHED, target=Status.BIDDING, conditions=[lambda lot: not lot.is_listing])
    def open_bidding(self):
        """Tender markets: bids are accepted until the deadline."""

    @transition(field=status, source=Status.PUBLISHED, target=Status.LISTING, conditions=[lambda lot: lot.is_listing])
    def start_listing(self):
        """Listing markets: quotes are accepted during the listing period."""

    @transition(field=status, source=Status.BIDDING, target=Status.CLOSED)
    def close_bidding(self):
        """The deadline passed: bids are frozen."""

    @transition(field=status, source=Status.CLOSED, target=Status.OPENING)
    def start_opening(self):
        """Custodians are presenting their key shares."""

    @transition(field=status, source=Status.OPENING, target=Status.EVALUATION)
    def start_evaluation(self):
        """The opening record is published; the panel evaluates."""

    @transition(field=status, source=Status.EVALUATION, target=Status.PUBLICITY)
    def publicise_candidates(self):
        """Candidates are published for objections."""

    @transition(field=status, source=Status.PUBLICITY, target=Status.AWARD_REVIEW)
    def end_publicity(self):
        """The candidates' publicity period is over: the award is proposed and reviewed by the regulator."""

    @transition(field=status, source=Status.LISTING, target=Status.AUCTION)
    def start_auction(self):
        """Several bidders continue from the listing into a live auction."""

    @transition(field=status, source=[Status.AWARD_REVIEW, Status.LISTING, Status.AUCTION, Status.OPENING],
                target=Status.AWARDED, conditions=[lambda lot: lot.status != Lot.Status.OPENING or lot.market.sells])
    def award(self):
        """The winner is confirmed (straight from the opening only where the highest price wins: a
        one-shot sealed quote)."""

    @transition(field=status, source=Status.AWARDED, target=Status.AWARD_REVIEW)
    def reopen_award(self):
        """The winner declined, failed to sign or was disqualified: the next candidate is proposed
        (实施条例 Art 55)."""

    @transition(field=status, source=Status.AWARDED, target=Status.CONTRACTED)
    def record_contract(self):
        """The contract is signed."""

    @transition(
        field=status,
        source=[Status.BIDDING, Status.CLOSED, Status.OPENING, Status.EVALUATION, Status.LISTING, Status.AUCTION,
                Status.AWARD_REVIEW],
        target=Status.FAILED,
    )
    def fail(self):
        """流标: too few bids, all invalid, or the reserve was not met; or no candidate is left to
        award and the lot is to be tendered again."""

    @transition(field=status, source=[Status.DRAFT, Status.PENDING_REVIEW, Status.PUBLISHED, Status.BIDDING,
                                      Status.LISTING], target=Status.CANCELLED)
    def cancel(self):
        """Withdrawn by the tenderee before bids are opened."""

    SUSPENDABLE = [Status.PUBLISHED, Status.BIDDING, Status.LISTING, Status.CLOSED, Status.OPENING,
                   Status.EVALUATION, Status.PUBLICITY, Status.AWARD_REVIEW, Status.AUCTION, Status.AWARDED]

    @transition(field=status, source=SUSPENDABLE, target=Status.SUSPENDED)
    def suspend(self):
        """A complaint, an objection or an order stops the procedure; it resumes where it was."""
        self.suspended_from = self.status

    @transition(field=status, source=Status.SUSPENDED, target=RETURN_VALUE(*SUSPENDABLE))
    def resume(self):
        resumed, self.suspended_from = self.suspended_from, ""
        return resumed

    @transition(field=status, source=SUSPENDABLE + [Status.SUSPENDED], target=Status.TERMINATED)
    def terminate(self):
        """Ended for good by an order (e.g. after a complaint is upheld)."""
        self.suspended_from = ""


class LotStatusChange(models.Model):
    """One row per status move of a lot, written in the same transaction as the move."""

    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="status_changes")
    source = models.CharField(max_length=20)
    target = models.CharField(max_length=20)
    transition = models.CharField(max_length=40)
    actor = models.CharField(max_length=40)
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "id"]

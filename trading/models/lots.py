"""The registry of markets and procedures, and the projects and lots that are traded."""
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition

from trading.models.parties import Organisation


class Market(models.Model):
    """One of the five element markets; seeded by migration, edited in the admin."""

    code = models.SlugField(primary_key=True, max_length=32)
    name_zh = models.CharField(max_length=50)
    name_en = models.CharField(max_length=80)
    sells = models.BooleanField(default=False, help_text=_("True where the highest price wins (land, equity)."))
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position"]

    @property
    def name(self):
        return self.name_zh if (get_language() or "zh-hans").startswith("zh") else self.name_en

    def __str__(self):
        return self.name


class Procedure(models.Model):
    market = models.ForeignKey(Market, on_delete=models.PROTECT, related_name="procedures")
    code = models.SlugField(max_length=40)
    name_zh = models.CharField(max_length=50)
    name_en = models.CharField(max_length=80)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["market", "code"], name="procedure_code_per_market")]
        ordering = ["market__position", "id"]

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
    bid_deadline = models.DateTimeField(_("bid deadline"), null=True, blank=True)
    status = FSMField(_("status"), default=Status.DRAFT, choices=Status.choices, protected=True)

    class Meta:
        ordering = ["project", "number"]
        constraints = [models.UniqueConstraint(fields=["project", "number"], name="lot_number_per_project")]

    def __str__(self):
        return f"{self.project.code}-{self.number} {self.title}"

    @transition(field=status, source=Status.DRAFT, target=Status.PENDING_REVIEW)
    def submit_for_review(self):
        """Staff have filled in the lot; a reviewer checks it before publication."""

    @transition(field=status, source=Status.PENDING_REVIEW, target=Status.PUBLISHED)
    def publish(self):
        """The announcement is out."""

    @transition(field=status, source=Status.PUBLISHED, target=Status.BIDDING)
    def open_bidding(self):
        """Tender markets: bids are accepted until the deadline."""

    @transition(field=status, source=Status.PUBLISHED, target=Status.LISTING)
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

    @transition(field=status, source=Status.LISTING, target=Status.AUCTION)
    def start_auction(self):
        """Several bidders continue from the listing into a live auction."""

    @transition(field=status, source=[Status.PUBLICITY, Status.LISTING, Status.AUCTION], target=Status.AWARDED)
    def award(self):
        """The winner is confirmed."""

    @transition(field=status, source=Status.AWARDED, target=Status.CONTRACTED)
    def record_contract(self):
        """The contract is signed."""

    @transition(
        field=status,
        source=[Status.BIDDING, Status.CLOSED, Status.OPENING, Status.EVALUATION, Status.LISTING, Status.AUCTION],
        target=Status.FAILED,
    )
    def fail(self):
        """流标: too few bids, all invalid, or the reserve was not met."""

    @transition(field=status, source=[Status.DRAFT, Status.PENDING_REVIEW, Status.PUBLISHED, Status.BIDDING,
                                      Status.LISTING], target=Status.CANCELLED)
    def cancel(self):
        """Withdrawn by the tenderee before bids are opened."""


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

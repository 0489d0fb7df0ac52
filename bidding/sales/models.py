"""Land and equity sales: listings with their quotes and bidders, the sealed reserve, deal
confirmations; live and descending auctions with their bidders and bids."""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition

from trading.models import Lot, Organisation


class Listing(FSMModelMixin, models.Model):
    class Status(models.TextChoices):
        QUOTING = "quoting", _("Taking quotes")
        CLOSING = "closing", _("Awaiting the reserve")
        CLOSED = "closed", _("Closed")

    class Outcome(models.TextChoices):
        SOLD = "sold", _("Sold")
        UNSOLD = "unsold", _("Unsold")
        AUCTION = "auction", _("Goes to a live auction")

    lot = models.OneToOneField(Lot, on_delete=models.PROTECT, related_name="listing")
    status = FSMField(default=Status.QUOTING, choices=Status.choices, protected=True)
    starting_price = models.DecimalField(_("starting price"), max_digits=16, decimal_places=2)
    increment = models.DecimalField(_("increment"), max_digits=16, decimal_places=2)
    auction_delay_minutes = models.PositiveIntegerField(
        _("auction starts (minutes after the close)"), default=30,
        help_text=_("When two or more bidders continue, the live auction starts this long after the close."))
    auction_free_minutes = models.PositiveIntegerField(_("free bidding (minutes)"), default=10)
    # Written by the conditional UPDATE of each accepted quote (not through the ORM's save()).
    current_price = models.DecimalField(max_digits=16, decimal_places=2, null=True, blank=True)
    leader = models.ForeignKey(Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    leader_number = models.PositiveIntegerField(null=True, blank=True)
    accepted_quotes = models.PositiveIntegerField(default=0)
    closed_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, blank=True)
    created_by = models.CharField(max_length=64)

    def __str__(self):
        return f"{self.lot} ({self.get_status_display()})"

    @transition(field=status, source=Status.QUOTING, target=Status.CLOSING)
    def await_reserve(self):
        """The period is over with quotes and nobody to auction against: the sealed reserve decides."""

    @transition(field=status, source=[Status.QUOTING, Status.CLOSING], target=Status.CLOSED)
    def close(self):
        """The result is known; the outcome is set by the caller."""


class ListingBidder(models.Model):
    """A bidder who acted in a listing, the number the others know them by, and whether they said
    they would continue to a live auction should the listing end contested."""

    listing = models.ForeignKey(Listing, on_delete=models.PROTECT, related_name="bidders")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    number = models.PositiveIntegerField()
    continues_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["listing", "organisation"], name="listing_bidder_once"),
                       models.UniqueConstraint(fields=["listing", "number"], name="listing_number_once")]


class ListingQuote(models.Model):
    """An accepted quote, in the order the database accepted them, with the server's time."""

    listing = models.ForeignKey(Listing, on_delete=models.PROTECT, related_name="quotes")
    bidder = models.ForeignKey(ListingBidder, on_delete=models.PROTECT, related_name="quotes")
    placed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    amount = models.DecimalField(max_digits=16, decimal_places=2)
    at = models.DateTimeField()
    position = models.PositiveIntegerField()

    class Meta:
        ordering = ["position"]
        constraints = [models.UniqueConstraint(fields=["listing", "position"], name="listing_quote_position_once"),
                       models.UniqueConstraint(fields=["listing", "amount"], name="listing_quote_amount_once")]


class SealedReserve(models.Model):
    """The lot's reserve price, sealed to its opening key in the bid envelope format (bidder
    ``reserve``, no files): nobody reads it before k custodians rebuild the key at the result.

    Entered by staff with a supervisor assigned to the lot present, who confirms with their own
    password on the same screen; both are recorded."""

    lot = models.OneToOneField(Lot, on_delete=models.PROTECT, related_name="sealed_reserve")
    envelope = models.BinaryField()
    envelope_sha256 = models.CharField(max_length=64)
    entered_by = models.CharField(max_length=64)
    witness = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    entered_at = models.DateTimeField()
    revealed_price = models.DecimalField(max_digits=16, decimal_places=2, null=True, blank=True)
    revealed_at = models.DateTimeField(null=True, blank=True)


class DealConfirmation(models.Model):
    """成交确认书: who bought the lot, at what price, by which method; the signed document is the
    source of the PDF, which is rendered from it on demand."""

    class Method(models.TextChoices):
        LISTING = "listing", _("Listing")
        AUCTION = "auction", _("Live auction")
        DESCENDING = "descending", _("Descending auction")
        ONE_SHOT = "one_shot", _("One-shot sealed quote")

    lot = models.OneToOneField(Lot, on_delete=models.PROTECT, related_name="deal_confirmation")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    bidder_number = models.PositiveIntegerField(
        help_text=_("The buyer's anonymous number; for a one-shot sealed quote, its bid's place in the "
                    "opening record."))
    price = models.DecimalField(max_digits=16, decimal_places=2)
    method = models.CharField(max_length=12, choices=Method.choices)
    issued_at = models.DateTimeField()
    document = models.JSONField(help_text=_("The signed deal confirmation."))


class Auction(FSMModelMixin, models.Model):
    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        FREE_BIDDING = "free_bidding", _("Free bidding")
        TIMED_BIDDING = "timed_bidding", _("Timed bidding")
        DESCENDING = "descending", _("Price descending")
        ENDED = "ended", _("Ended")

    class Outcome(models.TextChoices):
        SOLD = "sold", _("Sold")
        UNSOLD = "unsold", _("Unsold")

    class Method(models.TextChoices):
        ENGLISH = "english", _("English (ascending)")
        DESCENDING = "descending", _("Descending (Dutch)")

    lot = models.OneToOneField(Lot, on_delete=models.PROTECT, related_name="auction")
    method = models.CharField(_("method"), max_length=10, choices=Method.choices, default=Method.ENGLISH)
    status = FSMField(default=Status.SCHEDULED, choices=Status.choices, protected=True)
    starting_price = models.DecimalField(_("starting price"), max_digits=16, decimal_places=2)
    increment = models.DecimalField(_("increment"), max_digits=16, decimal_places=2)
    reserve_price = models.DecimalField(_("reserve price"), max_digits=16, decimal_places=2, null=True, blank=True)
    starts_at = models.DateTimeField(_("starts at"))
    free_until = models.DateTimeField(_("free bidding until"))
    countdown_seconds = models.PositiveIntegerField(_("countdown (seconds)"))
    floor_price = models.DecimalField(_("floor price"), max_digits=16, decimal_places=2, null=True, blank=True)
    decrement = models.DecimalField(_("decrement"), max_digits=16, decimal_places=2, null=True, blank=True)
    step_seconds = models.PositiveIntegerField(_("step (seconds)"), null=True, blank=True)
    # Written by the conditional UPDATE of each accepted bid (not through the ORM's save()).
    current_price = models.DecimalField(max_digits=16, decimal_places=2, null=True, blank=True)
    leader = models.ForeignKey(Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    leader_number = models.PositiveIntegerField(null=True, blank=True)
    accepted_bids = models.PositiveIntegerField(default=0)
    ends_at = models.DateTimeField(null=True, blank=True, help_text=_("When the timed phase's countdown runs out."))
    # A major auction whose start is held until an official has checked in (supervisors): when it was
    # first held. Opened late, its phases move on by the delay.
    held_at = models.DateTimeField(_("start held at"), null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    # Blank while an ended auction waits for its sealed reserve (a listing's) to be revealed.
    outcome = models.CharField(max_length=10, choices=Outcome.choices, blank=True)
    created_by = models.CharField(max_length=64)

    def __str__(self):
        return f"{self.lot} ({self.get_status_display()})"

    @property
    def next_due_at(self):
        return {self.Status.SCHEDULED: self.starts_at, self.Status.FREE_BIDDING: self.free_until,
                self.Status.TIMED_BIDDING: self.ends_at, self.Status.DESCENDING: self.ends_at}.get(self.status)

    @property
    def is_descending(self) -> bool:
        return self.method == self.Method.DESCENDING

    def price_at(self, at):
        """A descending auction's price at ``at``: one decrement per whole step since the start, never
        under the floor. Computed from the server's time only (the page shows the same steps)."""
        steps = max(0, int((at - self.starts_at).total_seconds() // self.step_seconds))
        return max(self.floor_price, self.starting_price - self.decrement * steps)

    @transition(field=status, source=Status.SCHEDULED, target=Status.FREE_BIDDING,
                conditions=[lambda auction: not auction.is_descending])
    def open(self):
        """Bidding starts; any increment above the starting price is accepted."""

    @transition(field=status, source=Status.SCHEDULED, target=Status.DESCENDING,
                conditions=[lambda auction: auction.is_descending])
    def start_descent(self):
        """The price starts stepping down."""

    @transition(field=status, source=Status.FREE_BIDDING, target=Status.TIMED_BIDDING)
    def start_countdown(self):
        """From now on each accepted bid restarts the countdown."""

    @transition(field=status, source=[Status.TIMED_BIDDING, Status.DESCENDING], target=Status.ENDED)
    def end(self):
        """The countdown ran out, or a bidder accepted the descending price, or nobody did at the
        floor; the outcome is set by the caller."""


class AuctionBidder(models.Model):
    """A bidder admitted to an auction and the number the others know them by."""

    auction = models.ForeignKey(Auction, on_delete=models.PROTECT, related_name="bidders")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    number = models.PositiveIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["auction", "organisation"], name="auction_bidder_once"),
                       models.UniqueConstraint(fields=["auction", "number"], name="auction_number_once")]


class AuctionBid(models.Model):
    """An accepted bid, in the order the database accepted them."""

    auction = models.ForeignKey(Auction, on_delete=models.PROTECT, related_name="bids")
    bidder = models.ForeignKey(AuctionBidder, on_delete=models.PROTECT, related_name="bids")
    placed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    amount = models.DecimalField(max_digits=16, decimal_places=2)
    at = models.DateTimeField()
    position = models.PositiveIntegerField(help_text=_("1 for the first accepted bid, and so on."))

    class Meta:
        ordering = ["position"]
        constraints = [models.UniqueConstraint(fields=["auction", "position"], name="auction_bid_position_once"),
                       models.UniqueConstraint(fields=["auction", "amount"], name="auction_bid_amount_once")]

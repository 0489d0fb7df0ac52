"""Live auctions (DESIGN §5), bidders numbered and anonymous to each other.

English: a free-bidding phase, then a timed phase in which every accepted bid restarts the
countdown. Descending (Dutch, for equity): the price steps down by ``decrement`` every
``step_seconds`` from the starting price to the floor; the first bidder to accept buys at the price
of that moment; nobody accepting for one step at the floor leaves it unsold.

The auction row is the one lock of an auction: a bid is accepted by one conditional UPDATE of it
(``bidding.services.auctions``), so the database orders bids, never a web process.
"""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition

from trading.models import Lot, Organisation


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

"""Listings (挂牌, DESIGN §5): during the listing period registered bidders quote by whole increments
above the current price; at the close one quote at or above the reserve wins, several bidders who
choose to continue go to a live auction. The reserve is entered by staff with an assigned supervisor
present and kept sealed to the lot's opening key until the result (``SealedReserve``).

The listing row is the one lock of a listing's quotes, as the auction row is of its bids.
"""
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

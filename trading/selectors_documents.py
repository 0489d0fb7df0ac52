"""Reads of a lot's documents and enquiries, and who may see which."""
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from trading.errors import TradingError
from trading.models import Enquiry, Lot, LotDocument, Role
from trading.selectors import registration_active

# Before publication a lot and its documents are the centre's working papers.
UNPUBLISHED = (Lot.Status.DRAFT, Lot.Status.PENDING_REVIEW)
# Documents change only until bids are frozen; afterwards every bidder must have bid on the same set.
UPLOAD_STATUSES = (Lot.Status.DRAFT, Lot.Status.PENDING_REVIEW, Lot.Status.PUBLISHED, Lot.Status.BIDDING)
# Bidders may already hold the documents, so a new version should come with an amendment; questions
# are taken in these statuses too, from the announcement until bids are frozen.
PUBLIC_STATUSES = (Lot.Status.PUBLISHED, Lot.Status.BIDDING)


def documents_on_sale(*, lot: Lot, now) -> bool:
    return bool(lot.documents_from and lot.documents_until and lot.documents_from <= now < lot.documents_until)


def enquiries_open(*, lot: Lot, now) -> bool:
    return lot.status in PUBLIC_STATUSES and not (lot.bid_deadline and now >= lot.bid_deadline)


def _is_staff(user) -> bool:
    return bool(user and user.is_authenticated and user.has_role(Role.STAFF))


def lot_get_visible(*, lot_id: int, user) -> Lot:
    """The lot, if ``user`` may see it: published lots are public, earlier ones are for staff."""
    lot = Lot.objects.select_related("project").filter(pk=lot_id).first()
    if lot is None or (lot.status in UNPUBLISHED and not _is_staff(user)):
        raise TradingError("lot_not_found", _("There is no such lot."), status=404)
    return lot


def document_list(*, lot: Lot) -> QuerySet[LotDocument]:
    """Every version of every document of the lot, newest version of each name first."""
    return LotDocument.objects.filter(lot=lot).order_by("name", "-version")


def document_access_for_user(*, lot: Lot, user, now) -> dict:
    """What the documents page offers ``user``: upload (staff, while documents may change) and download."""
    staff = _is_staff(user)
    bidder = bool(user and user.is_authenticated and user.has_role(Role.BIDDER))
    registered = bidder and registration_active(lot=lot, organisation=user.organisation)
    return {
        "can_upload": staff and lot.status in UPLOAD_STATUSES,
        # Bidders may hold a published lot's documents already: a further upload should say what changed.
        "suggest_amendment": lot.status in PUBLIC_STATUSES and LotDocument.objects.filter(lot=lot).exists(),
        "registered": registered,
        "on_sale": documents_on_sale(lot=lot, now=now),
        "can_download": staff or (registered and documents_on_sale(lot=lot, now=now)),
    }


def enquiry_list_public(*, lot: Lot) -> QuerySet[Enquiry]:
    """Answered questions of the lot, in the order they were asked. Callers must not read the
    asker's fields: ``only()`` keeps them out of the query so a template cannot show them by accident."""
    return (Enquiry.objects.filter(lot=lot, answered_at__isnull=False)
            .only("id", "lot_id", "question", "asked_at", "answer", "answered_at", "amendment_id")
            .order_by("asked_at", "id"))


def enquiry_list_pending(*, lot: Lot) -> QuerySet[Enquiry]:
    """Unanswered questions with who asked them, for staff."""
    return (Enquiry.objects.filter(lot=lot, answered_at__isnull=True)
            .select_related("organisation", "asked_by").order_by("asked_at", "id"))


def enquiry_list_own_pending(*, lot: Lot, organisation) -> QuerySet[Enquiry]:
    """The unanswered questions an organisation asked, so its people see theirs were received."""
    if organisation is None:
        return Enquiry.objects.none()
    return Enquiry.objects.filter(lot=lot, organisation=organisation, answered_at__isnull=True).order_by("asked_at", "id")


def enquiry_can_ask(*, lot: Lot, user, now) -> bool:
    bidder = bool(user and user.is_authenticated and user.has_role(Role.BIDDER))
    return bidder and enquiries_open(lot=lot, now=now) and registration_active(lot=lot, organisation=user.organisation)

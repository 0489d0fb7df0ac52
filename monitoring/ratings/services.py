"""Service ratings (好差评): the services read from the audit chain, a party's rating, the centre's
answer (docs/ratings.md).

``services_sweep`` is one of the platform's timed sweeps (``settings.PLATFORM_SWEEPS``). It reads
the audit chain after ``RatingCursor`` in id order, as electronic supervision's event rules do, and
makes one ``Service`` for each party a service was rendered to; the cursor row, held with
``skip_locked``, lets one sweep read at a time, and the services of a batch and the cursor's move
commit together, so a batch is read once (the unique ``kind, ref, organisation`` stays as the last
guard). A ``Service`` is a reading of entries already on the chain, each pointing at its entry, so
making one is not recorded again; a rating and an answer are (``rating.given``, ``rating.answered``).

The apps know nothing of ratings: which of their events is a service, and who was served, is read
here from the event and the rows it names.
"""
import hashlib
from collections.abc import Callable, Iterable

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from bidding.sealed.models import Bid, OpeningSession
from monitoring.events import WITHHELD_ACTOR, actor_of, record
from monitoring.models import AuditEntry
from monitoring.ratings.errors import RatingError
from monitoring.ratings.errors import RatingErrorCode as Code
from monitoring.ratings.models import BAD_LEVELS, Level, Rating, RatingCursor, Service
from monitoring.ratings.selectors import rating_closes_at, staff_to_notify
from supervisors.complaints.models import Complaint
from trading import clock
from trading.models import Deposit, Enquiry, Lot, Role, RuleCode
from trading.selectors_calendar import rule_find
from trading.services.notifications import notify
from trading.services_calendar import deadline_compute
from trading.text import TEXT_MAX, text_clean
from trading.workdays import WORKING_DAYS

BATCH = 2000  # audit entries read per transaction
BATCHES = 50  # per sweep: the rest waits for the next one
ANSWER_WORKING_DAYS = 15  # where a market has no rating_answer row (国办发〔2019〕51号)
Kind = Service.Kind


def _person(actor: str) -> str:
    """The actor as ``rendered_by`` where a person did it; "" for the platform's own steps."""
    return actor if actor.startswith("user:") else ""


def _number(subject: str, prefix: str) -> int | None:
    kind, _sep, number = subject.partition(":")
    return int(number) if kind == prefix and number.isdigit() else None


def _datum(entry: AuditEntry, name: str) -> int | None:
    value = (entry.data or {}).get(name)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


# --- which events are services, and to whom --------------------------------------------------------------
# Each reader takes the batch's entries of its kinds and returns their services (unsaved), reading
# the rows the entries name in one query.

def _registrations_reviewed(entries: list[AuditEntry]) -> Iterable[Service]:
    """Staff approved or rejected a registration (资格审查/竞买资格确认). An approval the procedure
    gives at once (no pre-qualification) is nobody's review, and no service."""
    entries = [e for e in entries if not (e.data or {}).get("automatic")]
    markets = dict(Lot.objects.filter(pk__in={_datum(e, "lot") for e in entries})
                   .values_list("pk", "project__market_id"))
    for entry in entries:
        lot_id, organisation_id = _datum(entry, "lot"), _datum(entry, "organisation")
        registration_id = _number(entry.subject, "registration")
        if lot_id in markets and organisation_id and registration_id:
            yield Service(kind=Kind.REGISTRATION_REVIEW, ref=f"registration:{registration_id}", lot_id=lot_id,
                          market_id=markets[lot_id], organisation_id=organisation_id,
                          rendered_by=_person(entry.actor), rendered_at=entry.at, entry=entry.pk)


def _deposits_refunded(entries: list[AuditEntry]) -> Iterable[Service]:
    rows = {pk: rest for pk, *rest in Deposit.objects.filter(pk__in={_datum(e, "deposit") for e in entries})
            .values_list("pk", "registration__organisation_id", "registration__lot_id",
                         "registration__lot__project__market_id")}
    for entry in entries:
        deposit_id = _datum(entry, "deposit")
        if deposit_id in rows:
            organisation_id, lot_id, market_id = rows[deposit_id]
            yield Service(kind=Kind.DEPOSIT_REFUND, ref=f"deposit:{deposit_id}", lot_id=lot_id, market_id=market_id,
                          organisation_id=organisation_id, rendered_by=_person(entry.actor), rendered_at=entry.at,
                          entry=entry.pk)


def _enquiries_answered(entries: list[AuditEntry]) -> Iterable[Service]:
    """The answer is public, but the service is the asker's (the enquiry's organisation)."""
    rows = {pk: rest for pk, *rest in Enquiry.objects.filter(pk__in={_datum(e, "enquiry") for e in entries})
            .values_list("pk", "organisation_id", "lot_id", "lot__project__market_id")}
    for entry in entries:
        enquiry_id = _datum(entry, "enquiry")
        if enquiry_id in rows:
            organisation_id, lot_id, market_id = rows[enquiry_id]
            yield Service(kind=Kind.ENQUIRY_ANSWER, ref=f"enquiry:{enquiry_id}", lot_id=lot_id, market_id=market_id,
                          organisation_id=organisation_id, rendered_by=_person(entry.actor), rendered_at=entry.at,
                          entry=entry.pk)


def _openings_held(entries: list[AuditEntry]) -> Iterable[Service]:
    """The opening record is published: a service to every bidder whose bid it opened (or failed
    to open). It was held by the staff member who started the session: the event's actor is the
    custodian whose share completed the key, who may be a supervisor or a regulator."""
    lot_ids = {lot_id for e in entries if (lot_id := _number(e.subject, "lot"))}
    sessions = {lot_id: (pk, started_by, market_id) for pk, lot_id, started_by, market_id in
                OpeningSession.objects.filter(lot_id__in=lot_ids)
                .values_list("pk", "lot_id", "started_by", "lot__project__market_id")}
    bidders: dict[int, list[int]] = {}
    for lot_id, organisation_id in (Bid.objects.filter(lot_id__in=lot_ids, opening__isnull=False)
                                    .values_list("lot_id", "organisation_id").distinct().order_by("lot_id",
                                                                                                 "organisation_id")):
        bidders.setdefault(lot_id, []).append(organisation_id)
    for entry in entries:
        lot_id = _number(entry.subject, "lot")
        if lot_id not in sessions:
            continue
        session_id, started_by, market_id = sessions[lot_id]
        for organisation_id in bidders.get(lot_id, []):
            yield Service(kind=Kind.OPENING, ref=f"opening:{session_id}", lot_id=lot_id, market_id=market_id,
                          organisation_id=organisation_id, rendered_by=_person(started_by), rendered_at=entry.at,
                          entry=entry.pk)


def _complaints_decided(entries: list[AuditEntry]) -> Iterable[Service]:
    ids = {_number(e.subject, "complaint") for e in entries}
    rows = {pk: rest for pk, *rest in Complaint.objects.filter(pk__in=ids)
            .values_list("pk", "organisation_id", "lot_id", "lot__project__market_id")}
    for entry in entries:
        complaint_id = _number(entry.subject, "complaint")
        if complaint_id in rows:
            organisation_id, lot_id, market_id = rows[complaint_id]
            yield Service(kind=Kind.COMPLAINT_HANDLING, ref=f"complaint:{complaint_id}", lot_id=lot_id,
                          market_id=market_id, organisation_id=organisation_id, rendered_by=_person(entry.actor),
                          rendered_at=entry.at, entry=entry.pk)


READERS: dict[str, Callable[[list[AuditEntry]], Iterable[Service]]] = {
    "registration.approved": _registrations_reviewed,
    "registration.rejected": _registrations_reviewed,
    "deposit.refunded": _deposits_refunded,
    "enquiry.answered": _enquiries_answered,
    "opening.record_published": _openings_held,
    "complaint.decided": _complaints_decided,
}


def services_sweep() -> dict:
    """Timed sweep: a ``Service`` for each service rendered since the last run. Returns how many."""
    RatingCursor.objects.get_or_create(pk=RatingCursor.ROW)
    made = 0
    for _batch in range(BATCHES):
        with transaction.atomic():
            cursor = RatingCursor.objects.select_for_update(skip_locked=True).filter(pk=RatingCursor.ROW).first()
            if cursor is None:  # another sweep is reading
                break
            ids = list(AuditEntry.objects.filter(pk__gt=cursor.last_entry).order_by("pk")
                       .values_list("pk", flat=True)[:BATCH])
            if not ids:
                break
            by_reader: dict[Callable, list[AuditEntry]] = {}
            for entry in (AuditEntry.objects.filter(pk__gte=ids[0], pk__lte=ids[-1], kind__in=list(READERS))
                          .order_by("pk")):
                by_reader.setdefault(READERS[entry.kind], []).append(entry)
            found = {(s.kind, s.ref, s.organisation_id): s for reader, entries in by_reader.items()
                     for s in reader(entries)}
            made += _insert(found)
            cursor.last_entry = ids[-1]
            cursor.save(update_fields=["last_entry"])
    return {"services": made}


def _insert(found: dict) -> int:
    """The services not made yet (a chain read again after a restored cursor finds its own)."""
    if not found:
        return 0
    refs = {ref for _kind, ref, _organisation in found}
    existing = set(Service.objects.filter(ref__in=refs).values_list("kind", "ref", "organisation_id"))
    new = [service for key, service in found.items() if key not in existing]
    Service.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)


# --- the party's rating ------------------------------------------------------------------------------------

def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _level_clean(level) -> int:
    try:
        value = int(level)
    except (TypeError, ValueError):
        value = None
    if isinstance(level, bool) or value not in Level.values:
        raise RatingError(Code.LEVEL_INVALID, _("Choose one of the five levels, from very satisfied to very "
                                                "dissatisfied."))
    return value


def _comment_clean(comment, *, bad: bool) -> str:
    if bad:
        return text_clean(comment, code="comment", error=RatingError,
                          message=_("Say what was wrong: a rating of dissatisfied or worse needs a comment, which "
                                    "the centre answers."))
    comment = comment.strip() if isinstance(comment, str) else ""
    if len(comment) > TEXT_MAX:
        raise RatingError(Code.COMMENT_TOO_LONG, _("At most %(n)s characters, please.") % {"n": TEXT_MAX})
    return comment


def _answer_due(service: Service, now):
    """The centre answers a bad rating within ``rating_answer`` (15 working days) of the rating."""
    rule = rule_find(market=service.market_id, procedure=None, code=RuleCode.RATING_ANSWER) \
        if service.market_id else None
    amount, unit = (rule.amount, rule.unit) if rule else (ANSWER_WORKING_DAYS, WORKING_DAYS)
    return deadline_compute(start=now, amount=amount, unit=unit).at


def rating_give(*, service_id: int, user, level, comment: str = "") -> Rating:
    """A person of the served organisation rates the service, once, on the five-step scale, before
    its time to rate ends (``rating_closes_at``). A bad rating (不满意 or worse) needs a comment,
    gets its answer limit and is told to the centre's staff. Real-name: the rating names its
    rater; the chain names them only in its data (``WITHHELD_ACTOR``), as a registration does, since
    a rating before the opening would tell who takes part."""
    level = _level_clean(level)
    bad = level in BAD_LEVELS
    comment = _comment_clean(comment, bad=bad)
    organisation_id = user.organisation_id if getattr(user, "is_authenticated", False) else None
    with transaction.atomic():
        service = (Service.objects.select_for_update(of=("self",)).select_related("lot__project")
                   .filter(pk=service_id).first())
        # Another organisation's service is not shown to be there at all.
        if service is None or organisation_id is None or service.organisation_id != organisation_id:
            raise RatingError(Code.SERVICE_NOT_FOUND, _("There is no such service to your organisation."),
                              status=404)
        if not user.is_active:
            raise RatingError(Code.NOT_SERVED, _("Your account is not active."), status=403)
        if Rating.objects.filter(service=service).exists():
            raise RatingError(Code.ALREADY_RATED, _("This service is already rated."), status=409)
        now = clock.now()
        if now >= rating_closes_at(service=service):
            raise RatingError(Code.RATING_CLOSED, _("The time to rate this service has passed: unrated, it counts "
                                                    "as satisfied."), status=409)
        due = _answer_due(service, now) if bad else None
        try:
            with transaction.atomic():
                rating = Rating.objects.create(service=service, level=level, comment=comment, rated_by=user,
                                               rated_at=now, answer_due_at=due)
        except IntegrityError:  # rated meanwhile by a colleague: the service's lock makes this rare
            raise RatingError(Code.ALREADY_RATED, _("This service is already rated."), status=409) from None
        record(kind="rating.given", actor=WITHHELD_ACTOR, subject=f"service:{service.pk}",
               data={"service": service.pk, "rating": rating.pk, "kind": service.kind, "lot": service.lot_id,
                     "market": service.market_id, "level": level, "by": actor_of(user),
                     "comment_sha256": _sha256(comment) if comment else "",
                     "answer_due_at": due.isoformat() if due else None})
        if bad:
            _staff_tell(rating)
    return rating


def _service_words(service: Service) -> dict:
    return {"service": Service.Kind(service.kind).label, "lot": service.lot.code if service.lot else service.ref}


def _staff_tell(rating: Rating) -> None:
    service = rating.service
    params = {**_service_words(service), "level": Level(rating.level).label}
    link = reverse("ratings-staff") + f"#rating-{rating.pk}"
    for person in staff_to_notify():
        notify(user=person, kind="rating.bad", title=_("Bad rating: %(service)s, %(lot)s"),
               body=_("Rated “%(level)s”. Answer the party on the ratings page within the limit."),
               params=params, link=link)


# --- the centre's answer -----------------------------------------------------------------------------------

def rating_answer(*, rating_id: int, user, answer: str) -> Rating:
    """The centre's staff answer a rating (a bad one within its limit; late is still accepted and
    recorded as late), once; the rater is told and sees the answer with their rating."""
    if not (getattr(user, "is_authenticated", False) and user.has_role(Role.STAFF)):
        raise RatingError(Code.NOT_STAFF, _("Only the centre's staff answer ratings."), status=403)
    answer = text_clean(answer, code="answer", error=RatingError, message=_("Write the centre's answer."))
    actor = actor_of(user)
    with transaction.atomic():
        rating = (Rating.objects.select_for_update(of=("self",)).select_related("service__lot", "rated_by")
                  .filter(pk=rating_id).first())
        if rating is None:
            raise RatingError(Code.RATING_NOT_FOUND, _("There is no such rating."), status=404)
        if rating.answered_at is not None:
            raise RatingError(Code.ALREADY_ANSWERED, _("This rating is already answered."), status=409)
        now = clock.now()
        rating.answer, rating.answered_by, rating.answered_at = answer, user, now
        rating.save(update_fields=["answer", "answered_by", "answered_at"])
        service = rating.service
        record(kind="rating.answered", actor=actor, subject=f"service:{service.pk}",
               data={"service": service.pk, "rating": rating.pk, "kind": service.kind, "lot": service.lot_id,
                     "market": service.market_id, "level": rating.level, "answer_sha256": _sha256(answer),
                     "late": bool(rating.answer_due_at and now >= rating.answer_due_at)})
        notify(user=rating.rated_by, kind="rating.answered",
               title=_("The centre answered your rating: %(service)s, %(lot)s"),
               body=_("Read the answer on the page of your services."), params=_service_words(service),
               link=reverse("ratings-mine") + f"#service-{service.pk}")
    return rating

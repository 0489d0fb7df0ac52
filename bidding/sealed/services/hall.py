"""The remote opening hall (不见面开标大厅, docs/opening-hall.md): the bidders' check-in, the release
of their own parts inside the decryption window, the outcome of a bid left locked (电子招标投标办法
Art 31: revoked through the bidder's fault, withdrawn through the platform's), the host's pause and
resume with frozen windows, and the questions asked in the hall.

Before the deadline a check-in is told to nobody but its bidder (招标投标法 Art 22: who bids is not
told before the opening): its event goes under the registration's subject with the actor withheld.
From the opening's start the lot's room shows who is present.

Lock order: lot, then session, then bid, then registration (the opening's own order).
"""
import os
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Count
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from bidding.crypto.canonical import time_format
from bidding.crypto.envelope import EnvelopeError, Fault
from bidding.crypto.envelope_v2 import PART_SIZE, bidder_part_check, header_read
from bidding.errors import BiddingError
from bidding.sealed.models import (
    Bid,
    BidderKey,
    BidderRelease,
    HallCheckIn,
    HallPause,
    HallQuestion,
    OpeningSession,
)
from bidding.sealed.services.bidder_keys import bidder_key_prove
from bidding.sealed.services.refusals import hall_refused
from bidding.sealed.services.opening import (
    _session_cipher,
    bids_open,
    lot_key_rebuild,
    part_cipher_aad,
    session_lock,
)
from monitoring.events import WITHHELD_ACTOR, actor_of, record
from trading import clock
from trading.models import Lot, Registration, RuleCode, User
from trading.selectors_availability import lot_outage_rules, platform_unavailable, rule_duration
from trading.selectors_calendar import lot_published_at, rule_find
from trading.services.notifications import notify
from trading.storage import get_storage

ACTOR = "system:clock"
CHECK_IN_DEFAULT = timedelta(minutes=30)
TEXT_MAX = 2000
# The steps the hall shows (docs/opening-hall.md), in order; the room folds them from the events.
STEPS = ("check_in", "started", "custodians", "decryption_window", "price_reading", "record", "confirmations",
         "closed")
# Refusals of a release found under the session's lock: each is recorded (``hall_refused``).
WINDOW_REFUSALS = ("hall_paused", "window_closed")
PAUSABLE = (OpeningSession.Status.COLLECTING_SHARES, OpeningSession.Status.DECRYPTION_WINDOW,
            OpeningSession.Status.RECORD_PUBLISHED)


def check_in_opens_at(lot: Lot) -> datetime | None:
    """When check-in opens: the rule table's time before the bid deadline."""
    if lot.bid_deadline is None:
        return None
    rule = rule_find(market=lot.project.market_id, procedure=lot.project.procedure, code=RuleCode.OPENING_CHECK_IN,
                     at=lot_published_at(lot=lot))
    return lot.bid_deadline - (rule_duration(rule) if rule else CHECK_IN_DEFAULT)


def _registration_of(lot: Lot, user: User) -> Registration:
    registration = (Registration.objects.select_related("organisation")
                    .filter(lot=lot, organisation_id=user.organisation_id,
                            status=Registration.Status.APPROVED).first()) if user.organisation_id else None
    if registration is None:
        raise hall_refused(user, lot_id=lot.pk, code="not_registered_here", status=403,
                           message=_("Only the bidders registered for this lot take part in its opening hall."))
    return registration


def hall_check_in(*, lot_id: int, user: User, challenge_id: str = "", answer: bytes = b"", signature: bytes = b"",
                  failure: str = "") -> HallCheckIn:
    """Check in to the hall (签到). A registration holding a bidder key proves it here by answering a
    key check (``bidder_key_challenge``, then this with its answer): a bidder who cannot unlock its
    key learns it now, not in the decryption window."""
    lot = Lot.objects.select_related("project").filter(pk=lot_id).first()
    if lot is None:
        raise BiddingError("lot_not_found", _("There is no such lot."), status=404)
    registration = _registration_of(lot, user)
    now = clock.now()
    opens = check_in_opens_at(lot)
    if opens is None or now < opens:
        raise hall_refused(user, lot_id=lot.pk, code="check_in_not_open",
                           message=_("Check-in opens %(minutes)d minutes before the bid deadline.")
                           % {"minutes": int((lot.bid_deadline - opens) / timedelta(minutes=1)) if opens else 0})
    session = OpeningSession.objects.filter(lot=lot).first()
    if session is not None and session.status not in (OpeningSession.Status.COLLECTING_SHARES,
                                                      OpeningSession.Status.DECRYPTION_WINDOW):
        raise hall_refused(user, lot_id=lot.pk, code="check_in_closed",
                           message=_("Check-in closed when the bids were decrypted."))
    if HallCheckIn.objects.filter(registration=registration).exists():
        raise BiddingError("checked_in_already", _("Your organisation has checked in already."), status=409)
    key = BidderKey.objects.filter(registration=registration).first()
    fingerprint = ""
    if key is not None:
        if not challenge_id:
            raise BiddingError("key_proof_required", _("Prove your bidder key to check in: unlock it with your "
                                                       "passphrase to answer the key check."))
        # Refused and recorded by the key service when wrong (and alerted on when repeated).
        fingerprint = bidder_key_prove(registration_id=registration.pk, user=user, challenge_id=challenge_id,
                                       answer=answer, signature=signature, failure=failure).fingerprint
    with transaction.atomic():
        if HallCheckIn.objects.select_for_update().filter(registration=registration).exists():
            raise BiddingError("checked_in_already", _("Your organisation has checked in already."), status=409)
        check_in = HallCheckIn.objects.create(lot=lot, registration=registration, checked_in_by=user,
                                              at=clock.now(), key_fingerprint=fingerprint)
        data = {"bidder": registration.organisation.uscc, "organisation": registration.organisation.name,
                "key_proved": bool(fingerprint), "at": time_format(check_in.at)}
        if OpeningSession.objects.filter(lot=lot).exists():
            record(kind="opening.checked_in", actor=actor_of(user), subject=f"lot:{lot.pk}", data=data)
        else:
            record(kind="hall.checked_in", actor=WITHHELD_ACTOR, subject=f"registration:{registration.pk}",
                   data={"lot": lot.pk, "by": actor_of(user), **data})
    return check_in


def _locked_bid(lot: Lot, user: User) -> Bid:
    bid = (Bid.objects.select_related("organisation")
           .filter(lot=lot, organisation_id=user.organisation_id, status=Bid.Status.SEALED, envelope_version=2).first()
           if user.organisation_id else None)
    if bid is None:
        raise BiddingError("no_locked_bid", _("Your organisation has no sealed bid with its own lock on this lot."),
                           status=404)
    return bid


def bid_header(*, lot_id: int, user: User) -> tuple[Bid, bytes]:
    """The header of the organisation's own v2 envelope: what its key needs to unlock its part."""
    lot = Lot.objects.filter(pk=lot_id).first()
    if lot is None:
        raise BiddingError("lot_not_found", _("There is no such lot."), status=404)
    bid = _locked_bid(lot, user)
    with get_storage().get(bid.storage_key) as reader:
        return bid, header_read(reader)


def part_release(*, lot_id: int, user: User, part: bytes) -> BidderRelease:
    """A bidder releases its part in the decryption window. It is checked at once against the
    envelope's commitment (a wrong one is refused and recorded, and the bidder may try again while
    the window lasts), kept encrypted until the bids are opened, and when the last locked bid's part
    is in, the bids are opened without waiting for the window's end."""
    bid, header = bid_header(lot_id=lot_id, user=user)
    names = {"platform": settings.PLATFORM_ID, "lot": str(lot_id), "bidder": bid.organisation.uscc}
    if len(part) != PART_SIZE:
        raise hall_refused(user, lot_id=lot_id, code="bad_part", status=400,
                           message=_("A bidder part is 32 bytes: unlock it again with your key."))
    try:
        bidder_part_check(header=header, part=part, **names)
    except EnvelopeError:
        raise hall_refused(user, lot_id=lot_id, code="bidder_part_mismatch", status=403,
                           message=_("This is not the part your envelope was sealed with: unlock it with the key "
                                     "registered for this lot. The attempt is recorded.")) from None
    try:
        with transaction.atomic():
            session = session_lock(lot_id=lot_id)
            _window_open_check(session)
            status = Bid.objects.select_for_update().filter(pk=bid.pk).values_list("status", flat=True).first()
            if status != Bid.Status.SEALED:
                raise BiddingError("bid_not_sealed", _("This bid is not sealed any more."), status=409)
            if BidderRelease.objects.filter(bid=bid).exists():
                raise BiddingError("part_released_already", _("Your part is released already."), status=409)
            cipher = _session_cipher(session)
            nonce = os.urandom(12)
            release = BidderRelease.objects.create(
                session=session, bid=bid, released_at=clock.now(), released_by=user,
                part_cipher=nonce + cipher.encrypt(nonce, part, part_cipher_aad(session, bid.pk)))
            counts = Bid.objects.filter(lot_id=lot_id, status=Bid.Status.SEALED, envelope_version=2).aggregate(
                locked=Count("pk"), released=Count("release"))
            record(kind="opening.part_released", actor=actor_of(user), subject=f"lot:{lot_id}",
                   data={"bidder": bid.organisation.uscc, "organisation": bid.organisation.name,
                         "receipt": str(bid.receipt_id), **counts})
            if counts["released"] >= counts["locked"]:
                _window_close(session, actor=actor_of(user), outcome=Fault.BIDDER, reason="all_released")
    except BiddingError as error:
        if error.code in WINDOW_REFUSALS:
            # Recorded once the transaction has rolled back: recorded inside it, it would go too.
            raise hall_refused(user, lot_id=lot_id, code=error.code, message=error.message,
                               status=error.status) from None
        raise
    return release


def _window_open_check(session: OpeningSession) -> None:
    if session.paused_at is not None:
        raise BiddingError("hall_paused", _("The opening is paused: wait for the host to resume it."), status=409)
    if session.status != OpeningSession.Status.DECRYPTION_WINDOW or clock.now() >= session.window_until:
        raise BiddingError("window_closed", _("Parts are released only while the decryption window is open."),
                           status=409)


def _window_close(session: OpeningSession, *, actor: str, outcome: str, reason: str) -> None:
    """Caller holds the session's lock. Rebuild the key, open every bid (a locked one fails with
    ``outcome``), publish the record; settle the deposits of those that failed."""
    private_key = lot_key_rebuild(session)
    parts = _released_parts(session)
    record(kind="opening.window_closed", actor=actor, subject=f"lot:{session.lot_id}",
           data={"reason": reason, "released": len(parts),
                 "locked": Bid.objects.filter(lot=session.lot, status=Bid.Status.SEALED, envelope_version=2).count(),
                 "outcome_if_locked": {Fault.BIDDER: "revoked", Fault.PLATFORM: "withdrawn"}[outcome]})
    session.decrypt()
    session.save()
    bids_open(session, private_key=private_key, parts=parts, actor=actor, locked_outcome=outcome)


def _released_parts(session: OpeningSession) -> dict[int, bytes]:
    cipher = _session_cipher(session)
    parts = {}
    for release in session.releases.exclude(part_cipher=None):
        blob = bytes(release.part_cipher)
        parts[release.bid_id] = cipher.decrypt(blob[:12], blob[12:], part_cipher_aad(session, release.bid_id))
    return parts


def _tell_bidders(session: OpeningSession, *, kind: str, title, body, params: dict) -> None:
    users = {bid.submitted_by for bid in Bid.objects.filter(lot=session.lot, status=Bid.Status.SEALED)
             .select_related("submitted_by")}
    for user in sorted(users, key=lambda u: u.pk):
        notify(user=user, kind=kind, title=title, body=body, params=params,
               link=reverse("opening-page", args=[session.lot_id]))


def _window_tolerance(lot: Lot) -> timedelta | None:
    """How long the platform may be unavailable within a decryption window before it counts: the
    rule table's own figure for windows (a window is minutes long, a bid deadline's period hours),
    else the lot's outage rule's tolerance."""
    rule = rule_find(market=lot.project.market_id, procedure=lot.project.procedure,
                     code=RuleCode.WINDOW_OUTAGE_TOLERANCE, at=lot_published_at(lot=lot))
    if rule is not None:
        return rule_duration(rule)
    rules = lot_outage_rules(lot=lot)
    return rules.tolerance if rules else None


def window_sweep() -> dict:
    """Timed sweep: at a decryption window's end (never while paused), apply the outage rule: if the
    platform was unavailable for longer than the window's tolerance since the window opened (a
    pause does not stop this count: time down counts for the bidders), the window is
    extended once by the rule's amount and the bidders told; else the bids are opened, a bid still
    locked counting as revoked, or as withdrawn if an outage beyond the tolerance fell in the
    extended window (the platform's fault)."""
    closed = extended = 0
    due = OpeningSession.objects.filter(status=OpeningSession.Status.DECRYPTION_WINDOW, paused_at__isnull=True,
                                        window_until__lte=clock.now()).values_list("pk", flat=True)
    for session_id in due:
        with transaction.atomic():
            session = (OpeningSession.objects.select_for_update(skip_locked=True, of=("self",))
                       .select_related("lot__project__market", "lot__project__procedure", "lot__opening_key")
                       .filter(pk=session_id, status=OpeningSession.Status.DECRYPTION_WINDOW,
                               paused_at__isnull=True).first())
            now = clock.now()
            if session is None or session.window_until > now:
                continue
            lot = session.lot
            since = session.window_extended_at or session.window_started_at
            rules = lot_outage_rules(lot=lot)
            down = platform_unavailable(start=since, end=now, lot=lot, tolerance=_window_tolerance(lot))
            if down.exceeded and session.window_extended_at is None and rules is not None:
                old = session.window_until
                session.window_extended_at, session.window_until = now, now + rules.extension
                session.save(update_fields=["window_extended_at", "window_until"])
                record(kind="opening.window_extended", actor=ACTOR, subject=f"lot:{lot.pk}",
                       data={"from": time_format(old), "to": time_format(session.window_until),
                             "unavailable_seconds": int(down.total.total_seconds()),
                             "outages": [outage.pk for outage in down.outages]})
                _tell_bidders(session, kind="opening.window_extended",
                              title=_("The decryption window of %(lot)s is extended"),
                              body=_("The platform was unavailable during the window; it now ends at %(until)s. "
                                     "Release your part before then."),
                              params={"lot": lot.code, "until": time_format(session.window_until)})
                extended += 1
                continue
            _window_close(session, actor=ACTOR, outcome=Fault.PLATFORM if down.exceeded else Fault.BIDDER,
                          reason="window_ended")
            closed += 1
    return {"closed": closed, "extended": extended}


def hall_pause(*, lot_id: int, actor: str, reason: str) -> HallPause:
    """The host pauses the opening with a reason: the windows stand still until it resumes."""
    if not reason.strip():
        raise BiddingError("pause_reason_required", _("Say why the opening is paused."))
    with transaction.atomic():
        session = session_lock(lot_id=lot_id)
        if session.paused_at is not None:
            raise BiddingError("hall_paused", _("The opening is paused already."), status=409)
        if session.status not in PAUSABLE:
            raise BiddingError("not_pausable", _("Only an opening under way can be paused."), status=409)
        now = clock.now()
        window_left = (max(session.window_until - now, timedelta())
                       if session.status == OpeningSession.Status.DECRYPTION_WINDOW else None)
        responses_left = (max(session.responses_until - now, timedelta())
                          if session.status == OpeningSession.Status.RECORD_PUBLISHED else None)
        pause = HallPause.objects.create(session=session, paused_at=now, paused_by=actor, reason=reason.strip(),
                                         window_left=window_left, responses_left=responses_left)
        session.paused_at = now
        session.save(update_fields=["paused_at"])
        record(kind="opening.paused", actor=actor, subject=f"lot:{lot_id}",
               data={"pause": pause.pk, "reason": pause.reason,
                     "window_left_seconds": int(window_left.total_seconds()) if window_left is not None else None,
                     "responses_left_seconds": (int(responses_left.total_seconds())
                                                if responses_left is not None else None)})
    return pause


def hall_resume(*, lot_id: int, actor: str) -> HallPause:
    """The host resumes: each window gets back exactly the time it had left when paused."""
    with transaction.atomic():
        session = session_lock(lot_id=lot_id)
        pause = session.pauses.select_for_update().filter(resumed_at__isnull=True).first()
        if session.paused_at is None or pause is None:
            raise BiddingError("hall_not_paused", _("The opening is not paused."), status=409)
        now = clock.now()
        fields = ["paused_at"]
        if pause.window_left is not None:
            session.window_until = now + pause.window_left
            fields.append("window_until")
        if pause.responses_left is not None:
            session.responses_until = now + pause.responses_left
            fields.append("responses_until")
        session.paused_at = None
        session.save(update_fields=fields)
        pause.resumed_at, pause.resumed_by = now, actor
        pause.save(update_fields=["resumed_at", "resumed_by"])
        record(kind="opening.resumed", actor=actor, subject=f"lot:{lot_id}",
               data={"pause": pause.pk, "paused_seconds": int((now - pause.paused_at).total_seconds()),
                     "window_until": time_format(session.window_until) if pause.window_left is not None else None,
                     "responses_until": (time_format(session.responses_until)
                                         if pause.responses_left is not None else None)})
    return pause


def question_ask(*, lot_id: int, user: User, text: str) -> HallQuestion:
    """A registered bidder asks in the hall; the question is on the lot's record at once."""
    text = text.strip()
    if not text:
        raise BiddingError("question_text_required", _("Write the question."))
    if len(text) > TEXT_MAX:
        raise BiddingError("question_too_long", _("A question is at most %(n)d characters.") % {"n": TEXT_MAX})
    lot = Lot.objects.filter(pk=lot_id).first()
    if lot is None:
        raise BiddingError("lot_not_found", _("There is no such lot."), status=404)
    registration = _registration_of(lot, user)
    session_id = OpeningSession.objects.filter(lot=lot).values_list("pk", flat=True).first()
    if session_id is None:
        raise BiddingError("hall_not_started", _("Questions are taken in the hall once the opening has started."),
                           status=409)
    with transaction.atomic():
        session = session_lock(session_id)
        if session.status == OpeningSession.Status.CLOSED:
            raise BiddingError("hall_closed", _("The opening is closed: questions are taken while it runs."),
                               status=409)
        question = HallQuestion.objects.create(session=session, organisation=registration.organisation,
                                               asked_by=user, text=text, at=clock.now())
        record(kind="opening.question", actor=actor_of(user), subject=f"lot:{lot.pk}",
               data={"question": question.pk, "bidder": registration.organisation.uscc,
                     "organisation": registration.organisation.name, "text": text})
    return question


def question_answer(*, question_id: int, answer: str, actor: str) -> HallQuestion:
    """The host answers a question in the hall, on the record."""
    answer = answer.strip()
    if not answer:
        raise BiddingError("answer_required", _("Write the answer."))
    if len(answer) > TEXT_MAX:
        raise BiddingError("answer_too_long", _("An answer is at most %(n)d characters.") % {"n": TEXT_MAX})
    with transaction.atomic():
        question = HallQuestion.objects.select_for_update().filter(pk=question_id).first()
        if question is None:
            raise BiddingError("question_not_found", _("There is no such question."), status=404)
        if question.answered_at is not None:
            raise BiddingError("question_answered", _("This question has been answered."), status=409)
        question.answer, question.answered_at, question.answered_by = answer, clock.now(), actor
        question.save(update_fields=["answer", "answered_at", "answered_by"])
        record(kind="opening.question_answered", actor=actor, subject=f"lot:{question.session.lot_id}",
               data={"question": question.pk, "answer": answer})
    return question

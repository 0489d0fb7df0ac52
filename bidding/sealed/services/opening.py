"""The online opening: after the deadline staff start it; each custodian presents their share with
their passphrase; at k shares the opening key is rebuilt in memory, checked against the published
public key, every envelope fetched, checked against its receipt hash and opened; the signed record
is published and chained into the audit log; the key and the presented shares are dropped.
Where the highest price wins (a one-shot sealed quote of equity), the opening also decides the
sale; for a listing lot the same session reveals the sealed reserve instead. How either decides the
sale is ``bidding.sales``'s (``sale_steps_register``).

Presented shares wait for the k-th in the database, encrypted under a key derived from the server's
secret for this session only: a session exists only after the deadline, and presenting a share is
the custodian's consent to open, so nothing here weakens secrecy before the deadline."""
import hashlib
import logging
import os
from decimal import Decimal

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from bidding.crypto import custodian as custodian_crypto, receipts, shamir
from bidding.crypto.canonical import canonical_json, time_format
from bidding.crypto.envelope import EnvelopeError, Fault, open_envelope
from bidding.crypto.opening_key import private_key_rebuild
from bidding.errors import BiddingError
from bidding.sealed.docmeta import EnvelopeFiles
from bidding.sealed.models import (
    Bid,
    BidCount,
    BidOpening,
    KeyShare,
    OpeningKey,
    OpeningResponse,
    OpeningSession,
    SharePresentation,
)
from monitoring.events import actor_of, record, record_many
from trading import clock, signing
from trading.models import Announcement, Lot, RuleCode, User
from trading.selectors_calendar import lot_published_at, rule_find
from trading.services.announcements import announcement_publish
from trading.services.moves import lot_lock, lot_transition
from trading.storage import get_storage
from trading.workdays import deadline_add

log = logging.getLogger(__name__)

RESERVE_KIND = "reserve-record"
# How an opening decides a sale belongs to bidding.sales, which stands on this module: it registers
# its two steps when the app is ready (bidding.apps): the reveal of a listing lot's sealed reserve
# (with the rebuilt key), and the sale decided by opened one-shot quotes.
_sale_steps: dict = {}


def sale_steps_register(*, reserve_revealed, quotes_opened) -> None:
    _sale_steps.update(reserve_revealed=reserve_revealed, quotes_opened=quotes_opened)


# What must hold before an opening starts, from the apps above bidding (supervisors: an official
# checked in to a major session). Each guard is called as ``guard(lot=lot)`` under the lot's lock
# and raises a BiddingError to refuse, or returns a dict merged into the start event's data.
_start_guards: list = []


def start_guards_register(guard) -> None:
    if guard not in _start_guards:
        _start_guards.append(guard)
OUTCOME = {Fault.BIDDER: "revoked", Fault.PLATFORM: "withdrawn"}  # 电子招标投标办法 Art 31


def _session_cipher(session: OpeningSession) -> AESGCM:
    key = HKDF(hashes.SHA256(), 32, salt=f"{settings.PLATFORM_ID}|{session.pk}".encode(),
               info=b"platform-opening-session-shares|v1").derive(settings.SECRET_KEY.encode())
    return AESGCM(key)


def bids_count(*, lot: Lot) -> BidCount:
    """Count the sealed bids of a lot whose bidding has closed, once, and tell the lot's room.

    Caller holds the lot's lock and the lot is past its deadline (no bid can arrive any more)."""
    count = BidCount.objects.filter(lot=lot).first()
    if count is None:
        count = BidCount.objects.create(lot=lot, sealed=Bid.objects.filter(lot=lot, status=Bid.Status.SEALED).count(),
                                        counted_at=clock.now())
        record(kind="lot.bids_counted", actor="system:clock", subject=f"lot:{lot.pk}", data={"sealed": count.sealed})
    return count


def bids_count_sweep() -> dict:
    """Timed sweep: count the sealed bids of every sealed-bid lot that bidding has left, soon after its
    deadline, so that the opening room shows how many are in before the opening starts."""
    counted = 0
    due = (Lot.objects.filter(status=Lot.Status.CLOSED, bid_count__isnull=True,
                              pk__in=OpeningKey.objects.values("lot_id")).values_list("pk", flat=True))
    for lot_id in due:
        with transaction.atomic():
            lot = (Lot.objects.select_for_update(skip_locked=True, of=("self",))
                   .filter(pk=lot_id, status=Lot.Status.CLOSED, bid_count__isnull=True).first())
            if lot is not None:
                bids_count(lot=lot)
                counted += 1
    return {"counted": counted}


def opening_start(*, lot_id: int, actor: str) -> OpeningSession | None:
    """Start the opening of a closed lot; with fewer sealed bids than the procedure needs there is
    no opening: the lot fails and a failure notice is published (实施条例 Art 44). Returns None then."""
    with transaction.atomic():
        lot = lot_lock(lot_id)
        if lot.status != Lot.Status.CLOSED:
            raise BiddingError("opening_not_due", _("The opening starts after bidding has closed at the deadline."),
                               status=409)
        sealed = bids_count(lot=lot).sealed
        needed = rule_find(market=lot.project.market_id, procedure=lot.project.procedure, code=RuleCode.MIN_BIDDERS,
                           at=lot_published_at(lot=lot))
        if needed is not None and sealed < needed.amount:
            lot_transition(lot_id=lot.pk, transition="fail", actor=actor,
                           data={"reason": "too_few_bids", "sealed_bids": sealed, "needed": needed.amount})
            with translation.override(settings.LANGUAGE_CODE):  # public notices are in the official language
                announcement_publish(
                    lot_id=lot.pk, kind=Announcement.Kind.FAILURE, actor=actor,
                    title=str(_("Failure notice: %(lot)s") % {"lot": lot.code}),
                    body=str(_("%(n)d bids were received by the deadline; at least %(needed)d are needed to open "
                               "(%(source)s). The lot has failed and may be tendered again.")
                             % {"n": sealed, "needed": needed.amount, "source": needed.source_text}),
                )
            return None
        data = {"sealed_bids": sealed}
        for guard in _start_guards:
            data.update(guard(lot=lot))
        session = OpeningSession.objects.create(lot=lot, started_at=clock.now(), started_by=actor)
        lot_transition(lot_id=lot.pk, transition="start_opening", actor=actor, data=data)
        _session_told(lot, kind="session.started", actor=actor)
    return session


def _session_told(lot: Lot, *, kind: str, actor: str) -> None:
    """Tell the supervision dashboard (subject ``centre``) that a lot's opening started or ended."""
    record(kind=kind, actor=actor, subject="centre",
           data={"lot": lot.pk, "code": lot.code, "title": lot.display_title, "room": "opening"})


def _session_lock(session_id: int) -> OpeningSession:
    session = (OpeningSession.objects.select_for_update(of=("self",))
               .select_related("lot__project__market", "lot__project__procedure", "lot__opening_key")
               .filter(pk=session_id).first())
    if session is None:
        raise BiddingError("session_not_found", _("There is no such opening session."), status=404)
    return session


def _refusal_recorded(user: User, *, kind: str, session: OpeningSession, code: str) -> None:
    """A refused attempt at the lot's key, on the record before the refusal (electronic supervision
    raises an alert from it), under the person's subject: the lot's room does not show it."""
    with transaction.atomic():
        record(kind=kind, actor=actor_of(user), subject=f"user:{user.pk}",
               data={"lot": session.lot_id, "session": session.pk, "code": code})


def share_present(*, session_id: int, user: User, passphrase: str) -> OpeningSession:
    session = OpeningSession.objects.select_related("lot").filter(pk=session_id).first()
    if session is None:
        raise BiddingError("session_not_found", _("There is no such opening session."), status=404)
    share = KeyShare.objects.filter(opening_key__lot=session.lot, custodian=user).first()
    if share is None:
        _refusal_recorded(user, kind="sealed.access_refused", session=session, code="not_custodian_of_lot")
        raise BiddingError("not_custodian_of_lot", _("You hold no share of this lot's opening key."), status=403)
    # Unwrapping takes a deliberate moment (scrypt): done before any lock is taken.
    try:
        private = custodian_crypto.custodian_key_unwrap(bytes(user.custodian_key.wrapped_private_key), passphrase)
    except custodian_crypto.WrongPassphrase:
        _refusal_recorded(user, kind="custodian.passphrase_failed", session=session, code="wrong_passphrase")
        raise BiddingError("wrong_passphrase", _("The passphrase does not unlock your key."), status=403) from None
    index, secret = custodian_crypto.share_open(sealed=bytes(share.sealed_share), custodian_private_key=private,
                                                platform=settings.PLATFORM_ID, lot=str(session.lot_id),
                                                custodian=str(user.pk))
    with transaction.atomic():
        session = _session_lock(session_id)
        if session.status != OpeningSession.Status.COLLECTING_SHARES:
            raise BiddingError("shares_complete", _("The key has been rebuilt already."), status=409)
        if session.presentations.filter(custodian=user).exists():
            raise BiddingError("share_presented", _("You have presented your share already."), status=409)
        nonce = os.urandom(12)
        cipher = nonce + _session_cipher(session).encrypt(nonce, bytes([index]) + secret,
                                                          f"{session.pk}|{user.pk}".encode())
        SharePresentation.objects.create(session=session, custodian=user, index=index, share_cipher=cipher,
                                         presented_at=clock.now())
        presented = session.presentations.count()
        threshold = session.lot.opening_key.threshold
        record(kind="opening.share_presented", actor=actor_of(user), subject=f"lot:{session.lot_id}",
               data={"presented": presented, "threshold": threshold})
        if presented >= threshold:
            _decrypt(session, actor=actor_of(user))
    return session


def _presented_shares(session: OpeningSession) -> list[tuple[int, bytes]]:
    cipher = _session_cipher(session)
    shares = []
    for presentation in session.presentations.all():
        blob = bytes(presentation.share_cipher)
        plain = cipher.decrypt(blob[:12], blob[12:], f"{session.pk}|{presentation.custodian_id}".encode())
        shares.append((plain[0], plain[1:]))
    return shares


def _decrypt(session: OpeningSession, *, actor: str) -> None:
    """Caller holds the session's lock. Rebuild the key, open every sealed bid, publish the record."""
    lot = session.lot
    try:
        private_key = private_key_rebuild(shamir.combine(_presented_shares(session)),
                                          expected_public_raw=bytes(lot.opening_key.public_key_raw))
    except ValueError:
        # A share that does not belong (tampered at rest): refuse, keep collecting, and say so.
        raise BiddingError("shares_do_not_match",
                           _("The presented shares do not rebuild this lot's opening key."), status=409) from None
    session.decrypt()
    session.save()
    if lot.is_listing:
        _sale_steps["reserve_revealed"](session=session, private_key=private_key, actor=actor)
        return
    opened_at = clock.now()
    bids = list(Bid.objects.filter(lot=lot, status=Bid.Status.SEALED).select_related("organisation")
                .order_by("received_at", "pk"))
    openings: list[BidOpening] = []
    entries = [_open_one(bid, private_key, opened_at, openings) for bid in bids]
    del private_key
    # Each bid moved through its own guarded transition above; the outcomes are written with one
    # statement per outcome (per-bid saves were most of an opening's time, and bulk_update's CASE
    # expressions cost more to build than the decryption itself).
    by_status: dict[str, list[int]] = {}
    for bid in bids:
        by_status.setdefault(bid.status, []).append(bid.pk)
    for status, pks in by_status.items():
        Bid.objects.filter(pk__in=pks, status=Bid.Status.SEALED).update(status=status)
    BidOpening.objects.bulk_create(openings, batch_size=500)
    window = rule_find(market=lot.project.market_id, procedure=lot.project.procedure,
                       code=RuleCode.OPENING_RESPONSE_WINDOW, at=lot_published_at(lot=lot))
    body = {
        "v": 1, "platform": settings.PLATFORM_ID, "lot": str(lot.pk), "lot_code": lot.code,
        "opened_at": time_format(opened_at), "threshold": lot.opening_key.threshold,
        "custodians_present": sorted(session.presentations.values_list("custodian_id", flat=True)),
        "bids": entries,
    }
    session.record = receipts.signed_document("opening-record", body, signing.private_key())
    session.record_published_at = opened_at
    session.responses_until = (deadline_add(start=opened_at, amount=window.amount, unit=window.unit).at
                               if window else opened_at)
    session.publish_record()
    session.save()
    # The key is dropped: the presented shares are erased, only who presented them stays.
    session.presentations.update(share_cipher=None)
    # Each opened bid is an event of the lot, so the room shows them one by one, in receipt order.
    record_many(events=[{"kind": "opening.bid_opened", "actor": actor, "subject": f"lot:{lot.pk}",
                         "data": _bid_public(entry)} for entry in entries])
    # The chain holds the record's digest and signature; the record itself is published with the
    # session (and downloadable), so the chain proves exactly which record was published when.
    record(kind="opening.record_published", actor=actor, subject=f"lot:{lot.pk}",
           data={"record_sha256": hashlib.sha256(canonical_json(session.record["document"])).hexdigest(),
                 "signature": session.record["signature"], "bids": len(entries),
                 "responses_until": time_format(session.responses_until)})
    if lot.market.sells:
        _sale_steps["quotes_opened"](lot=lot, entries=entries, actor=actor)


def _bid_public(entry: dict) -> dict:
    """What the room shows of one opened bid: the record's entry without the list of files."""
    return {key: value for key, value in entry.items() if key not in ("files", "items")}


def _open_one(bid: Bid, private_key, opened_at, openings: list) -> dict:
    """Open one envelope: the bid takes its transition (not yet saved) and its ``BidOpening`` is
    appended to ``openings``; the caller writes both in bulk."""
    entry = {"receipt": str(bid.receipt_id), "bidder": bid.organisation.uscc, "organisation": bid.organisation.name,
             "envelope_sha256": bid.envelope_sha256}
    # The files' document metadata (author, software, creation time) for the integrity rules,
    # read from the plaintext as it streams out, within bounds (bidding.sealed.docmeta).
    files_out = EnvelopeFiles()
    try:
        with get_storage().get(bid.storage_key) as reader:
            opened = open_envelope(stream=reader, private_key=private_key,
                                   platform=settings.PLATFORM_ID, lot=str(bid.lot_id), bidder=bid.organisation.uscc,
                                   envelope_sha256=bid.envelope_sha256, files_out=files_out)
    except EnvelopeError as error:
        fault = error.fault or Fault.PLATFORM  # never blame the bidder for what is not theirs
        (bid.fail_by_bidder if fault == Fault.BIDDER else bid.fail_by_others)()
        openings.append(BidOpening(bid=bid, failure_code=str(error.code), fault=str(fault), opened_at=opened_at))
        log.warning("bid %s failed to open: %s", bid.pk, error)
        return {**entry, "status": bid.status, "failure": {"code": str(error.code), "fault": str(fault),
                                                           "outcome": OUTCOME[fault]}}
    form = opened.price_form
    bid.open()
    files = [{"name": f.name, "size": f.size, "sha256": f.sha256} for f in opened.files]
    # The metadata stays with the opening (regulators' integrity rules); the public record lists
    # the files as before.
    kept = [{**file, "meta": meta} for file, meta in zip(files, files_out.metas(len(files)))]
    openings.append(BidOpening(bid=bid, price=Decimal(form["price"]), period_days=form["period_days"],
                               items=form["items"], files=kept, opened_at=opened_at))
    return {**entry, "status": bid.status, "price": form["price"], "period_days": form["period_days"],
            "items": form["items"], "files": files}


def _response_window_check(session: OpeningSession, user: User) -> None:
    if session.status != OpeningSession.Status.RECORD_PUBLISHED or clock.now() >= session.responses_until:
        raise BiddingError("responses_closed", _("Confirmations and objections are taken while the record is open."),
                           status=409)
    if not Bid.objects.filter(lot=session.lot, organisation_id=user.organisation_id).exists():
        raise BiddingError("not_a_bidder_here", _("Only bidders of this lot respond to its opening record."),
                           status=403)


def opening_confirm(*, session_id: int, user: User) -> OpeningResponse:
    with transaction.atomic():
        session = _session_lock(session_id)
        _response_window_check(session, user)
        response, created = OpeningResponse.objects.get_or_create(
            session=session, organisation_id=user.organisation_id, kind=OpeningResponse.Kind.CONFIRM,
            defaults={"at": clock.now()})
        if created:
            record(kind="opening.confirmed", actor=actor_of(user), subject=f"lot:{session.lot_id}",
                   data={"bidder": user.organisation.uscc})
    return response


def opening_object(*, session_id: int, user: User, text: str) -> OpeningResponse:
    if not text.strip():
        raise BiddingError("objection_text_required", _("Say what you object to."))
    with transaction.atomic():
        session = _session_lock(session_id)
        _response_window_check(session, user)
        response = OpeningResponse.objects.create(session=session, organisation_id=user.organisation_id,
                                                  kind=OpeningResponse.Kind.OBJECTION, text=text, at=clock.now())
        record(kind="opening.objection", actor=actor_of(user), subject=f"lot:{session.lot_id}",
               data={"objection": response.pk, "bidder": user.organisation.uscc, "text": text})
    return response


def opening_answer(*, response_id: int, answer: str, actor: str) -> OpeningResponse:
    """Staff answer an objection in the session (实施条例 Art 44: on the spot)."""
    if not answer.strip():
        raise BiddingError("answer_required", _("Write the answer."))
    with transaction.atomic():
        response = OpeningResponse.objects.select_for_update().filter(
            pk=response_id, kind=OpeningResponse.Kind.OBJECTION).first()
        if response is None:
            raise BiddingError("objection_not_found", _("There is no such objection."), status=404)
        if response.answered_at:
            raise BiddingError("objection_answered", _("This objection has been answered."), status=409)
        response.answer, response.answered_at, response.answered_by = answer, clock.now(), actor
        response.save()
        record(kind="opening.objection_answered", actor=actor, subject=f"lot:{response.session.lot_id}",
               data={"objection": response.pk, "answer": answer})
    return response


def opening_close_sweep() -> dict:
    """Close the sessions whose response window is over with every objection answered; their lots
    go to evaluation."""
    closed = 0
    due = OpeningSession.objects.filter(status=OpeningSession.Status.RECORD_PUBLISHED,
                                        responses_until__lte=clock.now())
    for session_id in due.values_list("pk", flat=True):
        with transaction.atomic():
            session = (OpeningSession.objects.select_for_update(skip_locked=True, of=("self",))
                       .filter(pk=session_id, status=OpeningSession.Status.RECORD_PUBLISHED).first())
            if session is None or session.responses.filter(kind=OpeningResponse.Kind.OBJECTION,
                                                           answered_at__isnull=True).exists():
                continue
            session.close()
            session.closed_at = clock.now()
            session.save()
            lot_transition(lot_id=session.lot_id, transition="start_evaluation", actor="system:clock")
            record(kind="opening.closed", actor="system:clock", subject=f"lot:{session.lot_id}", data={})
            _session_told(session.lot, kind="session.ended", actor="system:clock")
            closed += 1
    return {"closed": closed}

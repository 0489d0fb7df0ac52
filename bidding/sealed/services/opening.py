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
from datetime import timedelta
from decimal import Decimal

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from bidding.crypto import bidder_key as bidder_key_crypto, custodian as custodian_crypto, receipts, shamir
from bidding.crypto.canonical import CanonicalError, b64url_decode, canonical_json, time_format
from bidding.crypto.envelope import Code, EnvelopeError, Fault, open_envelope
from bidding.crypto.envelope_v2 import open_envelope_v2
from bidding.crypto.opening_key import private_key_rebuild
from bidding.errors import BiddingError
from bidding.sealed.docmeta import EnvelopeFiles
from bidding.sealed.selectors import hall_present
from bidding.sealed.services.minutes import minutes_sign
from bidding.sealed.services.refusals import hall_refused
from bidding.sealed.models import (
    Bid,
    BidCount,
    BidderKey,
    BidOpening,
    KeyShare,
    OpeningKey,
    OpeningResponse,
    OpeningSession,
    SharePresentation,
)
from monitoring.events import actor_of, record, record_many
from trading import clock, signing
from trading.models import Announcement, Lot, Registration, RuleCode, User
from trading.selectors_availability import rule_duration
from trading.selectors_calendar import lot_published_at, rule_find
from trading.services.announcements import announcement_publish
from trading.services.deposits import deposit_settle_at_opening
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
# Where the rule table sets no decryption window for the lot's market.
DECRYPTION_WINDOW_DEFAULT = timedelta(minutes=30)
OBJECTION_MAX = 2000


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
        # Who checked in to the hall is told from the start (before it, no one is: 招标投标法 Art 22).
        data = {"sealed_bids": sealed, "present": hall_present(lot=lot)}
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


def part_cipher_aad(session: OpeningSession, bid_id: int) -> bytes:
    """What a released bidder part is bound to while kept encrypted under the session's key."""
    return f"{session.pk}|bid|{bid_id}".encode()


def session_lock(session_id: int | None = None, *, lot_id: int | None = None) -> OpeningSession:
    """The opening session, by its id or its lot's, locked for the caller's transaction."""
    found = (OpeningSession.objects.select_for_update(of=("self",))
             .select_related("lot__project__market", "lot__project__procedure", "lot__opening_key"))
    session = (found.filter(pk=session_id) if lot_id is None else found.filter(lot_id=lot_id)).first()
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
        session = session_lock(session_id)
        if session.status != OpeningSession.Status.COLLECTING_SHARES:
            raise BiddingError("shares_complete", _("The key has been rebuilt already."), status=409)
        if session.paused_at is not None:
            raise BiddingError("hall_paused", _("The opening is paused: wait for the host to resume it."), status=409)
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
    """Caller holds the session's lock. Rebuild the key (checking the shares); where sealed bids
    carry their bidders' own locks (v2), open the decryption window for them to release their parts
    (``bidding.sealed.services.hall``); else open every sealed bid and publish the record now."""
    lot = session.lot
    private_key = lot_key_rebuild(session)
    if lot.is_listing:
        session.decrypt()
        session.save()
        _sale_steps["reserve_revealed"](session=session, private_key=private_key, actor=actor)
        return
    if Bid.objects.filter(lot=lot, status=Bid.Status.SEALED, envelope_version=2).exists():
        del private_key
        _window_open(session, actor=actor)
        return
    session.decrypt()
    session.save()
    bids_open(session, private_key=private_key, parts={}, actor=actor)


def lot_key_rebuild(session: OpeningSession):
    """The lot's opening key from the presented shares, checked against its published public key."""
    try:
        return private_key_rebuild(shamir.combine(_presented_shares(session)),
                                   expected_public_raw=bytes(session.lot.opening_key.public_key_raw))
    except ValueError:
        # A share that does not belong (tampered at rest): refuse, keep collecting, and say so.
        raise BiddingError("shares_do_not_match",
                           _("The presented shares do not rebuild this lot's opening key."), status=409) from None


def _window_open(session: OpeningSession, *, actor: str) -> None:
    """The decryption window (电子招标投标办法 Art 30–31): from now for the rule table's time."""
    lot = session.lot
    now = clock.now()
    rule = rule_find(market=lot.project.market_id, procedure=lot.project.procedure, code=RuleCode.DECRYPTION_WINDOW,
                     at=lot_published_at(lot=lot))
    length = rule_duration(rule) if rule else DECRYPTION_WINDOW_DEFAULT
    session.open_window()
    session.window_started_at, session.window_until = now, now + length
    session.save()
    locked = Bid.objects.filter(lot=lot, status=Bid.Status.SEALED, envelope_version=2).count()
    record(kind="opening.window_opened", actor=actor, subject=f"lot:{lot.pk}",
           data={"until": time_format(session.window_until), "minutes": int(length / timedelta(minutes=1)),
                 "locked": locked, "rule": rule.source if rule else ""})


def bids_open(session: OpeningSession, *, private_key, parts: dict[int, bytes], actor: str,
              locked_outcome: str = Fault.BIDDER) -> list[dict]:
    """Caller holds the session's lock, the session is decrypting. Open every sealed bid (a v2 bid
    with its released part from ``parts``, by bid id; one without fails with ``locked_outcome``'s
    fault), publish the signed record, read the bids out one by one. Returns the record's entries."""
    lot = session.lot
    opened_at = clock.now()
    bids = list(Bid.objects.filter(lot=lot, status=Bid.Status.SEALED).select_related("organisation")
                .order_by("received_at", "pk"))
    openings: list[BidOpening] = []
    entries = [_open_one(bid, private_key, opened_at, openings, parts=parts, locked_outcome=locked_outcome)
               for bid in bids]
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
    # The key is dropped: the presented shares and released parts are erased, only who gave them stays.
    session.presentations.update(share_cipher=None)
    session.releases.update(part_cipher=None)
    # Each opened bid is an event of the lot, so the room shows them one by one, in receipt order
    # (唱标: the price reading).
    record_many(events=[{"kind": "opening.bid_opened", "actor": actor, "subject": f"lot:{lot.pk}",
                         "data": _bid_public(entry)} for entry in entries])
    # The chain holds the record's digest and signature; the record itself is published with the
    # session (and downloadable), so the chain proves exactly which record was published when.
    record(kind="opening.record_published", actor=actor, subject=f"lot:{lot.pk}",
           data={"record_sha256": record_sha256(session), "signature": session.record["signature"],
                 "bids": len(entries), "responses_until": time_format(session.responses_until)})
    _deposits_settle(lot, entries, actor=actor, at=opened_at)
    if lot.market.sells:
        _sale_steps["quotes_opened"](lot=lot, entries=entries, actor=actor)
    return entries


DEPOSIT_RULES = {"revoked": RuleCode.REVOKED_DEPOSIT, "withdrawn": RuleCode.WITHDRAWN_DEPOSIT}


def _deposits_settle(lot: Lot, entries: list[dict], *, actor: str, at) -> None:
    """A bid that failed to decrypt settles its deposit as the rule table says for its outcome:
    kept (revoked: 实施条例 Art 35) or due for refund (withdrawn). Without a rule, nothing moves here:
    the deposit follows the lot (refunded with the others)."""
    failed = [entry for entry in entries if entry.get("failure")]
    if not failed:
        return
    registrations = dict(Registration.objects.filter(lot=lot, organisation__uscc__in=[e["bidder"] for e in failed])
                         .values_list("organisation__uscc", "pk"))
    published = lot_published_at(lot=lot)
    rules = {outcome: rule_find(market=lot.project.market_id, procedure=lot.project.procedure, code=code,
                                at=published)
             for outcome, code in DEPOSIT_RULES.items()}
    for entry in failed:
        outcome = entry["failure"]["outcome"]
        rule = rules[outcome]
        if rule is None or entry["bidder"] not in registrations:
            continue
        deposit_settle_at_opening(registration_id=registrations[entry["bidder"]], outcome=outcome,
                                  keep=rule.amount >= 1, actor=actor, at=at)


def record_sha256(session: OpeningSession) -> str:
    """SHA-256 of the signed record's document in canonical JSON: what bidders sign to confirm it."""
    return hashlib.sha256(canonical_json(session.record["document"])).hexdigest()


def _bid_public(entry: dict) -> dict:
    """What the room reads out of one opened bid (唱标): the record's entry, with the declared fields
    of the price form, without the list of files."""
    return {key: value for key, value in entry.items() if key != "files"}


def _open_one(bid: Bid, private_key, opened_at, openings: list, *, parts: dict[int, bytes],
              locked_outcome: str) -> dict:
    """Open one envelope: the bid takes its transition (not yet saved) and its ``BidOpening`` is
    appended to ``openings``; the caller writes both in bulk."""
    entry = {"receipt": str(bid.receipt_id), "bidder": bid.organisation.uscc, "organisation": bid.organisation.name,
             "envelope_sha256": bid.envelope_sha256}
    if bid.envelope_version == 2:
        entry["locks"] = 2
    # The files' document metadata (author, software, creation time) for the integrity rules,
    # read from the plaintext as it streams out, within bounds (bidding.sealed.docmeta).
    files_out = EnvelopeFiles()
    names = {"platform": settings.PLATFORM_ID, "lot": str(bid.lot_id), "bidder": bid.organisation.uscc}
    try:
        if bid.envelope_version == 2 and bid.pk not in parts:
            # Its bidder did not release the part in the window (电子招标投标办法 Art 31).
            raise EnvelopeError(Code.NOT_RELEASED if locked_outcome == Fault.BIDDER else Code.NOT_RELEASED_OUTAGE,
                                "the bidder part was not released in the decryption window")
        with get_storage().get(bid.storage_key) as reader:
            if bid.envelope_version == 2:
                opened = open_envelope_v2(stream=reader, private_key=private_key, bidder_part=parts[bid.pk],
                                          envelope_sha256=bid.envelope_sha256, files_out=files_out, **names)
            else:
                opened = open_envelope(stream=reader, private_key=private_key, envelope_sha256=bid.envelope_sha256,
                                       files_out=files_out, **names)
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
    # Paused first: while paused, ``responses_until`` is not the window's end (the resume moves it).
    if session.paused_at is not None:
        raise BiddingError("hall_paused", _("The opening is paused: wait for the host to resume it."), status=409)
    if session.status != OpeningSession.Status.RECORD_PUBLISHED or clock.now() >= session.responses_until:
        raise BiddingError("responses_closed", _("Confirmations and objections are taken while the record is open."),
                           status=409)
    if not Bid.objects.filter(lot=session.lot, organisation_id=user.organisation_id, opening__isnull=False).exists():
        raise BiddingError("not_a_bidder_here", _("Only bidders of this lot respond to its opening record."),
                           status=403)


def _response_refused(session_id: int, user: User, error: BiddingError) -> BiddingError:
    """A refused confirmation or objection, on the record and counted (``refusals.hall_refused``)."""
    lot_id = OpeningSession.objects.filter(pk=session_id).values_list("lot_id", flat=True).first()
    if lot_id is None or not user.is_authenticated:
        return error
    return hall_refused(user, lot_id=lot_id, code=error.code, message=error.message, status=error.status)


def opening_confirm(*, session_id: int, user: User, signature: str = "") -> OpeningResponse:
    """A bidder confirms the record. A bidder holding a bidder key for the lot signs it: its ECDSA
    signature (base64url ``r ‖ s``) over ``bidder_key.confirmation_document`` of the record's
    SHA-256, checked with its registered signing key. A signature of another record, lot or
    bidder, or a second confirmation, is refused and recorded."""
    try:
        with transaction.atomic():
            session = session_lock(session_id)
            _response_window_check(session, user)
            if OpeningResponse.objects.filter(session=session, organisation_id=user.organisation_id,
                                              kind=OpeningResponse.Kind.CONFIRM).exists():
                raise BiddingError("confirmed_already", _("Your organisation has confirmed the record already."),
                                   status=409)
            key = BidderKey.objects.filter(registration__lot=session.lot,
                                           registration__organisation_id=user.organisation_id).first()
            signed = {}
            if key is not None:
                signed = _confirmation_signature_check(session, user, key, signature)
            response = OpeningResponse.objects.create(session=session, organisation_id=user.organisation_id,
                                                      kind=OpeningResponse.Kind.CONFIRM, at=clock.now(), **signed)
            record(kind="opening.confirmed", actor=actor_of(user), subject=f"lot:{session.lot_id}",
                   data={"bidder": user.organisation.uscc, "signed": bool(signed),
                         **({"signature": signed["signature"]} if signed else {})})
    except BiddingError as error:
        if error.code in ("not_a_bidder_here", "responses_closed", "bad_signature", "confirmed_already"):
            raise _response_refused(session_id, user, error) from None
        raise
    return response


def _confirmation_signature_check(session: OpeningSession, user: User, key, signature: str) -> dict:
    if not signature:
        raise BiddingError("signature_required", _("Sign the record with your bidder key to confirm it."))
    try:
        raw = b64url_decode(signature)
    except CanonicalError:
        raw = b""
    document = bidder_key_crypto.confirmation_document(
        platform=settings.PLATFORM_ID, lot=str(session.lot_id), bidder=user.organisation.uscc,
        record_sha256=record_sha256(session))
    if not bidder_key_crypto.signature_verify(signing_public_raw=bytes(key.signing_public_key), message=document,
                                              signature=raw):
        raise BiddingError("bad_signature", _("The signature does not verify: sign this record's hash with the "
                                              "bidder key registered for this lot."), status=403)
    return {"signature": signature, "signing_key": bytes(key.signing_public_key)}


def opening_object(*, session_id: int, user: User, text: str) -> OpeningResponse:
    """A bidder objects to the record with its reason, inside the response window; the host answers
    it on the record (``opening_answer``) before the session can close."""
    text = text.strip()
    if not text:
        raise BiddingError("objection_text_required", _("Say what you object to."))
    if len(text) > OBJECTION_MAX:
        raise BiddingError("objection_too_long", _("An objection is at most %(n)d characters.") % {"n": OBJECTION_MAX})
    try:
        with transaction.atomic():
            session = session_lock(session_id)
            _response_window_check(session, user)
            response = OpeningResponse.objects.create(session=session, organisation_id=user.organisation_id,
                                                      kind=OpeningResponse.Kind.OBJECTION, text=text, at=clock.now())
            record(kind="opening.objection", actor=actor_of(user), subject=f"lot:{session.lot_id}",
                   data={"objection": response.pk, "bidder": user.organisation.uscc, "text": text})
    except BiddingError as error:
        if error.code in ("not_a_bidder_here", "responses_closed"):
            raise _response_refused(session_id, user, error) from None
        raise
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
    """Close the sessions whose response window is over (never while paused) with every objection
    answered: a bidder in the record that neither confirmed nor objected is deemed to have confirmed
    (silence counts as confirmation), the signed minutes are published, the lot goes to evaluation."""
    closed = 0
    due = OpeningSession.objects.filter(status=OpeningSession.Status.RECORD_PUBLISHED, paused_at__isnull=True,
                                        responses_until__lte=clock.now())
    for session_id in due.values_list("pk", flat=True):
        with transaction.atomic():
            session = (OpeningSession.objects.select_for_update(skip_locked=True, of=("self",))
                       .select_related("lot__project")
                       .filter(pk=session_id, status=OpeningSession.Status.RECORD_PUBLISHED,
                               paused_at__isnull=True).first())
            if session is None or session.responses.filter(kind=OpeningResponse.Kind.OBJECTION,
                                                           answered_at__isnull=True).exists():
                continue
            now = clock.now()
            _silence_deemed(session, at=now)
            session.close()
            session.closed_at = now
            digest = record_sha256(session)
            session.minutes = minutes_sign(session, record_sha256=digest)
            session.save()
            lot_transition(lot_id=session.lot_id, transition="start_evaluation", actor="system:clock")
            record(kind="opening.closed", actor="system:clock", subject=f"lot:{session.lot_id}",
                   data={"minutes_sha256": hashlib.sha256(canonical_json(session.minutes["document"])).hexdigest(),
                         "signature": session.minutes["signature"], "record_sha256": digest})
            _session_told(session.lot, kind="session.ended", actor="system:clock")
            closed += 1
    return {"closed": closed}


def _silence_deemed(session: OpeningSession, *, at) -> None:
    """Every bidder of the record that said nothing confirms by silence, as the rules say."""
    answered = set(session.responses.values_list("organisation_id", flat=True))
    silent = (Bid.objects.filter(lot=session.lot, opening__isnull=False).exclude(organisation_id__in=answered)
              .select_related("organisation").order_by("organisation_id"))
    deemed = []
    for bid in silent:
        if bid.organisation_id in answered:
            continue
        answered.add(bid.organisation_id)
        OpeningResponse.objects.create(session=session, organisation=bid.organisation,
                                       kind=OpeningResponse.Kind.DEEMED, at=at)
        deemed.append(bid.organisation.uscc)
    if deemed:
        record(kind="opening.deemed_confirmed", actor="system:clock", subject=f"lot:{session.lot_id}",
               data={"bidders": deemed})

"""The opening's signed minutes (开标记录, docs/opening-hall.md): made when the session closes, from
the signed record and everything the hall recorded around it: who checked in, who released their
part, every pause, question, confirmation (signed by the bidder's own key, or by silence) and
objection with its answer. ``python -m bidding.verify opening`` checks the platform's signature,
the record inside it and every bidder's signature, offline."""
from django.conf import settings

from bidding.crypto import receipts
from bidding.crypto.canonical import b64url_encode, time_format
from bidding.sealed.models import OpeningResponse, OpeningSession
from trading import signing

MINUTES_KIND = "opening-minutes"


def _time(value) -> str | None:
    return time_format(value) if value else None


def minutes_sign(session: OpeningSession, *, record_sha256: str) -> dict:
    """The signed minutes of a session whose record is out and whose responses are all in."""
    lot = session.lot
    check_ins = [{"bidder": c.registration.organisation.uscc, "at": time_format(c.at),
                  "key_fingerprint": c.key_fingerprint}
                 for c in lot.hall_check_ins.select_related("registration__organisation").order_by("at", "pk")]
    releases = [{"bidder": r.bid.organisation.uscc, "receipt": str(r.bid.receipt_id), "at": time_format(r.released_at)}
                for r in session.releases.select_related("bid__organisation").order_by("released_at", "pk")]
    pauses = [{"paused_at": time_format(p.paused_at), "reason": p.reason, "resumed_at": _time(p.resumed_at)}
              for p in session.pauses.order_by("paused_at", "pk")]
    questions = [{"bidder": q.organisation.uscc, "at": time_format(q.at), "text": q.text, "answer": q.answer,
                  "answered_at": _time(q.answered_at), "answered_by": q.answered_by}
                 for q in session.questions.select_related("organisation").order_by("at", "pk")]
    responses = []
    for response in session.responses.select_related("organisation").order_by("at", "pk"):
        entry = {"bidder": response.organisation.uscc, "kind": response.kind, "at": time_format(response.at)}
        if response.kind == OpeningResponse.Kind.CONFIRM and response.signature:
            entry.update(signature=response.signature, signing_key=b64url_encode(bytes(response.signing_key)))
        if response.kind == OpeningResponse.Kind.OBJECTION:
            entry.update(text=response.text, answer=response.answer, answered_at=_time(response.answered_at),
                         answered_by=response.answered_by)
        responses.append(entry)
    body = {
        "v": 1, "platform": settings.PLATFORM_ID, "lot": str(lot.pk), "lot_code": lot.code,
        "record": session.record, "record_sha256": record_sha256,
        "window_started_at": _time(session.window_started_at), "window_until": _time(session.window_until),
        "window_extended_at": _time(session.window_extended_at),
        "check_ins": check_ins, "releases": releases, "pauses": pauses, "questions": questions,
        "responses": responses, "closed_at": _time(session.closed_at),
    }
    return receipts.signed_document(MINUTES_KIND, body, signing.private_key())

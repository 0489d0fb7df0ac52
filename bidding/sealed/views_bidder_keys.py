"""The bidder's key page of a registration (docs/bidder-keys.md): make the key in the browser and
register it, check it ("prove you can still unlock it"), or do both with ``python -m bidding.seal``
and the upload and download forms here. The browser's part is ``bidding/static/bidding/bidder-key-page.js``;
the passphrase never leaves the browser or the bidder's machine."""
import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bidding.crypto.bidder_key import ITERATIONS, PASSPHRASE_MIN
from bidding.crypto.canonical import CanonicalError, b64url_decode
from bidding.errors import BiddingError
from bidding.sealed.selectors_bidder_keys import bidder_key_state
from bidding.sealed.services.bidder_keys import (
    CHALLENGE_MINUTES,
    KEY_FILE_MAX,
    bidder_key_challenge,
    bidder_key_prove,
    bidder_key_register,
    registration_of_bidder,
)
from trading import clock
from trading.models import Lot, Role
from trading.permissions import role_required


def _page(request, registration, *, status=200):
    lot = registration.lot
    open_now = (lot.status in (Lot.Status.PUBLISHED, Lot.Status.BIDDING) and lot.bid_deadline is not None
                and clock.now() < lot.bid_deadline)
    state = bidder_key_state(registration=registration)
    return render(request, "bidding/bidder_key.html", {
        "lot": lot, "registration": registration, "key": state.key, "key_state": state, "open": open_now,
        "passphrase_min": PASSPHRASE_MIN, "iterations": ITERATIONS, "challenge_minutes": CHALLENGE_MINUTES,
    }, status=status)


def _registration(request, registration_id: int):
    """The registration, for a bidder of its organisation; 403 for anyone else, 404 if none."""
    role_required(request.user, Role.BIDDER)
    try:
        return registration_of_bidder(registration_id=registration_id, user=request.user)
    except BiddingError as error:
        if error.status == 404:
            raise Http404(error.message) from None
        raise PermissionDenied(error.message) from None


@login_required
def bidder_key_page(request, registration_id: int):
    return _page(request, _registration(request, registration_id))


def _uploaded_text(request, field: str) -> str:
    upload = request.FILES.get(field)
    if upload is None:
        raise BiddingError("no_file", _("Choose the file to upload."))
    if upload.size > KEY_FILE_MAX:
        raise BiddingError("file_too_large", _("This file is too large to be a key file or an answer."))
    try:
        return upload.read().decode("utf-8")
    except UnicodeDecodeError:
        raise BiddingError("not_text", _("This file is not text (UTF-8 JSON).")) from None


def _act(request, registration_id: int, action, success: str):
    registration = _registration(request, registration_id)
    try:
        action(registration)
    except BiddingError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, success)
    return redirect("bidder-key", registration_id=registration.pk)


@require_POST
@login_required
def bidder_key_upload(request, registration_id: int):
    """Register a key file made with ``python -m bidding.seal keygen``."""
    return _act(request, registration_id, lambda registration: bidder_key_register(
        registration_id=registration.pk, user=request.user, key_file=_uploaded_text(request, "key_file")),
        _("Your bidder key is registered. Check it now with its passphrase."))


@login_required
def bidder_key_file(request, registration_id: int):
    """The wrapped key file as the bidder uploaded it, for another browser or machine."""
    state = bidder_key_state(registration=_registration(request, registration_id))
    if state.key is None or not state.key.key_file:
        raise Http404(_("No key file is stored for this registration."))
    response = HttpResponse(state.key.key_file, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="bidder-key-{registration_id}.json"'
    return response


@require_POST
@login_required
def bidder_key_challenge_file(request, registration_id: int):
    """A key check as a file, for ``python -m bidding.seal prove --challenge FILE``."""
    registration = _registration(request, registration_id)
    try:
        challenge = bidder_key_challenge(registration_id=registration.pk, user=request.user)
    except BiddingError as error:
        messages.error(request, error.message)
        return redirect("bidder-key", registration_id=registration.pk)
    response = HttpResponse(json.dumps(challenge.as_file(), ensure_ascii=False) + "\n",
                            content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="key-check-{challenge.challenge_id}.json"'
    return response


def _answer(request, registration) -> None:
    try:
        answer = json.loads(_uploaded_text(request, "answer"))
        values = {"challenge_id": str(answer["challenge"]), "answer": b64url_decode(answer["answer"]),
                  "signature": b64url_decode(answer["signature"])}
    except (ValueError, KeyError, TypeError, CanonicalError):
        raise BiddingError("bad_proof", _("This is not an answer file of python -m bidding.seal prove.")) from None
    bidder_key_prove(registration_id=registration.pk, user=request.user, **values)


@require_POST
@login_required
def bidder_key_answer_upload(request, registration_id: int):
    """The answer file ``python -m bidding.seal prove`` wrote."""
    return _act(request, registration_id, lambda registration: _answer(request, registration),
                _("Your bidder key is checked: you can unlock it."))

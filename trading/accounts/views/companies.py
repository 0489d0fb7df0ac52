"""Pages for companies: sign-up and the address check, the company's own page (status, particulars,
history, people), staff's review queue, and the business licence's download."""
import functools

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from trading.accounts.forms_companies import ParticularsForm, ReviewForm, SignUpForm, UserAddForm, error_show
from trading.accounts.selectors import (company_history, company_licence_change, company_of,
                                                  company_pending, company_people, company_refusal,
                                                  company_reviews_pending)
from trading.accounts.services.companies import (LicenceUpload, company_change_request, company_resubmit,
                                                 company_review, company_sign_up, company_user_add,
                                                 company_user_remove, email_verification_send, email_verify)
from trading.errors import AccountError
from trading.models import Organisation, Role, User
from trading.ratelimits import rate_limited
from trading.storage import StorageError, get_storage
from trading.views_registrations import signed_in_as

SIGN_UP_EMAIL = "company_sign_up_email"


def _licence(upload) -> LicenceUpload | None:
    return LicenceUpload(stream=upload, name=upload.name, length=upload.size) if upload else None


def _base_url(request) -> str:
    return request.build_absolute_uri("/")


@rate_limited("sign_up")
def sign_up(request):
    form = SignUpForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            values = dict(form.cleaned_data)
            values.pop("password_again")
            values["licence"] = _licence(values["licence"])
            try:
                company_sign_up(**values, base_url=_base_url(request))
            except AccountError as error:
                error_show(form, error)
            else:
                request.session[SIGN_UP_EMAIL] = values["contact_email"]
                return redirect("company-sign-up-sent")
        status = 400
    return render(request, "trading/accounts/company_sign_up.html", {"form": form}, status=status)


@require_safe
def sign_up_sent(request):
    return render(request, "trading/accounts/company_sign_up_sent.html",
                  {"email": request.session.get(SIGN_UP_EMAIL), "hours": settings.PLATFORM_EMAIL_LINK_HOURS})


@require_safe
def verify_email(request, token: str):
    """The link of the address-check mail. Opening it again is harmless, so a GET does it."""
    try:
        person = email_verify(token=token)
    except AccountError as error:
        return render(request, "trading/accounts/company_email_verified.html", {"error": error.message},
                      status=error.status)
    return render(request, "trading/accounts/company_email_verified.html", {"person": person})


@require_POST
def verify_email_send(request):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    try:
        email_verification_send(user=request.user, base_url=_base_url(request))
    except AccountError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("A new link is on its way to %(email)s.") % {"email": request.user.email})
    return redirect("company-mine")


def company_member(view):
    """Signed-in people of a bidding company, whatever its review status; others are refused."""
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        organisation = company_of(request.user)
        if organisation is None:
            raise PermissionDenied(_("This page is for the people of a company that signed up on the platform."))
        return view(request, organisation, *args, **kwargs)
    return wrapper


def _company_page(request, organisation: Organisation, *, forms=None, error=None, status=200):
    forms = forms or {}
    pending = company_pending(organisation)
    refusal = company_refusal(organisation)
    particulars = {"name": organisation.name, "legal_representative": organisation.legal_representative}
    return render(request, "trading/accounts/company_mine.html", {
        "organisation": organisation,
        "pending": pending,
        "refusal": refusal,
        "current_licence": company_history(organisation).first()
        if organisation.status == Organisation.Status.APPROVED else pending or refusal,
        "history": company_history(organisation),
        "people": company_people(organisation),
        "is_admin": request.user.has_role(Role.COMPANY_ADMIN),
        "change_form": forms.get("change") or ParticularsForm(initial=particulars),
        "resubmit_form": forms.get("resubmit") or ParticularsForm(initial=particulars),
        "user_form": forms.get("user") or UserAddForm(),
        "error": error,
    }, status=status)


@require_safe
@company_member
def company_mine(request, organisation):
    return _company_page(request, organisation)


def _particulars_post(request, organisation, *, service, form_name: str, done: str):
    form = ParticularsForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            service(organisation=organisation, user=request.user, name=form.cleaned_data["name"],
                    legal_representative=form.cleaned_data["legal_representative"],
                    licence=_licence(form.cleaned_data["licence"]))
        except AccountError as error:
            error_show(form, error)
            return _company_page(request, organisation, forms={form_name: form}, status=error.status)
        messages.success(request, done)
        return redirect("company-mine")
    return _company_page(request, organisation, forms={form_name: form}, status=400)


@require_POST
@company_member
def company_change(request, organisation):
    return _particulars_post(request, organisation, service=company_change_request, form_name="change",
                             done=_("Your request is sent: staff will review it."))


@require_POST
@company_member
def company_resubmit_view(request, organisation):
    return _particulars_post(request, organisation, service=company_resubmit, form_name="resubmit",
                             done=_("Your corrected sign-up is sent: staff will review it again."))


@require_POST
@company_member
def company_user_add_view(request, organisation):
    form = UserAddForm(request.POST)
    if form.is_valid():
        try:
            person = company_user_add(admin=request.user, base_url=_base_url(request), **form.cleaned_data)
        except AccountError as error:
            error_show(form, error)
            return _company_page(request, organisation, forms={"user": form}, status=error.status)
        messages.success(request, _("%(person)s is added as a bidder; a link to confirm their address is mailed "
                                    "to them.") % {"person": person})
        return redirect("company-mine")
    return _company_page(request, organisation, forms={"user": form}, status=400)


@require_POST
@company_member
def company_user_remove_view(request, organisation, user_id: int):
    person = User.objects.filter(pk=user_id, organisation=organisation).first()
    if person is None:
        raise Http404
    try:
        company_user_remove(admin=request.user, user=person, reason=request.POST.get("reason", ""))
    except AccountError as error:
        return _company_page(request, organisation, error=error.message, status=error.status)
    messages.success(request, _("%(person)s is removed from the company.") % {"person": person})
    return redirect("company-mine")


@require_safe
def company_licence(request, change_id: int):
    """The business licence of a review, to staff and the company's own people only; streamed from
    the store as a download, sandboxed like every upload."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    change = company_licence_change(change_id=change_id, user=request.user)
    if change is None:
        raise Http404
    storage = get_storage()
    try:
        info = storage.stat(change.licence_key)
        data = storage.get(change.licence_key)
    except StorageError as error:
        raise Http404 from error
    response = FileResponse(data, as_attachment=True, filename=change.licence_name, content_type=info.content_type)
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response["Cache-Control"] = "private, no-store"
    return response


def _reviews_page(request, *, error=None, status=200):
    return render(request, "trading/accounts/company_reviews.html", {
        "changes": company_reviews_pending(), "error": error}, status=status)


@require_safe
@signed_in_as(Role.STAFF)
def company_reviews(request):
    return _reviews_page(request)


@require_POST
@signed_in_as(Role.STAFF)
def company_review_decide(request, change_id: int):
    form = ReviewForm(request.POST)
    if not form.is_valid():
        return _reviews_page(request, error=_("Choose to approve or refuse."), status=400)
    try:
        change = company_review(change_id=change_id, reviewer=request.user,
                                approve=form.cleaned_data["decision"] == "approve", reason=form.cleaned_data["reason"])
    except AccountError as error:
        return _reviews_page(request, error=error.message, status=error.status)
    messages.success(request, _("%(company)s: %(decision)s.") % {
        "company": change.organisation.name, "decision": change.get_status_display()})
    return redirect("company-reviews")

"""The second factor of staff, custodians, regulators and security administrators: the password
alone opens nothing, a current authenticator code or an unused recovery code completes the sign-in,
on the pages and at the token API; bidders never see it. These tests sign in through /login/, not
``force_login`` (which the root conftest turns into a sign-in with both factors)."""
import re
from base64 import b32decode
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from playwright.sync_api import expect

from monitoring.models import AuditEntry
from tests.browsing import browser_thread, current_code, database_devices, sign_in
from tests.fixtures import PASSWORD
from trading.accounts.services.second_factor import totp_confirm, totp_device_create

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def _password(client, username, next_url=None):
    data = {"username": username, "password": PASSWORD} | ({"next": next_url} if next_url else {})
    return client.post(reverse("login"), data, **EN)


def _code_step(client, code, next_url=None):
    return client.post(reverse("login-second-factor"), {"code": code} | ({"next": next_url} if next_url else {}),
                       **EN)


def _refusal(response) -> str:
    """The stable code of the refusal the page shows."""
    match = re.search(r'data-testid="second-factor-error" data-code="([a-z_]+)"', response.content.decode())
    return match and match.group(1)


def _wrong(code: str) -> str:
    return f"{(int(code) + 500_000) % 1_000_000:06d}"


def _events(user, kind):
    return list(AuditEntry.objects.filter(subject=f"user:{user.pk}", kind=kind))


def test_the_password_alone_opens_no_page_and_no_api_for_staff(client, staff):
    response = _password(client, "staff", next_url="/staff/lots/")
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login-second-factor')}?next=%2Fstaff%2Flots%2F"
    page = client.get(reverse("staff-lot-list"))
    assert page.status_code == 302 and page["Location"].startswith(reverse("login-second-factor"))
    api = client.get(reverse("api-me"))
    assert api.status_code == 403 and api.json()["code"] == "second_factor_required"


def test_a_right_code_lets_staff_in_and_goes_on_to_next_on_this_site_only(client, staff, authenticator_code):
    _password(client, "staff", next_url="/staff/lots/")
    response = _code_step(client, authenticator_code(staff), next_url="/staff/lots/")
    assert response.status_code == 302 and response["Location"] == "/staff/lots/"
    assert client.get(reverse("staff-lot-list")).status_code == 200
    assert client.get(reverse("api-me")).json()["username"] == "staff"

    client.post(reverse("logout"))
    _password(client, "staff")
    with time_machine.travel(timezone.now() + timedelta(seconds=60)):  # each time step's code works once
        response = _code_step(client, authenticator_code(staff), next_url="https://elsewhere.example/")
    assert response.status_code == 302 and response["Location"] == reverse("home")


def test_wrong_codes_are_refused_then_throttled_like_passwords(client, staff, authenticator_code, settings):
    right = authenticator_code(staff)
    _password(client, "staff")
    response = _code_step(client, _wrong(right))
    assert response.status_code == 400 and _refusal(response) == "second_factor_invalid"
    assert client.get(reverse("home")).status_code == 302  # still half signed in
    failed = _events(staff, "second_factor.failed")
    assert len(failed) == 1 and _wrong(right) not in str(failed[0].data) and right not in str(failed[0].data)

    start = timezone.now()
    for n in range(1, settings.PLATFORM_LOGIN_MAX_FAILURES):
        with time_machine.travel(start + timedelta(seconds=30 * n), tick=False):  # past django-otp's own delays
            assert _refusal(_code_step(client, _wrong(authenticator_code(staff)))) == "second_factor_invalid"
    with time_machine.travel(start + timedelta(minutes=3), tick=False):
        response = _code_step(client, authenticator_code(staff))
        assert _refusal(response) == "second_factor_throttled"
        # A right password again does not clear the guesses at the code.
        client.post(reverse("logout"))
        _password(client, "staff")
        assert _refusal(_code_step(client, authenticator_code(staff))) == "second_factor_throttled"
    later = start + timedelta(minutes=settings.PLATFORM_LOGIN_LOCKOUT_MINUTES + 5)
    with time_machine.travel(later, tick=False):
        assert _code_step(client, authenticator_code(staff)).status_code == 302
        assert client.get(reverse("staff-lot-list")).status_code == 200


def test_a_recovery_code_works_once(client, staff, authenticator_code):
    device = totp_device_create(staff)
    _, codes = totp_confirm(staff, f"{totp(device.bin_key):06d}")
    assert len(codes) == 10 and len(set(codes)) == 10

    _password(client, "staff")
    response = _code_step(client, codes[0].upper())  # as the person may type it
    assert response.status_code == 302 and client.get(reverse("staff-lot-list")).status_code == 200
    used = _events(staff, "second_factor.recovery_used")
    assert len(used) == 1 and used[0].data == {"recovery_codes_left": 9} and codes[0] not in str(used[0].data)

    client.post(reverse("logout"))
    _password(client, "staff")
    assert _refusal(_code_step(client, codes[0])) == "second_factor_invalid"
    assert _refusal(_code_step(client, codes[1])) == "second_factor_throttled"  # django-otp: a second after a miss
    with time_machine.travel(timezone.now() + timedelta(seconds=2)):
        assert _code_step(client, codes[1]).status_code == 302


def test_setting_up_the_authenticator_with_its_qr_code(client, regulator):
    response = _password(client, "regulator")
    assert response["Location"] == reverse("login-second-factor")
    response = client.get(reverse("login-second-factor"))
    assert response.status_code == 302 and response["Location"] == reverse("login-second-factor-setup")

    page = client.get(reverse("login-second-factor-setup"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert 'lang="zh-hans"' in page and 'data-testid="second-factor-qr"><svg' in page.replace("\n", "").replace(" ", "")
    secret = re.search(r'data-testid="second-factor-secret">([A-Z2-7 ]+)<', page).group(1).replace(" ", "")
    again = client.get(reverse("login-second-factor-setup")).content.decode()
    assert secret in again.replace(" ", "")  # reloading keeps the same authenticator
    code = f"{totp(b32decode(secret)):06d}"

    refused = client.post(reverse("login-second-factor-setup"), {"code": _wrong(code)}, **EN)
    assert refused.status_code == 400 and _refusal(refused) == "second_factor_invalid"
    assert client.get(reverse("home")).status_code == 302

    with time_machine.travel(timezone.now() + timedelta(seconds=2)):  # django-otp: a second after a miss
        done = client.post(reverse("login-second-factor-setup"), {"code": code}, **EN)
    assert done.status_code == 200
    codes = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", done.content.decode())
    assert len(codes) == 10
    home = client.get(reverse("home"), **EN)
    assert home.status_code == 200 and "Regulator workspace" in home.content.decode()
    enrolled = _events(regulator, "second_factor.enrolled")
    assert len(enrolled) == 1 and secret not in str(enrolled[0].data) and code not in str(enrolled[0].data)

    # Set up once: afterwards (say, with a stolen password) the set-up page only leads to the code step.
    client.post(reverse("logout"))
    _password(client, "regulator")
    response = client.get(reverse("login-second-factor-setup"))
    assert response.status_code == 302 and response["Location"] == reverse("login-second-factor")


def test_a_bidder_needs_no_second_factor(client, bidder_a):
    response = _password(client, "bidder_a")
    assert response.status_code == 302 and response["Location"] == reverse("home")
    assert client.get(reverse("api-me")).status_code == 200
    assert client.get(reverse("login-second-factor"))["Location"] == reverse("home")
    token = client.post(reverse("api-token"), {"username": "bidder_a", "password": PASSWORD},
                        content_type="application/json")
    assert token.status_code == 200 and token.json()["token"]


def test_the_token_api_needs_the_second_factor_of_staff(client, staff, authenticator_code):
    def token(**extra):
        return client.post(reverse("api-token"), {"username": "staff", "password": PASSWORD, **extra},
                           content_type="application/json")

    missing = token()
    assert missing.status_code == 401 and missing.json()["code"] == "second_factor_required"
    wrong = token(otp=_wrong(authenticator_code(staff)))
    assert wrong.status_code == 401 and wrong.json()["code"] == "second_factor_invalid"
    with time_machine.travel(timezone.now() + timedelta(seconds=60)):  # past django-otp's delay after a miss
        right = token(otp=authenticator_code(staff))
    assert right.status_code == 200
    me = client.get(reverse("api-me"), HTTP_AUTHORIZATION=f"Token {right.json()['token']}")
    assert me.status_code == 200 and me.json()["username"] == "staff"

    schema = client.get(reverse("schema"), {"format": "json"}).json()
    assert "otp" in schema["components"]["schemas"]["TokenRequest"]["properties"]
    assert "second_factor_required" in schema["components"]["schemas"]["TokenRequest"]["properties"]["otp"][
        "description"]


def test_force_login_in_tests_stands_for_both_factors(client, staff):
    client.force_login(staff)
    assert client.get(reverse("staff-lot-list")).status_code == 200


def test_the_demo_codes_page_only_in_the_demo(client, make_person, settings):
    demo_staff = make_person("demo_staff", ["staff"])
    device = totp_device_create(demo_staff, confirmed=True)
    make_person("demo_bidder", ["bidder"], organisation="甲建设有限公司")

    settings.PLATFORM_DEMO_CODES = False
    assert client.get(reverse("demo-codes")).status_code == 404
    assert 'data-testid="demo-codes-link"' not in client.get(reverse("login")).content.decode()

    settings.PLATFORM_DEMO_CODES = True
    assert 'data-testid="demo-codes-link"' in client.get(reverse("login")).content.decode()
    _password(client, "demo_staff")  # half signed in: the page stays open
    with time_machine.travel(timezone.now(), tick=False):
        page = client.get(reverse("demo-codes"), HTTP_ACCEPT_LANGUAGE="zh-hans")
        code = f"{totp(device.bin_key):06d}"
    body = page.content.decode()
    assert page.status_code == 200 and 'data-username="demo_staff"' in body and f">{code}<" in body
    assert 'data-username="demo_bidder"' not in body
    assert _code_step(client, code).status_code == 302


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_staff_sign_in_with_password_and_code_in_chinese(live_server, staff, regulator):
    """Staff with an authenticator give its code; a regulator without one sets it up on the way."""

    def steps(browser, services):
        page = browser.new_context(locale="zh-CN").new_page()
        sign_in(page, live_server.url, "staff", PASSWORD, devices=database_devices(services))
        assert page.url == live_server.url + "/"
        expect(page.locator("section[data-role=staff] h2")).to_have_text("交易中心工作台")

        page = browser.new_context(locale="zh-CN").new_page()
        page.goto(live_server.url + "/login/")
        page.fill("#id_username", "regulator")
        page.fill("#id_password", PASSWORD)
        with page.expect_navigation():
            page.click("form button[type=submit]:not([name])")
        expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
        expect(page.locator("[data-testid=second-factor-qr] svg")).to_be_visible()
        secret = page.locator("[data-testid=second-factor-secret]").inner_text().replace(" ", "")
        page.fill("#id_code", current_code({"key": b32decode(secret).hex(), "step": 30, "t0": 0, "digits": 6,
                                            "drift": 0, "last_t": -1}))
        with page.expect_navigation():
            page.click("[data-testid=second-factor-setup-form] button[type=submit]")
        expect(page.locator("[data-testid=recovery-codes] li")).to_have_count(10)
        page.click("[data-testid=second-factor-continue]")
        expect(page.locator("section[data-role=regulator] h2")).to_have_text("行政监督工作台")

    browser_thread(steps)

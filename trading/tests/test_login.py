import pytest
import time_machine
from datetime import timedelta
from django.urls import reverse
from django.utils import timezone

from tests.fixtures import PASSWORD


def _login(client, username, password, language="en"):
    return client.post(reverse("login"), {"username": username, "password": password},
                       HTTP_ACCEPT_LANGUAGE=language)


@pytest.mark.django_db
def test_sign_in_and_out(client, staff, authenticator_code):
    response = _login(client, "staff", PASSWORD)
    assert response.status_code == 302 and response["Location"] == reverse("login-second-factor")
    response = client.post(reverse("login-second-factor"), {"code": authenticator_code(staff)})
    assert response.status_code == 302
    assert client.get(reverse("home")).context["user"] == staff
    client.post(reverse("logout"))
    assert not client.get(reverse("home")).context["user"].is_authenticated


@pytest.mark.django_db
def test_wrong_password_is_refused_with_a_translated_message(client, staff):
    response = _login(client, "staff", "wrong-password", language="zh-hans")
    assert response.status_code == 400
    assert "用户名或密码不正确" in response.content.decode()


@pytest.mark.django_db
def test_repeated_failures_lock_the_account_even_for_the_right_password(client, staff, settings):
    for _ in range(settings.PLATFORM_LOGIN_MAX_FAILURES):
        _login(client, "staff", "wrong-password")
    response = _login(client, "staff", PASSWORD)
    assert response.status_code == 400
    assert "Too many failed sign-in attempts" in response.content.decode()
    assert not client.get(reverse("home")).context["user"].is_authenticated


@pytest.mark.django_db
def test_lockout_ends_after_the_window(client, staff, settings):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        for _ in range(settings.PLATFORM_LOGIN_MAX_FAILURES):
            _login(client, "staff", "wrong-password")
    with time_machine.travel(start + timedelta(minutes=settings.PLATFORM_LOGIN_LOCKOUT_MINUTES + 1), tick=False):
        assert _login(client, "staff", PASSWORD).status_code == 302


@pytest.mark.django_db
def test_home_shows_each_role_its_workspace(client, make_person, authenticator_code):
    multi = make_person("multi", ["bidder", "regulator"], organisation="丙公司")
    client.post(reverse("login"), {"username": "multi", "password": PASSWORD})
    client.post(reverse("login-second-factor"), {"code": authenticator_code(multi)})
    page = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Bidder workspace" in page and "Regulator workspace" in page
    assert "Expert workspace" not in page


@pytest.mark.django_db
def test_language_switcher_changes_the_page_language(client):
    assert "公共资源交易平台" in client.get(reverse("home")).content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert "Public-resource trading platform" in client.get(reverse("home")).content.decode()

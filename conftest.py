# Shared fixtures and the S3 endpoint of the session, for the tests of every app.
import pytest

pytest_plugins = ["tests.fixtures", "tests.s3server"]


@pytest.fixture(autouse=True)
def _test_client_signs_in_with_both_factors(monkeypatch):
    """``client.force_login(user)`` (and ``client.login(...)``) stand for a completed sign-in, both
    factors given: staff, custodians, regulators and security administrators otherwise stay half
    signed in, and SecondFactorMiddleware sends every page to the code step. The tests of the second
    factor itself go through /login/ and its code step. Wraps the client's ``_login``, which both
    call; the person gets a confirmed authenticator (through the service) if they have none."""
    from django.test.client import ClientMixin
    from django_otp import DEVICE_ID_SESSION_KEY

    original = ClientMixin._login

    def login_with_second_factor(client, user, backend=None):
        from trading.accounts.selectors import second_factor_needed
        from trading.accounts.services.second_factor import totp_device_create, totp_device_get

        original(client, user, backend)
        if second_factor_needed(user):
            device = totp_device_get(user) or totp_device_create(user, confirmed=True, actor="system:test")
            session = client.session
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            session.save()

    monkeypatch.setattr(ClientMixin, "_login", login_with_second_factor)


@pytest.fixture(autouse=True)
def _no_rate_limits(settings):
    """The tests make many requests from one address and one person: the rate limits
    (trading/ratelimits.py) are off, except in their own tests (trading/tests/test_ratelimits.py)."""
    settings.PLATFORM_RATE_LIMITS = {}


# Property tests (hypothesis): a bounded number of examples per test so that `make test` stays
# within CI's time, and no per-example deadline, as timings on these machines are noisy. Set
# HYPOTHESIS_PROFILE=thorough for a longer search by hand.
def _hypothesis_profiles() -> None:
    import os

    from hypothesis import settings

    settings.register_profile("ci", max_examples=200, deadline=None, print_blob=True)
    settings.register_profile("thorough", max_examples=5000, deadline=None, print_blob=True)
    settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


_hypothesis_profiles()

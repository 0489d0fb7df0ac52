import pytest
from django.urls import reverse

from tests.fixtures import PASSWORD


@pytest.mark.django_db
def test_regulator_verifies_the_chain_from_the_audit_page(client, regulator):
    client.login(username="regulator", password=PASSWORD)
    page = client.post(reverse("audit-status"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "The chain is intact" in page


@pytest.mark.django_db
def test_bidders_may_not_open_the_audit_page(client, bidder_a):
    client.post(reverse("login"), {"username": "bidder_a", "password": PASSWORD})
    assert client.get(reverse("audit-status")).status_code == 403

"""The indicator table: seeded by the migration with weights adding up to 100 and a veto with none;
staff managers change the weights, which must still add up to 100; a refusal changes nothing."""
from decimal import Decimal

import pytest
from django.utils import translation
from rest_framework.test import APIClient

from monitoring.assessment.errors import AssessmentError
from monitoring.assessment.models import Indicator
from monitoring.assessment.services import indicator_weights_set
from monitoring.models import AuditEntry

pytestmark = pytest.mark.django_db


def weights():
    return dict(Indicator.objects.values_list("code", "weight"))


def test_the_default_table_covers_each_kind_of_indicator_and_adds_up_to_100():
    indicators = list(Indicator.objects.order_by("position"))
    computed = [i.code for i in indicators if i.source == Indicator.Source.COMPUTED]
    assert computed == ["on_time_rate", "alerts", "complaints_upheld", "satisfaction"]
    entered = {i.dimension for i in indicators if i.source == Indicator.Source.ENTERED and not i.veto}
    assert entered == {"de", "neng", "qin", "ji"}
    (veto,) = [i for i in indicators if i.veto]
    assert (veto.code, veto.weight, veto.source) == ("veto_discipline", 0, Indicator.Source.ENTERED)
    assert sum(i.weight for i in indicators if not i.veto) == 100


def test_a_staff_manager_changes_the_weights_on_the_record(manager):
    indicator_weights_set(weights={"satisfaction": "20", "achievement": "10.00"}, user=manager)
    assert (weights()["satisfaction"], weights()["achievement"]) == (Decimal(20), Decimal(10))
    changed = Indicator.objects.get(code="satisfaction")
    assert changed.updated_by == f"user:{manager.pk}" and changed.updated_at is not None
    (entry,) = AuditEntry.objects.filter(kind="assessment.weights_changed")
    assert (entry.actor, entry.subject) == (f"user:{manager.pk}", "assessment:indicators")
    assert entry.data == {"before": {"satisfaction": "15.00", "achievement": "15.00"},
                          "after": {"satisfaction": "20.00", "achievement": "10.00"}}
    # The same weights again change nothing and record nothing.
    indicator_weights_set(weights={"satisfaction": "20"}, user=manager)
    assert AuditEntry.objects.filter(kind="assessment.weights_changed").count() == 1


@pytest.mark.parametrize(("change", "error", "message"), [
    ({"satisfaction": "20"}, "weights_sum", "The weights add up to 105.00; they must add up to 100."),
    ({"satisfaction": "0", "alerts": "0"}, "weights_sum", "The weights add up to 75.00; they must add up to 100."),
    ({"satisfaction": "10", "veto_discipline": "5"}, "veto_weight", None),
    ({"satisfaction": "-5", "alerts": "30"}, "weight_invalid", None),
    ({"satisfaction": "15.005"}, "weight_invalid", None),
    ({"satisfaction": "101"}, "weight_invalid", None),
    ({"satisfaction": "abc"}, "weight_invalid", None),
    ({"punctuality": "15"}, "indicator_unknown", None),
])
def test_weights_that_do_not_add_up_to_100_are_refused_and_nothing_changes(manager, change, error, message):
    before = weights()
    with translation.override("en"), pytest.raises(AssessmentError) as refused:
        indicator_weights_set(weights=change, user=manager)
    assert refused.value.code == error
    if message:
        assert str(refused.value.message) == message
    assert weights() == before
    assert not AuditEntry.objects.filter(kind="assessment.weights_changed").exists()


def test_only_staff_managers_change_the_weights(staff, regulator):
    for user in (staff, regulator):
        with pytest.raises(AssessmentError) as refused:
            indicator_weights_set(weights={"satisfaction": "15"}, user=user)
        assert (refused.value.code, refused.value.status) == ("not_staff_manager", 403)


def test_the_weights_through_the_api_and_the_page(manager, staff, client):
    api = APIClient()
    api.force_login(staff)
    assert api.get("/api/v1/assessment/indicators/").status_code == 200
    refused = api.post("/api/v1/assessment/indicators/weights/", {"weights": {"alerts": "10"}}, format="json")
    assert (refused.status_code, refused.json()["code"]) == (403, "not_staff_manager")

    api.force_login(manager)
    wrong = api.post("/api/v1/assessment/indicators/weights/", {"weights": {"alerts": "20"}}, format="json")
    assert (wrong.status_code, wrong.json()["code"]) == (400, "weights_sum")
    right = api.post("/api/v1/assessment/indicators/weights/",
                     {"weights": {"alerts": "20", "on_time_rate": "5"}}, format="json")
    assert right.status_code == 200, right.json()
    assert {row["code"]: row["weight"] for row in right.json()}["alerts"] == "20.00"

    client.force_login(manager)
    form = {f"weight_{code}": str(weight) for code, weight in weights().items() if code != "veto_discipline"}
    page = client.post("/assessment/weights/", {**form, "weight_alerts": "30"}, HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 400
    assert "The weights add up to 110.00; they must add up to 100." in page.content.decode()
    saved = client.post("/assessment/weights/", {**form, "weight_alerts": "15", "weight_on_time_rate": "10"})
    assert saved.status_code == 302
    assert (weights()["alerts"], weights()["on_time_rate"]) == (Decimal(15), Decimal(10))

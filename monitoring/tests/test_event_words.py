"""Recorded events in words: what changed and who did it, never ``lot.status_changed`` or ``user:2``,
on the alert page, in the admin's audit list and in the rooms' configuration."""
import ast
import pathlib

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from monitoring.event_words import KINDS, actor_name, actor_names, event_description, kind_label, room_words
from monitoring.events import WITHHELD_ACTOR
from monitoring.supervision.models import Alert
from monitoring.supervision.services import alert_acknowledge, alerts_sweep
from trading.accounts.services.roles import role_grant
from trading.errors import AccountError


def test_a_status_change_names_both_statuses_in_the_readers_language():
    data = {"from": "bidding", "to": "closed", "transition": "close_bidding"}
    with translation.override("zh-hans"):
        said = event_description("lot.status_changed", data)
        assert "投标中" in said and "投标截止" in said and said.index("投标中") < said.index("投标截止")
    with translation.override("en"):
        assert event_description("lot.status_changed", data) == "Status changed: Open for bids → Bidding closed"
        assert event_description("opening.bid_opened", {}) == "Bid opened"
        assert kind_label("made.up_later") == "Recorded step"


@pytest.mark.django_db
def test_actors_are_people_the_platform_or_bidder_numbers(staff):
    staff.display_name = "王小明"
    staff.save()
    with translation.override("en"):
        names = actor_names([f"user:{staff.pk}", "system:clock", "system", "bidder:3", WITHHELD_ACTOR, "user:999999"])
        assert names == {f"user:{staff.pk}": "王小明", "system:clock": "The platform", "system": "The platform",
                         "bidder:3": "Bidder No. 3", WITHHELD_ACTOR: "Withheld until the opening",
                         "user:999999": "A former user"}
        assert actor_name("") == "—"


def _recorded_kinds() -> set[str]:
    """Every kind the code records with a literal name (``record(kind=...)`` and ``record_many``'s dicts)."""
    kinds = set()
    for app in ("trading", "bidding", "supervisors", "monitoring"):
        for path in (pathlib.Path(settings.BASE_DIR) / app).rglob("*.py"):
            if "tests" in path.parts or "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", "")) == "record":
                    kinds |= {kw.value.value for kw in node.keywords
                              if kw.arg == "kind" and isinstance(kw.value, ast.Constant)}
                if isinstance(node, ast.Dict):
                    keys = [key.value if isinstance(key, ast.Constant) else None for key in node.keys]
                    if "kind" in keys and "actor" in keys:
                        value = node.values[keys.index("kind")]
                        if isinstance(value, ast.Constant):
                            kinds.add(value.value)
    return kinds


def test_every_kind_the_platform_records_has_its_words():
    recorded = _recorded_kinds()
    assert len(recorded) > 100
    assert sorted(recorded - set(KINDS)) == []


def test_a_room_page_gets_its_kinds_phrases_statuses_and_money_format():
    with translation.override("zh-hans"):
        words = room_words("lot", "opening")
    assert "opening.bid_opened" in words["kinds"] and "lot.status_changed" in words["kinds"]
    assert "auction.bid_accepted" not in words["kinds"] and words["statuses"]["closed"] == "投标截止"
    assert words["money"] == "%(amount)s 元"


@pytest.mark.django_db
def test_the_alert_page_says_who_and_what_not_codes(client, bidder_a, bidder_b, regulator):
    bidder_b.display_name = "李四"
    bidder_b.save()
    regulator.display_name = "赵监管"
    regulator.save()
    with pytest.raises(AccountError):
        role_grant(user=bidder_b, role="regulator", reason="想看看", grantor=bidder_a)
    alerts_sweep()
    alert = Alert.objects.get(rule="role_refused")
    alert_acknowledge(alert_id=alert.pk, user=regulator, comment="已核实。")
    client.force_login(regulator)
    page = client.get(reverse("supervision-alert", args=[alert.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    table = page.split('data-testid="alert"')[1].split("</table>")[0]
    assert "赵监管" in table and f"user:{regulator.pk}" not in table and "李四" in table
    with translation.override("zh-hans"):
        assert kind_label("role.refused") in table
    assert "role.refused" not in table


@pytest.mark.django_db
def test_the_admins_audit_list_says_what_happened_and_who(client, make_lot):
    from trading.models import User

    root = User.objects.create_superuser("root", password="correct-horse-battery-9", display_name="系统管理员")
    make_lot()
    client.force_login(root)
    page = client.get("/admin/monitoring/auditentry/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    with translation.override("zh-hans"):
        assert f'<td class="field-what">{kind_label("lot.created")}</td>' in page
        assert f'<td class="field-who">{actor_name("system:test")}</td>' in page
    assert "lot.created" not in page and "system:test" not in page


@pytest.mark.django_db
def test_the_template_words_for_pages_that_list_events(staff):
    from django.template import Context, Template

    staff.display_name = "王小明"
    staff.save()
    template = Template("{% load event_words %}{% event_description kind data %} · {{ kind|event_kind }} · "
                        "{{ actor|actor_name }} · {{ subject|subject_name }}")
    with translation.override("en"):
        said = template.render(Context({"kind": "lot.status_changed", "data": {"from": "bidding", "to": "closed"},
                                        "actor": f"user:{staff.pk}", "subject": "lot:7"}))
    assert said == "Status changed: Open for bids → Bidding closed · Status changed · 王小明 · lot:7"

"""Who may do what (issue 22 §1): every URL pattern and every API operation of the OpenAPI schema,
asked by every role, answers as ``tests/access_table.py`` says. A new endpoint without a row there
fails this test, which then prints the row it saw, for its author to check before adding it.

Pages are asked with GET, or with an empty POST where they take only POSTs; API operations with
the schema's method and an empty body. An empty POST that a role may make is refused for its
form (400 or a page redrawn with its errors), one it may not make with the role's refusal, which is
what the table tells apart. The world and the requests: ``tests/access.py``."""
import re

import pytest
import time_machine
from django.utils import timezone
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from drf_spectacular.generators import SchemaGenerator

from monitoring.opendata.ocds import ocid_of
from tests.access import ROLES, World, ask, clients, world_build
from tests.access_table import TABLE

pytestmark = pytest.mark.django_db

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
# Which demo lot an endpoint is asked about, by the first word of its name that matches; the rest
# are asked about the opened lot that waits for its evaluation.
LOT_FOR = [("hall", "opening"), ("opening", "evaluated"), ("bid", "opening"), ("auction", "auction"),
           ("reserve", "auction"), ("listing", "listing"), ("deal-confirmation", "listing"), ("sale", "listing"),
           ("evaluat", "awarded"), ("candidate", "awarded"), ("award", "awarded"), ("result", "awarded"),
           ("contract", "awarded"), ("notices-mine", "awarded"), ("registration", "open"), ("document", "open"),
           ("enquir", "open"), ("objection", "open"), ("publish", "open"), ("submit", "open")]
# Path words a view takes from a fixed list: one it knows, so the answer is about the asker.
WORDS = {("staff-lot-action", "action"): "submit", ("staff-evaluation-action", "action"): "draw",
         ("staff-supervisor-action", "action"): "vet", ("security-person-act", "action"): "lock",
         ("regulator-report-step", "step"): "triage", ("regulator-complaint-step", "step"): "accept",
         ("supervisor-document", "kind"): "agreement", ("api-security-revoke", "role"): "bidder"}


def _lot(world: World, name: str):
    return world.lots[next((lot for word, lot in LOT_FOR if word in name), "evaluated")]


def _value(world: World, name: str, kwarg: str):
    ids = world.ids
    if (name, kwarg) in WORDS:
        return WORDS[name, kwarg]
    if kwarg == "lot_id":
        return _lot(world, name).pk
    if kwarg == "report_id":
        return ids["statistics_report_id" if "statistics" in name else "report_id" if "regulator" in name or
                   name.startswith("api-report") else "observation_report_id"]
    if kwarg == "change_id":
        return ids["role_change_id" if "security" in name else "rule_change_id" if "rule" in name else "change_id"]
    special = {"pk": ids["calendar_alert_id"], "token": ids["token"] if "report" in name else "no-such-token", "sha256": "0" * 64, "index": 0,
               "market": "construction", "ocid": ocid_of(world.lots["awarded"]), "object_id": 1,
               "app_label": "trading", "content_type_id": 1, "url": "x"}
    if kwarg in special:
        return special[kwarg]
    return ids.get(kwarg, 0)


def _filled(world: World, name: str, route: str) -> str:
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(_value(world, name, m.group(1))), route)


def _patterns(patterns, prefix="", namespace=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace + (f"{pattern.namespace}:" if pattern.namespace else "")
            yield from _patterns(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), namespace + (pattern.name or str(pattern.pattern))


def _api_operations() -> set[tuple[str, str]]:
    """(method, path template) of every operation in the OpenAPI schema."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return {(method.upper(), path) for path, item in schema["paths"].items() for method in item
            if method.upper() in METHODS}


def _endpoints(world: World, probe) -> dict[str, str]:
    """Every endpoint as ``"METHOD name"`` → the path it is asked on."""
    endpoints = {}
    for route, name in _patterns(get_resolver().url_patterns):
        if route.startswith("api/v1/"):
            continue  # asked per operation of the schema, below
        path = _filled(world, name, route)
        method = "POST" if probe(path) == 405 else "GET"
        endpoints[f"{method} {name}"] = path
    for method, template in _api_operations():
        route = re.sub(r"\{(\w+)\}", r"<\1>", template.lstrip("/"))
        name = resolve(re.sub(r"\{\w+\}", "1", template)).url_name
        endpoints[f"{method} {name}"] = _filled(world, name, route)
    return endpoints


def _row(answers: dict[str, int]) -> str:
    return " ".join(str(answers[role]) for role in ROLES)


@pytest.fixture
def world():
    """The world, on a stopped clock: the demo's opening lot takes bids until minutes after loading."""
    with time_machine.travel(timezone.now(), tick=False):
        yield world_build()


def test_every_endpoint_answers_every_role_as_the_table_says(world):
    asking = clients(world)
    endpoints = _endpoints(world, lambda path: ask(asking["staff"], "GET", path).status_code)
    seen, wrong, missing, leaks, shown = {}, [], [], [], set()
    for key, path in sorted(endpoints.items()):
        method = key.split(" ", 1)[0]
        answers = {}
        for role in ROLES:
            response = ask(asking[role], method, path)
            answers[role] = response.status_code
            for secret in _read(world, response):
                if role in world.secrets[secret][1]:
                    shown.add(secret)
                else:
                    leaks.append(f"{key} {path}: {role} reads {secret}")
        seen[key] = _row(answers)
        if key not in TABLE:
            missing.append(f'    "{key}": "{seen[key]}",')
        elif TABLE[key] != seen[key]:
            wrong.append(f"{key} {path}\n    table: {TABLE[key]}\n    seen:  {seen[key]}")
    gone = sorted(set(TABLE) - set(endpoints))
    # A secret that no endpoint shows even to those who may read it would make the search for it vacuous.
    assert shown == set(world.secrets), f"never shown to its readers: {set(world.secrets) - shown}"
    assert not (missing or wrong or gone or leaks), "\n".join(
        ["Roles answered otherwise than the table says:"] + wrong + ["Endpoints without a row (check, then add):"]
        + missing + ["Rows of endpoints that are gone:"] + gone + ["Read by someone who may not:"] + leaks)


def _read(world: World, response) -> list[str]:
    """The secrets of the world that ``response`` shows."""
    if response.status_code >= 300 or response.streaming:
        return []
    return [name for name, (marker, _readers) in world.secrets.items() if marker in response.content]

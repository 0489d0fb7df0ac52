"""Validation of OCDS output against the official schemas (vendored in ``ocds_schema/``, with the bids
extension merged in as a JSON merge patch) and their codelists, for the open-data tests."""
import copy
import csv
import io
import json
import re
from pathlib import Path
from urllib.parse import urlsplit

from jsonschema import Draft4Validator, FormatChecker
from referencing import Registry
from referencing.jsonschema import DRAFT4

SCHEMAS = Path(__file__).parent / "ocds_schema"
# Left out of the vendored copy: derived from release-schema.json, and not used by the tests.
NOT_VENDORED = {"1.1.5/dereferenced-release-schema.json", "1.1.5/versioned-release-validation-schema.json"}


def merge_patch(target, patch):
    """RFC 7386 JSON merge patch: objects merge key by key, null removes a key, anything else replaces."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    merged = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = merge_patch(merged.get(key), value)
    return merged


def _schema(name: str) -> dict:
    return json.loads((SCHEMAS / name).read_text(encoding="utf-8"))


RELEASE = merge_patch(_schema("1.1.5/release-schema.json"), _schema("bid_extension/release-schema.json"))
RELEASE_PACKAGE = _schema("1.1.5/release-package-schema.json")
RECORD_PACKAGE = _schema("1.1.5/record-package-schema.json")
# The packages' $ref name the release schema by its id URL: served from here, never fetched.
REGISTRY = Registry().with_resources(
    (schema["id"], DRAFT4.create_resource(schema)) for schema in (RELEASE, RELEASE_PACKAGE, RECORD_PACKAGE))
CODELISTS = {table.name: {row["Code"] for row in csv.DictReader(io.StringIO(table.read_text(encoding="utf-8")))}
             for table in SCHEMAS.glob("*/codelists/*.csv")}

# jsonschema checks formats only with an optional package per format; these two are all OCDS uses.
FORMATS = FormatChecker(formats=())
RFC3339 = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)")
FORMATS.checks("date-time")(lambda value: not isinstance(value, str) or bool(RFC3339.fullmatch(value)))
FORMATS.checks("uri")(lambda value: not isinstance(value, str) or all(urlsplit(value)[:2]))


def schema_check(schema: dict, instance) -> None:
    validator = Draft4Validator(schema, registry=REGISTRY, format_checker=FORMATS)
    errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(instance)]
    assert not errors, "\n".join(errors[:10])


def coded(value, schema: dict, where: str = ""):
    """Every (codelist, code, where) in ``value``; fails on a field the schema does not define."""
    if "$ref" in schema:
        schema = RELEASE["definitions"][schema["$ref"].rsplit("/", 1)[1]]
    if "codelist" in schema:
        for code in value if isinstance(value, list) else [value]:
            yield schema["codelist"], code, where
    elif isinstance(value, dict):
        for key, item in value.items():
            assert key in schema.get("properties", {}), f"{where}/{key} is not an OCDS field"
            yield from coded(item, schema["properties"][key], f"{where}/{key}")
    elif isinstance(value, list) and isinstance(schema.get("items"), dict):
        for n, item in enumerate(value):
            yield from coded(item, schema["items"], f"{where}/{n}")


def release_check(release: dict) -> set[str]:
    """Codelists (closed and open alike: we emit only codes they list), and references to parties."""
    seen = set()
    for codelist, code, where in coded(release, RELEASE):
        assert code in CODELISTS[codelist], f"{where}: {code!r} is not in {codelist}"
        seen.add(codelist)
    parties = {party["id"] for party in release.get("parties", [])}
    tender, bids = release.get("tender", {}), release.get("bids", {})
    refs = [release.get("buyer"), tender.get("procuringEntity"), *tender.get("tenderers", []),
            *(s for award in release.get("awards", []) for s in award.get("suppliers", [])),
            *(t for bid in bids.get("details", []) for t in bid.get("tenderers", []))]
    assert {ref["id"] for ref in refs if ref} <= parties, "a party is referenced but not listed"
    return seen


def releases_check(releases: list[dict]) -> set[str]:
    assert len({r["id"] for r in releases}) == len(releases), "release ids repeat"
    assert [r["date"] for r in releases] == sorted(r["date"] for r in releases), "releases out of date order"
    return set().union(*(release_check(r) for r in releases))


def release_package_check(package: dict) -> set[str]:
    schema_check(RELEASE_PACKAGE, package)
    assert package["extensions"] == [
        "https://raw.githubusercontent.com/open-contracting-extensions/ocds_bid_extension/v1.1.5/extension.json"]
    by_ocid = {}
    for release in package["releases"]:
        by_ocid.setdefault(release["ocid"], []).append(release)
    return set().union(*(releases_check(releases) for releases in by_ocid.values()))


def record_package_check(package: dict) -> set[str]:
    schema_check(RECORD_PACKAGE, package)
    seen = set()
    for record in package["records"]:
        seen |= releases_check(record["releases"]) | release_check(record["compiledRelease"])
        assert record["compiledRelease"]["tag"] == ["compiled"]
    return seen

"""Regulators' pages of the patterns across lots: the latest analysis (or an earlier one) with its
findings by pattern and the thresholds and fences it used, and one finding with its evidence and the
form that turns it into an inquiry. Regulators only: the findings name bidders and tenderees on
suspicion, which is for those who supervise the centre."""
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _

from monitoring.integrity import patterns as p
from monitoring.integrity.models import Finding
from monitoring.integrity.selectors_patterns import (finding_get, finding_list, keys_before, run_get, run_latest,
                                                     runs_recent)
from monitoring.integrity.services_patterns import finding_refer
from supervisors.regulation.errors import RegulationError
from supervisors.regulation.services import regulator_check
from trading.errors import PlatformError
from trading.models import Lot, Market, Role
from trading.money import yuan
from trading.permissions import role_required
from trading.text import TEXT_MAX
from trading.workdays import day_end

# What each pattern is, in words, and where the screen comes from (docs/integrity_patterns.md).
PATTERNS = {
    p.CLUSTER: (_("Bidders who keep bidding together"),
                _("Pairs of bidders who met in many lots, most of their lots the same ones (their Jaccard share), "
                  "joined into groups."),
                _("Imhof, Karagök and Rutz, screens for bid rigging across tenders; fraud examiners' "
                  "\"the same bidders every time\"")),
    p.COVER: (_("Cover bidders (陪标)"),
              _("Bidders who bid often, never win, and whose price is often just above the winner's."),
              _("Open Contracting Partnership, Cardinal R025 (bids often, rarely wins), with the distance to "
                "the winning price")),
    p.ROTATION: (_("Rotation of winners"),
                 _("A group of bidders who win one tenderee's lots in turn, each while the others bid and lose."),
                 _("OECD Guidelines for fighting bid rigging in public procurement: bid rotation")),
    p.WIN_RATE: (_("Win-rate outliers"),
                 _("Bidders who win far more often than the market's other bidders, and than equal chances give."),
                 _("Tukey's fences over the platform's own data (OCP Cardinal's default)")),
    p.SINGLE_BID: (_("Tenderees who keep getting a single bid"),
                   _("Tenderees whose lots of a market get one bid far more often than the market's other "
                     "tenderees' lots."),
                   _("Open Contracting Partnership, Cardinal R018 (single bid), across a tenderee's lots")),
}
ROLES = {"member": _("member"), "cover": _("cover bidder"), "winner": _("winner"),
         "sole_bidder": _("sole bidder")}


def pattern_label(pattern: str) -> str:
    return str(PATTERNS[pattern][0]) if pattern in PATTERNS else pattern


class ReferForm(forms.Form):
    organisation = forms.TypedChoiceField(label=_("Ask"), coerce=int, empty_value=None, required=False)
    question = forms.CharField(label=_("Question"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 5}))
    due_on = forms.DateField(label=_("Answer due by the end of"), required=False,
                             widget=forms.DateInput(attrs={"type": "date"}),
                             help_text=_("Leave empty for the rule table's working days."))

    def __init__(self, *args, finding: Finding, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(entry["id"], f"{entry['name']} ({ROLES.get(entry['role'], entry['role'])})")
                   for entry in finding.organisations]
        if finding.tenderee_id and finding.tenderee_id not in {entry["id"] for entry in finding.organisations}:
            choices.append((finding.tenderee_id, f"{finding.tenderee.name} ({_('tenderee')})"))
        self.fields["organisation"].choices = [*choices, ("", _("The trading centre"))]


def _question(finding: Finding) -> str:
    codes = ", ".join(lot["code"] for lot in finding.lots[-10:])
    return str(_("The platform's analysis of patterns across lots (%(day)s) found: %(pattern)s. Please explain "
                 "how your organisation took part in the lots concerned (%(lots)s).")
               % {"day": finding.run.day.isoformat(), "pattern": pattern_label(finding.pattern), "lots": codes})


# --- the latest analysis ----------------------------------------------------------------------------------

@login_required
def patterns_page(request):
    role_required(request.user, Role.REGULATOR)
    run_id = request.GET.get("run", "")
    run = run_get(run_id=int(run_id)) if run_id.isdigit() else run_latest()
    if run_id and run is None:
        raise Http404
    sections = []
    if run is not None:
        findings = list(finding_list(run=run))
        fresh = {f.key for f in findings} - keys_before(run=run)
        for pattern, (label, definition, source) in PATTERNS.items():
            sections.append({
                "pattern": pattern, "label": label, "definition": definition, "source": source,
                "settings": settings_rows(pattern, run.thresholds.get(pattern) or {}),
                "fences": fence_rows(pattern, run.thresholds.get(pattern) or {}),
                "findings": [{"finding": f, "new": f.key in fresh, "headline": headline(f)}
                             for f in findings if f.pattern == pattern]})
    return render(request, "monitoring/integrity/patterns.html", {
        "run": run, "sections": sections, "runs": runs_recent(),
        "fence_k": p.FENCE_K, "fence_min": p.FENCE_MIN_POPULATION})


def _percent(x) -> str:
    return f"{float(x) * 100:.1f} %"


def settings_rows(pattern: str, t: dict) -> list[tuple[str, str]]:
    """The fixed thresholds a run used for ``pattern`` (its ``thresholds`` entry), as label and value."""
    rows = {
        p.CLUSTER: [(_("Lots together, at least"), t.get("min_lots")),
                    (_("Jaccard share, at least (floor)"), t.get("floor")),
                    (_("Pairs in the fence: met in at least (lots)"), t.get("fence_min_lots")),
                    (_("Lots with more bidders than this add no pairs"), t.get("max_bidders"))],
        p.COVER: [(_("Bids, at least"), t.get("min_bids")), (_("Wins"), 0),
                  (_("Just above the winner: at most"), _percent(t["band"]) if "band" in t else None),
                  (_("Share of such bids, at least (floor)"), t.get("floor")),
                  (_("Share of such bids among all losing bids"), t.get("platform_share")),
                  (_("Chance, at most"), t.get("chance"))],
        p.ROTATION: [(_("Wins of each member, at least"), t.get("min_wins")),
                     (_("Wins of the group, at least"), t.get("min_lots")),
                     (_("Share of the group's wins with every other member bidding, at least"), t.get("presence"))],
        p.WIN_RATE: [(_("Bids in awarded lots, at least"), t.get("min_bids")),
                     (_("Chance under equal chances, at most"), t.get("chance"))],
        p.SINGLE_BID: [(_("Lots with their bids counted, at least"), t.get("min_lots")),
                       (_("Lots with a single bid, at least"), t.get("min_single")),
                       (_("Share, at least (floor)"), t.get("floor")),
                       (_("Chance at the other tenderees' share, at most"), t.get("chance")),
                       (_("Procedures left out (one supplier by design)"), ", ".join(t.get("expected", [])))],
    }[pattern]
    return [(label, value) for label, value in rows if value is not None]


def fence_rows(pattern: str, t: dict) -> list[dict]:
    """The Tukey fences a run computed for ``pattern``: one for the platform, or one per market."""
    if "markets" in t:
        names = {market.code: market.name for market in Market.objects.all()}
        return [{"scope": names.get(code, code), **entry} for code, entry in sorted(t["markets"].items())]
    if "fence" in t:
        return [{"scope": _("Platform"), "fence": t["fence"], "floor": t.get("floor"), "threshold": t.get("threshold")}]
    return []


def headline(finding: Finding) -> str:
    """The finding's figures in one line."""
    e = finding.evidence
    figures = {
        p.CLUSTER: lambda: _("%(n)s members, %(lots)s lots together") % {
            "n": len(e["members"]), "lots": e["together"]},
        p.COVER: lambda: _("%(bids)s bids, no win, %(close)s of %(priced)s just above the winner (%(share)s)") % {
            "bids": e["bids"], "close": e["close"], "priced": e["priced"], "share": _percent(e["share"])},
        p.ROTATION: lambda: _("%(n)s members won %(wins)s of %(awarded)s lots in turn; all present in %(presence)s") % {
            "n": len(e["members"]), "wins": e["group_wins"], "awarded": e["awarded"],
            "presence": _percent(e["presence"])},
        p.WIN_RATE: lambda: _("%(wins)s wins in %(bids)s bids (%(rate)s); equal chances give %(expected)s") % {
            "wins": e["wins"], "bids": e["bids"], "rate": _percent(e["rate"]), "expected": e["expected"]},
        p.SINGLE_BID: lambda: _("%(single)s of %(counted)s lots with a single bid (%(rate)s)") % {
            "single": e["single"], "counted": e["counted"], "rate": _percent(e["rate"])},
    }
    return str(figures[finding.pattern]()) if finding.pattern in figures else ""


# --- one finding ------------------------------------------------------------------------------------------

def evidence_tables(finding: Finding) -> list[dict]:
    """The finding's evidence as tables: ``headers`` and ``rows`` of cells, each cell a lot, an
    organisation, a list of organisations or a text."""
    e, names = finding.evidence, {entry["id"]: entry for entry in finding.organisations}
    if finding.tenderee_id:
        names.setdefault(finding.tenderee_id, {"id": finding.tenderee_id, "uscc": finding.tenderee.uscc,
                                               "name": finding.tenderee.name})

    def lot(row):
        return {"kind": "lot", "lot": row}

    def org(pk):
        return {"kind": "org", "org": names[pk]} if pk in names else text(None)

    def orgs(pks):
        return {"kind": "orgs", "orgs": [names[pk] for pk in pks if pk in names]}

    def text(value):
        return {"kind": "text", "text": "—" if value is None else str(value)}

    if finding.pattern == p.CLUSTER:
        return [
            {"title": _("Members"), "headers": [_("Bidder"), _("Lots"), _("Wins")],
             "rows": [[org(m["id"]), text(m["lots"]), text(m["wins"])] for m in e["members"]]},
            {"title": _("Pairs"), "headers": [_("Bidder"), _("Bidder"), _("Lots together"), _("Lots of the first"),
                                              _("Lots of the second"), _("Jaccard share")],
             "rows": [[org(x["a"]), org(x["b"]), text(x["together"]), text(x["lots_a"]), text(x["lots_b"]),
                       text(x["jaccard"])] for x in e["pairs"]]},
            {"title": _("Lots in which members met"), "headers": [_("Lot"), _("Members bidding"), _("Bidders"),
                                                                  _("Winner")],
             "rows": [[lot(x), orgs(x["members"]), text(x["bidders"]), org(x["winner"])] for x in e["lots"]]}]
    if finding.pattern == p.COVER:
        return [
            {"title": _("Whom the bidder sat just above"), "headers": [_("Winner"), _("Times")],
             "rows": [[org(x["id"]), text(x["times"])] for x in e["covered"]]},
            {"title": _("Bids just above the winner"), "headers": [_("Lot"), _("Price"), _("Winner"),
                                                                   _("Winning price"), _("Above the winner")],
             "rows": [[lot(x), text(yuan(x["price"])), org(x["winner"]), text(yuan(x["winning_price"])),
                       text(_percent(x["gap"]))] for x in e["lots"]]}]
    if finding.pattern == p.ROTATION:
        return [
            {"title": _("Members"), "headers": [_("Bidder"), _("Wins")],
             "rows": [[org(m["id"]), text(m["wins"])] for m in e["members"]]},
            {"title": _("The group's wins, in order"), "headers": [_("Lot"), _("Winner"), _("Winning price"),
                                                                   _("Other members bidding")],
             "rows": [[lot(x), org(x["winner"]), text(yuan(x["winning_price"])), orgs(x["others"])]
                      for x in e["lots"]]}]
    if finding.pattern == p.WIN_RATE:
        return [{"title": _("Lots won"), "headers": [_("Lot"), _("Bidders"), _("Winning price")],
                 "rows": [[lot(x), text(x["bidders"]), text(yuan(x["winning_price"]))] for x in e["lots"]]}]
    if finding.pattern == p.SINGLE_BID:
        return [
            {"title": _("Sole bidders"), "headers": [_("Bidder"), _("Times")],
             "rows": [[org(x["id"]), text(x["times"])] for x in e["bidders"]]},
            {"title": _("Lots with a single bid"), "headers": [_("Lot"), _("Status"), _("Sole bidder")],
             "rows": [[lot(x), text(Lot.Status(x["status"]).label), org(x["bidder"])] for x in e["lots"]]}]
    return []


def figures(finding: Finding) -> list[tuple[str, str]]:
    """The finding's numbers beside what they were compared with (shares in per cent)."""
    e = finding.evidence
    share, chance = "%", "p"
    rows = {
        p.CLUSTER: [(_("Lots in which members met"), "together", "")],
        p.COVER: [(_("Bids"), "bids", ""), (_("Wins"), "wins", ""), (_("Bids in awarded lots"), "priced", ""),
                  (_("Just above the winner"), "close", ""), (_("Share"), "share", share),
                  (_("The other bidders' share"), "others_share", share), (_("Chance of as many"), "chance", chance)],
        p.ROTATION: [(_("The tenderee's awarded lots"), "awarded", ""), (_("Won by the group"), "group_wins", ""),
                     (_("Every other member bidding"), "presence", share), (_("Changes of winner"), "turns", "")],
        p.WIN_RATE: [(_("Bids in awarded lots"), "bids", ""), (_("Wins"), "wins", ""), (_("Rate"), "rate", share),
                     (_("Wins under equal chances"), "expected", ""), (_("Chance of as many"), "chance", chance)],
        p.SINGLE_BID: [(_("Lots with their bids counted"), "counted", ""), (_("With a single bid"), "single", ""),
                       (_("Share"), "rate", share), (_("The other tenderees' share"), "others_share", share),
                       (_("Chance of as many"), "chance", chance)],
    }.get(finding.pattern, [])
    shown = {share: _percent, chance: lambda value: f"{float(value):.3g}", "": lambda value: value}
    return [(label, shown[unit](e[name])) for label, name, unit in rows if name in e]


def _finding_page(request, finding: Finding, *, form=None, error=None, status=200):
    label, definition, source = PATTERNS.get(finding.pattern, (finding.pattern, "", ""))
    return render(request, "monitoring/integrity/patterns_finding.html", {
        "finding": finding, "label": label, "definition": definition, "source": source,
        "figures": figures(finding), "tables": evidence_tables(finding),
        "roles": [{**entry, "role_label": ROLES.get(entry["role"], entry["role"])} for entry in finding.organisations],
        "form": form or ReferForm(finding=finding, initial={"question": _question(finding)}), "error": error,
    }, status=status)


@login_required
def finding_page(request, finding_id: int):
    if request.method == "POST":
        try:
            regulator_check(request.user, action="finding_refer", data={"finding": finding_id})
        except RegulationError as error:
            raise PermissionDenied(str(error.message)) from error
    role_required(request.user, Role.REGULATOR)
    finding = finding_get(finding_id=finding_id)
    if finding is None:
        raise Http404
    if request.method != "POST":
        return _finding_page(request, finding)
    form = ReferForm(request.POST, finding=finding)
    if not form.is_valid():
        return _finding_page(request, finding, form=form, error=_("Check the form's fields."), status=400)
    data = form.cleaned_data
    try:
        finding_refer(finding_id=finding.pk, regulator=request.user, question=data["question"],
                      organisation_id=data["organisation"], due_at=day_end(data["due_on"]) if data["due_on"] else None)
    except PlatformError as error:
        for field, errors in error.fields.items():
            if field in form.fields:
                form.add_error(field, errors)
        return _finding_page(request, finding_get(finding_id=finding.pk), form=form, error=error.message,
                             status=error.status)
    messages.success(request, _("The inquiry is sent."))
    return redirect("regulator-pattern", finding_id=finding.pk)


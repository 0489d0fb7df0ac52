"""The nightly analysis of patterns across lots (docs/integrity_patterns.md), and a regulator's
referral of a finding for an inquiry.

``patterns_sweep`` is one of the platform's timed sweeps (``settings.PLATFORM_SWEEPS``; Celery beat
sends it in services mode, the sweep thread runs it in embedded mode, every few seconds either
way). It does something once per Beijing day, from ``settings.PLATFORM_PATTERNS_HOUR`` on: it
claims the day by inserting its ``PatternRun`` (the day is unique, so of two sweeps at once one
inserts and the other gives way at once), reads the whole history outside any transaction,
analyses it, then stores the findings, closes the run and records ``integrity.patterns_analysed``
in one transaction. A run whose sweep died (claimed more than ``STALE`` ago, never finished) is
taken over by a later sweep with a conditional update; the one that claimed it, should it wake up,
finds the claim is no longer its own and stores nothing.

Events go under the subject ``patterns``, which no live room shows: findings are for regulators.
"""
import hashlib
from collections import Counter
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from monitoring.events import actor_of, record
from monitoring.integrity.models import Finding, PatternRun
from monitoring.integrity.patterns import Analysis, Found, analyse
from monitoring.integrity.selectors_patterns import (finding_lot_for, history_read, keys_before,
                                                     organisations_named)
from supervisors.regulation.selectors import regulators
from supervisors.regulation.services import inquiry_ask, regulator_check
from trading import clock
from trading.errors import PlatformError
from trading.models import Organisation
from trading.services.notifications import notify
from trading.text import text_clean
from trading.workdays import CHINA, local_day

SUBJECT = "patterns"
SYSTEM = "system:patterns"
STALE = timedelta(hours=1)


class PatternError(PlatformError):
    """A referral refused: a stable code and a translated message."""


def patterns_sweep() -> dict:
    """Timed sweep: today's analysis, once, from ``PLATFORM_PATTERNS_HOUR`` (Beijing) on."""
    now = clock.now()
    if now.astimezone(CHINA).hour < settings.PLATFORM_PATTERNS_HOUR:
        return {"analysed": 0, "findings": 0}
    run = patterns_analyse(now=now)
    return {"analysed": 1 if run else 0, "findings": run.findings if run else 0}


def patterns_analyse(*, now: datetime | None = None) -> PatternRun | None:
    """Today's (Beijing) analysis, now, whatever the hour: the finished run, or None when today's
    has run already or another sweep is running it."""
    now = now or clock.now()
    run = _claim(day=local_day(now), now=now)
    if run is None:
        return None
    analysis = analyse(history_read())
    named = organisations_named([o for found in analysis.findings for o in (*found.organisations, found.tenderee)
                                 if o is not None])
    return _finish(run, analysis=analysis, named=named)


def _claim(*, day: date, now: datetime) -> PatternRun | None:
    """The day's run, claimed by this sweep; None when another has it (or had it: one run a day)."""
    run = PatternRun.objects.filter(day=day).first()
    if run is None:
        try:
            with transaction.atomic():
                return PatternRun.objects.create(day=day, started_at=now)
        except IntegrityError:  # another sweep claimed the day meanwhile
            return None
    if run.finished_at is None and run.started_at < now - STALE:
        if PatternRun.objects.filter(pk=run.pk, finished_at=None, started_at=run.started_at).update(started_at=now):
            run.started_at = now
            return run
    return None


def _finish(run: PatternRun, *, analysis: Analysis, named: dict[int, tuple[str, str]]) -> PatternRun | None:
    uscc = {pk: code for pk, (code, _name) in named.items()}
    with transaction.atomic():
        run = (PatternRun.objects.select_for_update()
               .filter(pk=run.pk, finished_at__isnull=True, started_at=run.started_at).first())
        if run is None:  # taken over after this sweep was thought dead
            return None
        findings = Finding.objects.bulk_create([_finding(run, found, uscc=uscc, named=named)
                                                for found in analysis.findings])
        fresh = {finding.key for finding in findings} - keys_before(run=run)
        run.finished_at, run.lots, run.bids = clock.now(), analysis.lots, analysis.bids
        run.findings, run.thresholds = len(findings), analysis.thresholds
        run.save(update_fields=["finished_at", "lots", "bids", "findings", "thresholds"])
        if fresh:
            _regulators_tell(run, len(fresh))
        record(kind="integrity.patterns_analysed", actor=SYSTEM, subject=SUBJECT,
               data={"run": run.pk, "day": run.day.isoformat(), "lots": run.lots, "bids": run.bids,
                     "findings": run.findings, "new": len(fresh),
                     "patterns": dict(Counter(finding.pattern for finding in findings))})
    return run


def _finding(run: PatternRun, found: Found, *, uscc: dict, named: dict) -> Finding:
    return Finding(
        run=run, pattern=found.pattern, key=found.key(uscc), market_id=found.market, tenderee_id=found.tenderee,
        organisations=[{"id": o, "uscc": named[o][0], "name": named[o][1], "role": found.roles[o]}
                       for o in found.organisations],
        lots=[{"id": lot.id, "code": lot.code} for lot in found.lots], evidence=found.evidence)


def _regulators_tell(run: PatternRun, fresh: int) -> None:
    for regulator in regulators():
        notify(user=regulator, kind="patterns.found", title=_("Patterns across lots: %(n)s new"),
               body=_("The analysis of %(day)s found %(n)s patterns that the one before did not. "
                      "Each has its evidence on the patterns page."),
               params={"n": fresh, "day": run.day.isoformat()}, link=reverse("regulator-patterns"))


# --- a regulator turns a finding into an inquiry ---------------------------------------------------------

def finding_refer(*, finding_id: int, regulator, question: str, organisation_id: int | None = None,
                  due_at: datetime | None = None) -> Finding:
    """A regulator asks about a finding: an inquiry (``inquiry_ask``) on the latest of the finding's
    lots in which ``organisation_id`` took part, to that organisation (one of the finding's bidders,
    or its tenderee; None: the centre). A finding is referred once."""
    actor = regulator_check(regulator, action="finding_refer", data={"finding": finding_id})
    question = text_clean(question, code="question", message=_("Write the question."), error=PatternError)
    with transaction.atomic():
        finding = Finding.objects.select_for_update().filter(pk=finding_id).first()
        if finding is None:
            raise PatternError("finding_not_found", _("There is no such finding."), status=404)
        if finding.inquiry_id is not None:
            raise PatternError("finding_referred", _("This finding has already been referred for an inquiry."),
                               status=409)
        concerned = {entry["id"] for entry in finding.organisations} | {finding.tenderee_id}
        if organisation_id is not None and organisation_id not in concerned:
            raise PatternError("organisation_not_concerned",
                               _("Ask one of the organisations the finding concerns, or the centre."),
                               fields={"organisation": [str(_("Not concerned by this finding."))]})
        lot = finding_lot_for(finding=finding, organisation_id=organisation_id)
        if lot is None:
            raise PatternError("no_lot", _("None of the finding's lots has this organisation as a party."))
        organisation = Organisation.objects.get(pk=organisation_id) if organisation_id is not None else None
        inquiry = inquiry_ask(lot_id=lot.pk, regulator=regulator, question=question, organisation=organisation,
                              due_at=due_at)
        finding.inquiry, finding.referred_by, finding.referred_at = inquiry, regulator, clock.now()
        finding.save(update_fields=["inquiry", "referred_by", "referred_at"])
        record(kind="integrity.finding_referred", actor=actor, subject=SUBJECT,
               data={"finding": finding.pk, "run": finding.run_id, "pattern": finding.pattern,
                     "inquiry": inquiry.pk, "lot": lot.pk, "organisation": organisation_id,
                     "question_sha256": hashlib.sha256(question.encode()).hexdigest()})
    return finding

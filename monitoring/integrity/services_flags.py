"""Raising the red flags of each lot (docs/integrity.md "Red flags at the opening").

``flags_sweep`` is one of the platform's timed sweeps (``settings.PLATFORM_SWEEPS``): it finds the
lots whose opening record is out, or that were awarded, with no check of that stage yet, and checks
each in a transaction of its own: the rules run, each rule that fires is stored as a ``Flag`` with
its evidence, the ``FlagCheck`` keeps the thresholds used, and both go on the audit chain
(``integrity.flag_raised`` per flag, which electronic supervision turns into a red alert to
regulators; ``integrity.flags_checked`` per check).

Idempotent and safe when several sweeps run at once: a lot's facts are read first (they no longer
change once its stage has come); then its row is taken with ``skip_locked`` and the check looked
for again, so one sweep writes each check once and none waits for another.

The events go under the subject ``integrity``, never the lot's: a lot's events are public, and
flags are for regulators only, before the result and after it.
"""
import hashlib
from collections import Counter

from django.db import transaction

from bidding.crypto.canonical import canonical_json
from monitoring.events import record
from monitoring.integrity.flags import AWARD, OPENING, rules_run
from monitoring.integrity.models import Flag, FlagCheck
from monitoring.integrity.selectors_flags import award_facts, lot_for_check, lot_thresholds, lots_due, opening_facts
from trading import clock
from trading.models import Lot

SUBJECT = "integrity"
SYSTEM = "system:integrity"
BATCH = 100  # lots per stage and sweep; a backlog (the first run on a platform's history) takes several


def flags_sweep() -> dict:
    """Timed sweep: check every lot due at the opening and at the award. Returns what it did."""
    counts = Counter()
    for stage in (OPENING, AWARD):
        for lot_id in lots_due(stage=stage, limit=BATCH):
            raised = lot_flags_check(lot_id=lot_id, stage=stage)
            if raised is not None:
                counts[stage] += 1
                counts["flags"] += raised
    return {"opening": counts[OPENING], "award": counts[AWARD], "flags": counts["flags"]}


def evidence_digest(evidence: dict) -> str:
    return hashlib.sha256(canonical_json(evidence)).hexdigest()


def lot_flags_check(*, lot_id: int, stage: str) -> int | None:
    """Run the rules of ``stage`` on the lot and record the outcome. Returns how many flags were
    raised, or None when the lot was checked already or another sweep holds it."""
    if FlagCheck.objects.filter(lot_id=lot_id, stage=stage).exists():
        return None
    lot = lot_for_check(lot_id)
    if lot is None:
        return None
    # Every read before the lock: the chain's write lock, taken by ``record``, is then held only
    # for the writes.
    facts = opening_facts(lot=lot) if stage == OPENING else award_facts(lot=lot)
    limits, thresholds = lot_thresholds(lot=lot)
    found = rules_run(stage=stage, facts=facts, limits=limits)
    with transaction.atomic():
        locked = Lot.objects.select_for_update(skip_locked=True, of=("self",)).filter(pk=lot_id).first()
        if locked is None or FlagCheck.objects.filter(lot_id=lot_id, stage=stage).exists():
            return None
        now = clock.now()
        # Each rule belongs to one stage and each stage is checked once: one flag per lot and rule.
        flags = [Flag.objects.create(lot_id=lot_id, stage=stage, rule=rule, evidence=evidence, raised_at=now)
                 for rule, evidence in found.items()]
        FlagCheck.objects.create(lot_id=lot_id, stage=stage, checked_at=now, flags=len(flags), thresholds=thresholds)
        for flag in flags:
            record(kind="integrity.flag_raised", actor=SYSTEM, subject=SUBJECT,
                   data={"lot": lot_id, "flag": flag.pk, "rule": flag.rule, "stage": stage,
                         "evidence_sha256": evidence_digest(flag.evidence)})
        record(kind="integrity.flags_checked", actor=SYSTEM, subject=SUBJECT,
               data={"lot": lot_id, "stage": stage, "flags": len(flags), "rules": sorted(flag.rule for flag in flags),
                     "thresholds": thresholds})
    return len(flags)

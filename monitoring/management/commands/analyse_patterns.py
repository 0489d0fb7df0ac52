from collections import Counter

from django.core.management.base import BaseCommand, CommandError

from monitoring.integrity.selectors_patterns import run_latest
from monitoring.integrity.services_patterns import patterns_analyse


class Command(BaseCommand):
    help = ("Run today's analysis of patterns across lots now, whatever the hour (the nightly sweep runs it "
            "from PLATFORM_PATTERNS_HOUR, Beijing time). Once a day: when today's has run, says so.")

    def handle(self, *args, **options):
        run = patterns_analyse()
        if run is None:
            latest = run_latest()
            raise CommandError("Today's analysis has run already or is running"
                               + (f" (latest finished: {latest.day}, {latest.findings} findings)." if latest else "."))
        self.stdout.write(f"Analysed {run.lots} lots and {run.bids} bids on {run.day}: {run.findings} findings.")
        for pattern, count in sorted(Counter(run.found.values_list("pattern", flat=True)).items()):
            self.stdout.write(f"  {pattern}: {count}")

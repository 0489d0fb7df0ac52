import json
import os
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from monitoring.opendata.ocds import lot_list_export, record_of, record_package, release_package, releases_of

# Lots read per round: a few queries per round whatever its size, memory for its releases only.
BATCH = 200


class Command(BaseCommand):
    help = ("Export every public lot as OCDS 1.1.5: releases.json (one release package) and records.json "
            "(one record package) in --out DIR, or one of them on standard output.")

    def add_arguments(self, parser):
        where = parser.add_mutually_exclusive_group(required=True)
        where.add_argument("--out", type=Path, help="Directory to write releases.json and records.json into.")
        where.add_argument("--stdout", action="store_true", dest="to_stdout",
                           help="Write one package to standard output.")
        parser.add_argument("--kind", choices=["releases", "records"], default="releases",
                            help="With --stdout: which package (default: releases).")
        parser.add_argument("--base-url", default=settings.PLATFORM_OCDS_BASE_URL,
                            help="The platform's public address, for the packages' uri.")

    def handle(self, *args, out, to_stdout, kind, base_url, **options):
        processes = [releases for releases in self._releases() if releases]
        if not processes:
            raise CommandError(_("No lot is public yet: there is nothing to export."))
        base = base_url.rstrip("/")
        packages = {
            "releases": lambda: release_package([r for releases in processes for r in releases],
                                                uri=base + reverse("ocds-releases")),
            "records": lambda: record_package([record_of(releases) for releases in processes],
                                              uri=base + reverse("ocds-records")),
        }
        if to_stdout:
            self.stdout.write(json.dumps(packages[kind](), ensure_ascii=False))
            return
        out.mkdir(parents=True, exist_ok=True)
        for name, build in packages.items():
            path = out / f"{name}.json"
            partial = path.with_suffix(".json.partial")
            partial.write_text(json.dumps(build(), ensure_ascii=False), encoding="utf-8")
            # Readers of the directory see the old file or the new one, never half of one.
            os.replace(partial, path)
            self.stdout.write(f"{path}: {len(processes)} lots")

    @staticmethod
    def _releases():
        ids = list(lot_list_export().values_list("pk", flat=True))
        for start in range(0, len(ids), BATCH):
            yield from releases_of(list(lot_list_export().filter(pk__in=ids[start:start + BATCH]))).values()

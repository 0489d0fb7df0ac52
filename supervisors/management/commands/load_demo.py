"""The demo data of every app; lives in ``supervisors``, the app that stands on all the others."""
from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction

from bidding.demo import ACCOUNTS, CUSTODIANS, demo_load, demo_loaded
from supervisors.demo import demo_supervision_load


class Command(BaseCommand):
    help = "Load the demo data once (skipped when present or PLATFORM_LOAD_DEMO=false) and print the demo accounts."

    def handle(self, *args, **options):
        if not settings.PLATFORM_LOAD_DEMO:
            self.stdout.write("Demo data not loaded (PLATFORM_LOAD_DEMO=false).")
            return
        if demo_loaded():
            self.stdout.write("Demo data already present.")
        else:
            with transaction.atomic():
                demo_load()
                demo_supervision_load()
            self.stdout.write(self.style.SUCCESS("Demo data loaded: five markets, nine projects, six accounts."))
        self.stdout.write("Demo accounts (username / password / roles):")
        for username, password, roles, _ in ACCOUNTS:
            self.stdout.write(f"  {username:<16} {password:<22} {', '.join(r.value for r in roles)}")
        self.stdout.write("Custodian passphrases (they unlock each custodian's key share at an opening):")
        for username, passphrase in CUSTODIANS:
            self.stdout.write(f"  {username:<16} {passphrase}")

"""The demo data of every app; lives in ``supervisors``, the app that stands on all the others."""
from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction

from bidding.demo import ACCOUNTS, BIDDERS, CUSTODIANS, EXPERTS, ORGANISATIONS, demo_load, demo_loaded
from supervisors.demo import demo_supervision_load
from trading.accounts.services.second_factor import demo_devices_list


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
            self.stdout.write(self.style.SUCCESS(f"Demo data loaded: five markets, nine projects, "
                                                 f"{len(ACCOUNTS) + len(BIDDERS) + len(EXPERTS) - 1} accounts."))
            # Shown this once (the demo's page /demo/codes/ shows the current codes at any time).
            self.stdout.write("Authenticators of the demo accounts that need a second factor (add to a TOTP app):")
            for device in demo_devices_list():
                self.stdout.write(f"  {device.user.username:<16} {device.config_url}")
        self.stdout.write("Demo accounts (username / password / roles):")
        for username, password, roles, _ in ACCOUNTS:
            self.stdout.write(f"  {username:<16} {password:<22} {', '.join(r.value for r in roles)}")
        self.stdout.write("The other bidders, each their company's administrator (password demo-bidder-2026):")
        for username, organisation, _ in BIDDERS:
            self.stdout.write(f"  {username:<16} {ORGANISATIONS[organisation][0]}")
        self.stdout.write("The expert pool (password demo-expert-2026; specialties):")
        for username, specialties, employer in EXPERTS:
            self.stdout.write(f"  {username:<16} {', '.join(specialties):<18} {employer}")
        self.stdout.write("Custodian passphrases (they unlock each custodian's key share at an opening):")
        for username, passphrase in CUSTODIANS:
            self.stdout.write(f"  {username:<16} {passphrase}")

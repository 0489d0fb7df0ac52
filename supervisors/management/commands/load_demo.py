"""The demo data of every app; lives in ``supervisors``, the app that stands on all the others."""
from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from bidding.demo import (ACCOUNTS, BIDDER_PASSWORD, BIDDERS, CUSTODIANS, EXPERTS, ORGANISATIONS, PROJECTS,
                          demo_loaded)
from bidding.demo_live import competitor_cap, demo_places
from bidding.demo_stories import demo_load
from supervisors.demo import demo_supervision_load
from trading import clock
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
            self.stdout.write(self.style.SUCCESS(f"Demo data loaded: five markets, {len(PROJECTS)} projects, "
                                                 f"{len(ACCOUNTS) + len(BIDDERS) + len(EXPERTS) - 1} accounts."))
            # Shown this once (the demo's page /demo/codes/ shows the current codes at any time).
            self.stdout.write("Authenticators of the demo accounts that need a second factor (add to a TOTP app):")
            for device in demo_devices_list():
                self.stdout.write(f"  {device.user.username:<16} {device.config_url}")
        self.stdout.write("Demo accounts (username / password / roles):")
        for username, password, roles, _ in ACCOUNTS:
            self.stdout.write(f"  {username:<16} {password:<22} {', '.join(r.value for r in roles)}")
        self.stdout.write(f"The other bidders, each their company's administrator (password {BIDDER_PASSWORD}):")
        for username, organisation, _ in BIDDERS:
            self.stdout.write(f"  {username:<16} {ORGANISATIONS[organisation][0]}")
        self.stdout.write("The expert pool (password demo-expert-2026; specialties):")
        for username, specialties, employer in EXPERTS:
            self.stdout.write(f"  {username:<16} {', '.join(specialties):<18} {employer}")
        self.stdout.write("Custodian passphrases (they unlock each custodian's key share at an opening):")
        for username, passphrase in CUSTODIANS:
            self.stdout.write(f"  {username:<16} {passphrase}")
        self._moving_parts()

    def _moving_parts(self):
        """What happens in the demo's first minutes, and where to start."""
        places, now = demo_places(), clock.now()
        if places.opening is None or places.auction is None:
            return

        def when(at):
            return f"{timezone.localtime(at):%H:%M} Beijing time" + (" (passed)" if at <= now else "")

        opening, auction = places.opening, places.auction
        moves = sorted([
            (opening.bid_deadline, f"bids close for {opening.code} {opening.title} with {places.bids_in} "
                                   f"sealed bids in; open them as demo_staff and two custodians."),
            (auction.starts_at, f"the live auction of {auction.lot.code} {auction.lot.title} starts; bid as "
                                f"demo_bidder, the scripted competitors stop at {competitor_cap(auction):,.0f} yuan."),
        ])
        self.stdout.write(self.style.SUCCESS("What moves:"))
        for at, what in moves:
            self.stdout.write(f"  {when(at)}: {what}")
        self.stdout.write(self.style.SUCCESS("Start at /try/: what to do as each role, with the links."))
        if settings.PLATFORM_EMBEDDED:
            self.stdout.write(f"For a new demo, whose deadline and auction are again minutes away: stop, delete "
                              f"{settings.VAR_DIR} and `make run` again.")

import sys

from django.core.management.base import BaseCommand

from monitoring.audit.services import audit_verify


class Command(BaseCommand):
    help = "Check the whole audit chain and every signed checkpoint; exit 1 at the first bad entry."

    def handle(self, *args, **options):
        result = audit_verify()
        if result.ok:
            self.stdout.write(str(result))
            return
        self.stderr.write(str(result))
        sys.exit(1)

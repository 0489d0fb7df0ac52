import threading

from daphne.cli import CommandLineInterface
from django.conf import settings
from django.core.management.base import BaseCommand

from monitoring.sweeps import start_thread


class Command(BaseCommand):
    help = "Serve the platform with daphne (HTTP and websockets); in the embedded mode also run the timed sweeps."

    def add_arguments(self, parser):
        parser.add_argument("--bind", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)

    def handle(self, *args, bind, port, **options):
        stop = threading.Event()
        if settings.PLATFORM_INPROCESS_SWEEPS:
            start_thread(stop)
            self.stdout.write(f"Timed sweeps run in this process every {settings.PLATFORM_SWEEP_INTERVAL:g} s.")
        else:
            self.stdout.write("Timed sweeps are left to Celery beat (make beat) and workers (make worker).")
        database = settings.DATABASES["default"]
        self.stdout.write(
            f"Database: {database['ENGINE'].rsplit('.', 1)[-1]} {database['NAME']}; "
            f"channel layer: {settings.CHANNEL_LAYERS['default']['BACKEND'].rsplit('.', 1)[-1]}; "
            f"object storage: {settings.S3_ENDPOINT_URL or settings.PLATFORM_STORAGE_DIR}"
        )
        self.stdout.write(self.style.SUCCESS(f"Serving http://{bind}:{port}/"))
        try:
            # Handshakes wait for a room's first database trip; when a crowd arrives at once (everyone
            # reconnecting after a server restart) daphne's default 5 s refused some of them.
            CommandLineInterface().run(["-b", bind, "-p", str(port), "--proxy-headers",
                                        "--websocket_connect_timeout", "30", "config.asgi:application"])
        finally:
            stop.set()

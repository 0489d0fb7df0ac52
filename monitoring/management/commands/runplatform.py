import threading

import uvicorn
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from monitoring.startup import secrets_problem
from monitoring.sweeps import start_thread
from trading.pdf import documents_check


class Command(BaseCommand):
    help = ("Serve the platform with uvicorn (HTTP and websockets, httptools and uvloop); in the embedded "
            "mode also run the timed sweeps.")

    def add_arguments(self, parser):
        parser.add_argument("--bind", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)

    def handle(self, *args, bind, port, **options):
        problem = secrets_problem()
        if problem:
            raise CommandError(problem)
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
        problem = documents_check()
        if problem:
            self.stderr.write(self.style.ERROR(
                f"Official documents (notices, reports, deal confirmations) cannot be rendered as PDF: {problem}"))
        else:
            self.stdout.write(f"Official documents render as PDF with {settings.PLATFORM_PDF_FONT}.")
        self.stdout.write(self.style.SUCCESS(f"Serving http://{bind}:{port}/"))
        try:
            uvicorn.Server(server_config(bind, port)).run()
        finally:
            stop.set()


def server_config(bind: str, port: int) -> uvicorn.Config:
    """uvicorn with httptools, uvloop and websockets' sans-I/O protocol.

    Why not daphne (the stack's first choice): bench_auction, one hot auction with 100 bidders on 2
    processes and 2 cores, same code and machine, 20 s each: daphne answered 691 bids/s at p99 290 ms
    and, paced at 500 offered/s, p99 217 ms, on 1.15 cores of server CPU (daphne and Twisted were most
    of a bid's cost); uvicorn 963–1,215/s at p99 144–176 ms, paced p99 44–65 ms, on 0.9–0.96 cores
    (four runs). The live rooms' tests and bench_fanout pass under it as they did under daphne (README).

    - No access log: nginx keeps it in production.
    - Django's LOGGING, not uvicorn's own logging set-up (``log_config=None``).
    - ``X-Forwarded-For``/``-Proto`` are taken from the peers in ``PLATFORM_FORWARDED_ALLOW_IPS``
      only (127.0.0.1 unless set; docker-compose trusts any, as only nginx reaches the servers there).
    - Websocket pings every 20 s; a peer that has not answered one in 20 s is dropped.
    - No handshake timeout: a handshake waits for the room's first database trip however long that
      takes when a crowd reconnects at once (daphne's default 5 s had refused some; it ran with 30 s).
    - On SIGTERM open websockets are closed with 1012 (service restart): clients reconnect and catch
      up from their last sequence number; requests in flight get 10 s to finish.
    """
    return uvicorn.Config(
        "config.asgi:application", host=bind, port=port, http="httptools", loop="uvloop",
        ws="websockets-sansio", lifespan="off", proxy_headers=True,
        forwarded_allow_ips=settings.PLATFORM_FORWARDED_ALLOW_IPS, access_log=False, log_config=None,
        ws_ping_interval=20, ws_ping_timeout=20, timeout_graceful_shutdown=10)

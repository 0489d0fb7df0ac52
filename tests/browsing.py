"""Playwright in a thread of its own: its sync API keeps an event loop running in its thread, where
Django refuses synchronous database work, so the test's thread keeps the database."""
import contextlib
import queue
import sqlite3
import threading
import time
from pathlib import Path

from django_otp.oath import totp
from playwright.sync_api import sync_playwright

from tests.fixtures import CHROMIUM, CHROMIUM_ARGS

DEVICE_FIELDS = ("key", "step", "t0", "digits", "drift", "last_t")


def browser_thread(steps):
    """Run ``steps(browser, services)`` in a thread of its own (Playwright's sync API keeps an event
    loop in its thread, where Django refuses database work) while this thread runs what the steps
    hand to ``services(function)``: the database stays in the test's thread."""
    requests: queue.Queue = queue.Queue()
    failure = []

    def services(function):
        answer: queue.Queue = queue.Queue(maxsize=1)
        requests.put((function, answer))
        ok, value = answer.get(timeout=120)
        if not ok:
            raise value
        return value

    def run():
        try:
            with sync_playwright() as playwright:
                chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                try:
                    steps(chromium, services)
                finally:
                    chromium.close()
        except BaseException as error:  # re-raised in the test's thread
            failure.append(error)

    thread = threading.Thread(target=run)
    thread.start()
    deadline = time.monotonic() + 240
    while thread.is_alive() and time.monotonic() < deadline:
        try:
            function, answer = requests.get(timeout=0.05)
        except queue.Empty:
            continue
        try:
            answer.put((True, function()))
        except BaseException as error:
            answer.put((False, error))
    thread.join(timeout=5)
    if failure:
        raise failure[0]
    assert not thread.is_alive(), "the browser steps did not finish"


def sign_in(page, url, username, password, *, devices=None):
    """Sign in through /login/ as a person does. When the code step follows (staff, custodians,
    regulators, security administrators), type the code the person's authenticator shows now,
    computed from their device's key as the app computes it. ``devices(username)`` reads the device
    (a dict of ``DEVICE_FIELDS``, or None): ``embedded_devices(var_dir)`` for `make run`'s database,
    ``database_devices(services)`` for servers on the test database. Returns the page, on where the
    sign-in led."""
    device = devices(username) if devices else None  # first: database_devices may make the device
    page.goto(url + "/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    with page.expect_navigation():
        page.click("form button[type=submit]:not([name])")
    if "/login/second-factor/" in page.url:
        assert device, f"{username} needs a second factor: pass sign_in the devices= of the server's database"
        page.fill("#id_code", current_code(device))
        with page.expect_navigation():
            page.click("[data-testid=second-factor-form] button[type=submit]")
    return page


def current_code(device: dict) -> str:
    """The authenticator's code now. django-otp takes each time step's code once, so after a sign-in
    of the same person in this step, this waits for the next one (at most one step, 30 s)."""
    def step_now():
        return (int(time.time()) - device["t0"]) // device["step"] + device["drift"]

    while step_now() <= device["last_t"]:
        time.sleep(0.5)
    code = totp(bytes.fromhex(device["key"]), device["step"], device["t0"], device["digits"], device["drift"])
    return f"{code:0{device['digits']}d}"


def embedded_devices(var_dir):
    """``devices`` of the embedded platform (`make run` in ``var_dir``): read from its SQLite file."""
    def read(username):
        with contextlib.closing(sqlite3.connect(Path(var_dir) / "platform.sqlite3", timeout=20)) as db:
            row = db.execute(f"SELECT {', '.join('d.' + f for f in DEVICE_FIELDS)} FROM otp_totp_totpdevice d"
                             " JOIN trading_user u ON u.id = d.user_id WHERE u.username = ? AND d.confirmed",
                             (username,)).fetchone()
        return dict(zip(DEVICE_FIELDS, row)) if row else None
    return read


def database_devices(services):
    """``devices`` of servers on the test database, read in the test's thread through
    ``browser_thread``'s ``services``. A person who needs a second factor and has no authenticator
    gets one first, as if they had set it up before (the same service as the test client's fixture)."""
    def read(username):
        return services(lambda: _device_made_if_needed(username))
    return read


def _device_made_if_needed(username):
    from trading.accounts.selectors import second_factor_needed
    from trading.accounts.services.second_factor import totp_device_create, totp_device_get
    from trading.models import User

    user = User.objects.get(username=username)
    if not second_factor_needed(user):
        return None
    device = totp_device_get(user) or totp_device_create(user, confirmed=True, actor="system:test")
    return {field: getattr(device, field) for field in DEVICE_FIELDS}

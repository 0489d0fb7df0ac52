"""Playwright in a thread of its own: its sync API keeps an event loop running in its thread, where
Django refuses synchronous database work, so the test's thread keeps the database."""
import queue
import threading
import time

from playwright.sync_api import sync_playwright

from tests.fixtures import CHROMIUM, CHROMIUM_ARGS


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

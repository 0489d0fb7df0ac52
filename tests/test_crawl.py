"""Issue 15's "done when": no page that any role's navigation reaches links to a 4xx that is not a
deliberate, explained refusal. Against `make run` with its demo data, anonymous and each demo role
follow every same-site link (``a`` and ``link`` hrefs) from the home page, breadth first, GET only;
no link may answer 404, 405 or 5xx, a 403 must be the site's refusal page with its reason, and no
page may carry an inline style or event handler, which the Content Security Policy refuses."""
import collections
import http.cookiejar
import re
import urllib.error
import urllib.request
from html.parser import HTMLParser
from urllib.parse import urlencode, urljoin, urlsplit

import pytest

from tests.browsing import current_code, embedded_devices

ROLES = ["demo_bidder", "demo_staff", "demo_custodian", "demo_expert", "demo_supervisor", "demo_regulator",
         "demo_security"]
# Signing out ends the crawl's session; the admin and the API's docs are not pages of the site's
# navigation (the admin has its own, and the docs page is drawn by a script from the schema).
SKIPPED = ("/logout/", "/admin/", "/api/docs/", "/api/schema/")
PAGES_PER_ROLE = 400
INLINE = re.compile(r"<[^>]*\s(?:style|on[a-z]+)=[^>]*>")
# The 403 page's reason when the refusal gave none (templates/403.html): not an explained refusal.
UNEXPLAINED = "Your account may not open this page."


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs = []

    def handle_starttag(self, tag, attrs):
        href = dict(attrs).get("href")
        if tag in ("a", "link") and href:
            self.hrefs.append(href)


class _Response:
    def __init__(self, status: int, headers, body: bytes):
        self.status_code, self.headers = status, headers
        html = headers.get("Content-Type", "").startswith("text/html")
        self.text = body.decode("utf-8", "replace") if html else ""


class _KeepRedirects(urllib.request.HTTPRedirectHandler):
    """Redirects are links too: the crawl queues their targets instead of following them."""

    def redirect_request(self, *args, **kwargs):
        return None


class _Browser:
    """A cookie-keeping client of the site that reads English pages."""

    def __init__(self, url: str):
        self.url = url
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), _KeepRedirects)
        self.opener.addheaders = [("Accept-Language", "en")]

    def open(self, path: str, data: dict | None = None) -> _Response:
        request = urllib.request.Request(self.url + path, data=urlencode(data).encode() if data else None,
                                         headers={"Referer": self.url + path})
        try:
            with self.opener.open(request, timeout=30) as answer:
                return _Response(answer.status, answer.headers, answer.read())
        except urllib.error.HTTPError as answer:
            return _Response(answer.code, answer.headers, answer.read())


def _csrf(browser: _Browser, path: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', browser.open(path).text).group(1)


def _signed_in(url: str, username: str | None, var_dir) -> _Browser:
    """Signed in with the demo password and, for the roles that need one, the authenticator's code."""
    browser = _Browser(url)
    if username is None:
        return browser
    answer = browser.open("/login/", {"csrfmiddlewaretoken": _csrf(browser, "/login/"), "username": username,
                                      "password": username.replace("demo_", "demo-") + "-2026", "next": "/"})
    if "/login/second-factor/" in answer.headers.get("Location", ""):
        step = "/login/second-factor/?next=/"
        browser.open(step, {"csrfmiddlewaretoken": _csrf(browser, step),
                            "code": current_code(embedded_devices(var_dir)(username))})
    assert 'data-testid="who"' in browser.open("/").text, f"{username} could not sign in"
    return browser


def _explained_refusal(response: _Response) -> bool:
    reason = re.search(r'data-testid="error-reason">(.*?)</p>', response.text, re.S)
    return ('data-status="403"' in response.text and reason is not None
            and reason.group(1).strip() not in ("", UNEXPLAINED))


def crawl(url: str, username: str | None, var_dir) -> tuple[int, list[str]]:
    """Pages visited and what was wrong: each bad answer with the page that linked to it."""
    browser, host = _signed_in(url, username, var_dir), urlsplit(url).netloc
    linked_from = {"/": "(start)"}
    queue, visited, wrong = collections.deque(["/"]), 0, []
    while queue and visited < PAGES_PER_ROLE:
        path = queue.popleft()
        visited += 1
        response = browser.open(path)
        status = response.status_code
        if status >= 400 and not (status == 403 and _explained_refusal(response)):
            wrong.append(f"{status} {path} (linked from {linked_from[path]})")
            continue
        hrefs = []
        if status in (301, 302, 303, 307, 308):
            hrefs = [response.headers["Location"]]
        elif response.text:
            # The Content Security Policy allows no inline style or handler, whatever put it there
            # (a template, a form widget's attributes, HTML marked safe in Python).
            if INLINE.search(response.text):
                wrong.append(f"inline style or handler on {path}: {INLINE.search(response.text).group(0)}")
            parser = _Links()
            parser.feed(response.text)
            hrefs = parser.hrefs
        for href in hrefs:
            target = urlsplit(urljoin(url + path, href))
            if target.scheme not in ("http", "https") or target.netloc != host:
                continue
            found = target.path + (f"?{target.query}" if target.query else "")
            if found not in linked_from and not found.startswith(SKIPPED):
                linked_from[found] = path
                queue.append(found)
    return visited, wrong


@pytest.mark.parametrize("username", [None, *ROLES], ids=["anonymous", *ROLES])
def test_no_page_a_role_reaches_links_to_an_unexplained_error(embedded_platform, username):
    url, var_dir = embedded_platform
    visited, wrong = crawl(url, username, var_dir)
    assert visited > 20  # the crawl got past the home page
    assert not wrong, f"{username or 'anonymous'} followed links to:\n" + "\n".join(wrong)

"""``nav_links``: the header's links for the person signed in (``navigation.nav_links``), each with its
URL, label, test id and whether it is the page shown. A callable the template resolves on first use
and remembers, so a page that draws no header costs nothing; one that does costs the person's roles
(remembered on the user, which the page's own checks read too) and their organisation's kind."""
import functools

from monitoring.workbenches.navigation import nav_links


def navigation(request) -> dict:
    user = getattr(request, "user", None)

    @functools.cache
    def links() -> list[dict]:
        return [{"url": link.url, "label": link.label, "testid": link.testid, "current": link.url == request.path}
                for link in nav_links(user)]

    return {"nav_links": links}

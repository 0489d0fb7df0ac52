"""axe-core in the browser tests: the WCAG 2.0/2.1 A and AA rules run on a loaded page, its
violations returned as readable lines. axe-core is vendored (tests/vendor/axe.min.js, copied by
frontend/build.sh from the npm package pinned in frontend/package.json), so the tests need no Node
and no download."""
from pathlib import Path

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def axe_violations(page, *, exclude: tuple[str, ...] = ()) -> list[str]:
    """Run axe on ``page`` as it is now; one line per violating element: rule, impact, target, help."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        # Evaluated through the debugging protocol, which the Content Security Policy does not govern:
        # a <script> tag with the source inline (add_script_tag) is refused like any inline script.
        page.evaluate(AXE.read_text())
    result = page.evaluate(
        """([tags, exclude]) => axe.run({include: [document], exclude: exclude.map(s => [s])},
                                       {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})""",
        [WCAG_AA, list(exclude)])
    lines = []
    for violation in result["violations"]:
        for node in violation["nodes"]:
            lines.append(f"{page.url}: {violation['id']} ({violation['impact']}) {node['target']}: "
                         f"{violation['help']} — {node.get('failureSummary', '').splitlines()[-1:]}")
    return lines

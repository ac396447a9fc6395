"""axe-core, the accessibility checker, run inside the test browser on the page it is showing.

axe-core comes from the npm registry at install time (package.json's devDependencies) and is read
from node_modules by the tests only: it is injected through the browser's debugging channel, so no
page the portal serves ever links it, and the pages' Content-Security-Policy stays as strict as it is.
"""

from __future__ import annotations

from pathlib import Path

import pytest

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
# What stops someone from using the page (no name on a button, text too faint to read, a field
# without a label) is "serious" or "critical" in axe's words; "moderate" and "minor" are advice.
BLOCKING = ("serious", "critical")
_RUN = """async () => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map(n => n.target.join(' ') + ' :: ' + n.failureSummary.split('\\n').slice(1, 2).join(''))
  }));
}"""


def axe_violations(page) -> list[dict]:
    """Every accessibility violation axe-core finds on the page as it is now."""
    if not AXE.exists():
        pytest.fail("axe-core is not installed: `make install-test` runs npm ci (package.json devDependencies)")
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))
    return page.evaluate(_RUN)


def assert_accessible(page) -> None:
    """No serious or critical accessibility violation on the page the browser shows."""
    blocking = [v for v in axe_violations(page) if v["impact"] in BLOCKING]
    report = "\n".join(f"{v['impact']} {v['id']}: {v['help']}\n    " + "\n    ".join(v["nodes"][:5])
                       for v in blocking)
    assert not blocking, f"axe-core on {page.url}:\n{report}"

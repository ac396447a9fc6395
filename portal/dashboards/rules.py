"""The dashboards' rules: a region's dashboard for a period (every registered panel), the report
that writes its figures in the bureaus' own sentences, and a county's public page switch."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlmodel import Session

from portal import access
from portal.dashboards import panels, snapshots  # noqa: F401  (panels: registers them)
from portal.dashboards.models import PublicDashboard
from portal.dashboards.periods import Period
from portal.dashboards.sentences import Sentence, write_sentences
from portal.dashboards.tables import PANELS, Figure, Panel, Scope, scope_for
from portal.errors import DomainError
from portal.regions.models import Level, Region
from portal.regions.rules import breadcrumbs, level_of_code
from portal.types import utcnow


@dataclass
class Dashboard:
    scope: Scope
    period: Period
    panels: list[Panel]
    trail: list[Region]  # the regions above, inside the viewer's reach, for the way back up

    @property
    def figures(self) -> dict[str, Figure]:
        """Every panel's figures, named ``panel.figure`` (``children.active``)."""
        return {f"{p.key}.{name}": figure for p in self.panels for name, figure in p.figures.items()}


def clean_code(code: str) -> str:
    code = (code or "").strip()
    if len(code) != 12 or not code.isascii() or not code.isdigit():
        raise DomainError(_l("Regions are named by their 12-digit codes."), field="region")
    return code


def dashboard(session: Session, actor, code: str, period: Period, today: date | None = None,
              only: list[str] | None = None) -> Dashboard:
    """The figures of region ``code``'s subtree for ``period``, every registered panel (or those
    named in ``only``). Refuses anyone but staff working in that region or above it."""
    code = clean_code(code)
    access.require(actor, "dashboards.view", code)
    scope = scope_for(session, code)
    today = today or date.today()
    snapshots.attach(session, scope, period, today)
    chosen = [PANELS[k] for k in (only or PANELS)]
    trail = [r for r in breadcrumbs(session, scope.region)[:-1] if access.within_scope(actor, r.code)]
    return Dashboard(scope, period, [fn(session, scope, period, today) for fn in chosen], trail)


@dataclass
class Report:
    dashboard: Dashboard
    sentences: list[Sentence]


def report(session: Session, actor, code: str, period: Period, today: date | None = None) -> Report:
    """The report of region ``code`` for ``period``: the dashboard's figures written in the seed
    reports' sentences, each linked to the table it came from (same refusals as ``dashboard``)."""
    data = dashboard(session, actor, code, period, today)
    return Report(data, write_sentences(data.figures))


# --- the public page -------------------------------------------------------------------------


def public_enabled(session: Session, county_code: str) -> bool:
    row = session.get(PublicDashboard, county_code)
    return bool(row and row.enabled)


def set_public(session: Session, actor, county_code: str, enabled: bool) -> PublicDashboard:
    """Switch county ``county_code``'s public figures page on or off. Refuses anyone but the
    civil-affairs staff of that county or the city above it, and a region that is not a county."""
    county_code = clean_code(county_code)
    if level_of_code(county_code) != Level.county:
        raise DomainError(_l("Only a county opens a public figures page."), field="region")
    access.require(actor, "dashboards.publish", county_code)
    scope_for(session, county_code)  # NotFound for a code that names no region
    row = session.get(PublicDashboard, county_code) or PublicDashboard(county_code=county_code)
    row.enabled, row.changed_by_id, row.changed_at = enabled, actor.id, utcnow()
    session.add(row)
    return row

"""Browsing the region tree (inside one's own subtree), exporting it, and importing it (admins)."""

from __future__ import annotations

from flask import Response, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal import access, db
from portal.accounts.roles import LEVEL_LABELS
from portal.audit.rules import record
from portal.errors import DomainError
from portal.regions import bp, rules
from portal.regions.forms import ImportForm
from portal.regions.names import path_of, paths_of
from portal.web import render

MAX_IMPORT_BYTES = 50 * 1024 * 1024


def _visible_region(code: str | None):
    """The region asked for, or the user's own; refused outside the user's subtree."""
    code = code or current_user.region_code
    if not code:
        return None  # administrators start above the provinces
    region = rules.get_region(db.session(), code)
    access.require(current_user, "regions.view", region)
    return region


@bp.app_context_processor
def region_names():
    """``region_path(code)`` for templates: a region as people name it ("兰山区 义堂镇"), not its code."""
    return {"region_path": lambda code: path_of(db.session(), code)}


@bp.route("/")
@access.route("regions.view")
def browse():
    session = db.session()
    region = _visible_region(request.args.get("code"))
    children = rules.children_of(session, region.code if region else None)
    counts = rules.child_counts(session, [c.code for c in children])
    crumbs = rules.breadcrumbs(session, region) if region else []
    return render(
        "regions/browse.html",
        block="tree",
        region=region,
        children=children,
        counts=counts,
        crumbs=[c for c in crumbs if access.allowed(current_user, "regions.view", c)],
        level_labels=LEVEL_LABELS,
    )


@bp.route("/options")
@access.route("regions.view")
def options():
    """Suggestions for a region-code field (htmx fills a <datalist>): regions below the user."""
    # htmx sends the field under its own name (region_code, move-to_region_code, …)
    text = request.args.get("q") or next((v for v in request.args.values() if v), "")
    words = text.split()  # a name path already filled in ("兰山区 义堂镇"): search by its last name
    found = rules.search_below(db.session(), current_user.region_code, words[-1] if words else "")
    return render("regions/_options.html", regions=found, level_labels=LEVEL_LABELS,
                  paths=paths_of(db.session(), [r.code for r in found]))


@bp.route("/export.csv")
@access.route("regions.view")
def export():
    region = _visible_region(request.args.get("code"))
    filename = f"regions-{region.code if region else 'all'}.csv"
    engine = db.engine()

    def lines():
        # Streamed after the request's own session has closed: the stream owns its session.
        with db.new_session(bind=engine) as session:
            yield from rules.to_csv_lines(rules.export_rows(session, region))

    return Response(
        lines(),
        mimetype="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.route("/import", methods=["GET", "POST"])
@access.route("regions.import")
def import_csv():
    form = ImportForm()
    errors = []
    if form.validate_on_submit():
        raw = form.file.data.read(MAX_IMPORT_BYTES + 1)
        session = db.session()
        try:
            if len(raw) > MAX_IMPORT_BYTES:
                raise DomainError(_("The file is larger than %(mb)d MB.", mb=MAX_IMPORT_BYTES // 1024 // 1024))
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError:
                raise DomainError(_("The file must be saved as UTF-8 CSV.")) from None
            result = rules.import_regions(session, rules.read_csv(text))
        except rules.ImportRejected as rejected:
            session.rollback()
            flash(str(rejected.message), "error")
            errors = rejected.errors
        except DomainError as error:
            session.rollback()
            flash(str(error.message), "error")
        else:
            record(session, current_user, "regions.import", "region", "*", detail=result)
            session.commit()
            flash(
                _("Imported: %(added)d added, %(renamed)d renamed, %(unchanged)d unchanged.", **result),
                "success",
            )
            return redirect(url_for("regions.import_csv"))
    status = 400 if request.method == "POST" else 200
    return render("regions/import.html", form=form, errors=errors), status

"""The export in the recommender's exchange format: exact files and columns, what counts as an
interaction, and never anything about a child."""

import csv
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

import matching
from matching.data import COLUMNS
from portal import db
from portal.accounts.models import User
from portal.matching import export, rules
from portal.needs import claims
from portal.needs.models import Need


def _rows(folder: Path, name: str) -> list[dict]:
    with open(folder / name, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture
def history(app, users, make_need, skilled, make_org):
    """Two needs on the board and one still at the village; a volunteer, a donor, an organization;
    a verified delivery, a withdrawal, a disputed delivery, a view and an invitation."""
    first = make_need(to="published", slots=2)
    second = make_need(to="published")
    third = make_need(to="published")  # nobody took it; the organization is invited
    hidden = make_need()  # never published: not exported
    volunteer = skilled("volunteer", skills=("tutoring", "counselling"), bio="师范生，周末可辅导数学")
    donor = skilled("donor", area="371302000000", skills=())
    org_id, admin = make_org(status="approved")
    with app.app_context(), db.write_session() as s:
        def user(key):
            return s.get(User, users[key].id)

        member = s.scalar(select(User).where(User.username == admin))
        mine = claims.claim(s, user("volunteer"), first)
        delivered = claims.report_delivery(s, user("volunteer"), mine.id, "辅导了四次", [], [], [], date.today())
        claims.verify_delivery(s, user("village"), delivered.id)
        theirs = claims.claim(s, member, first)
        claims.withdraw(s, member, theirs.id, "人手不足")
        again = claims.claim(s, user("volunteer"), second)
        disputed = claims.report_delivery(s, user("volunteer"), again.id, "送到了", [], [], [], date.today())
        claims.dispute_delivery(s, user("village"), disputed.id, "没有收到")
        rules.record_view(s, user("donor"), second)
        rules.invite(s, user("county"), s.get(Need, third), f"o{org_id}")
    return {"first": first, "second": second, "third": third, "hidden": hidden, "volunteer": volunteer.id, "donor": donor.id,
            "org": org_id}


def test_the_export_writes_the_four_files_with_their_exact_columns_and_loads(app, history, tmp_path):
    with app.app_context(), db.new_session() as s:
        done = export.export(s, tmp_path)
    for name, columns in COLUMNS.items():
        with open(tmp_path / name, encoding="utf-8") as handle:
            assert handle.readline().rstrip("\n") == ",".join(columns)
    data = matching.load(tmp_path)  # the library's own checks pass
    assert data.n_needs == 3 and done.counts["needs.csv"] == 3
    assert sorted(data.need_ids) == sorted(str(history[k]) for k in ("first", "second", "third"))
    assert sorted(data.helper_ids) == sorted([f"u{history['volunteer']}", f"u{history['donor']}", f"o{history['org']}"])


def test_needs_are_their_public_form_in_their_town_and_helpers_their_profile(app, history, tmp_path):
    with app.app_context(), db.new_session() as s:
        export.export(s, tmp_path)
        first = s.get(Need, history["first"])
    needs = {r["need_id"]: r for r in _rows(tmp_path, "needs.csv")}
    row = needs[str(history["first"])]
    assert row["region_code"] == "371302105000"  # the town, never the child's village
    assert row["text"] == first.public_summary and row["category"] == "education"
    assert row["created_at"].startswith(first.published_at.date().isoformat()) and row["slots"] == "2"
    helpers = {r["helper_id"]: r for r in _rows(tmp_path, "helpers.csv")}
    volunteer = helpers[f"u{history['volunteer']}"]
    # counselling needs a verified certificate before it counts
    assert (volunteer["kind"], volunteer["skills"], volunteer["region_code"]) == ("volunteer", "tutoring", "371302105000")
    assert volunteer["text"] == "师范生，周末可辅导数学"
    assert helpers[f"u{history['donor']}"]["kind"] == "donor"
    org = helpers[f"o{history['org']}"]
    assert (org["kind"], org["region_code"], org["capacity"]) == ("organization", "371302000000", "1")
    regions = _rows(tmp_path, "regions.csv")
    assert {r["level"] for r in regions} == {"province", "city", "county", "town"}  # no village at all


def test_interactions_are_what_helpers_did_and_invitations_are_not_among_them(app, history, tmp_path):
    with app.app_context(), db.new_session() as s:
        export.export(s, tmp_path)
    events = sorted((r["helper_id"], r["need_id"], r["event"]) for r in _rows(tmp_path, "interactions.csv"))
    first, second = str(history["first"]), str(history["second"])
    volunteer, donor, org = f"u{history['volunteer']}", f"u{history['donor']}", f"o{history['org']}"
    assert events == sorted([
        (volunteer, first, "claim"), (volunteer, first, "deliver"),
        (org, first, "claim"), (org, first, "withdraw"),
        (volunteer, second, "claim"), (volunteer, second, "dispute"),
        (donor, second, "view"),
    ])
    assert all(r["amount_fen"] == "0" for r in _rows(tmp_path, "interactions.csv"))


def test_the_command_line_exports_into_a_folder(app, history, tmp_path):
    result = app.test_cli_runner().invoke(args=["matching-export", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert "needs.csv: 3 rows" in result.output
    assert matching.load(tmp_path / "out").n_needs == 3


@pytest.mark.slow
def test_the_export_of_the_demo_data_never_contains_a_child(fresh_database_url, tmp_path):
    """No file holds a child's identity number or village, a guardian's phone or an internal
    description; no need's text names its children or their guardians."""
    from portal import create_app, migrate
    from portal.children.models import Child, Guardian
    from portal.needs.models import NeedChild
    from tests.conftest import make_config

    url = fresh_database_url()
    migrate.upgrade(url)
    app = create_app(make_config(url))
    try:
        runner = app.test_cli_runner()
        assert runner.invoke(args=["demo-data", "--scale", "small"]).exit_code == 0
        result = runner.invoke(args=["matching-export", str(tmp_path)])
        assert result.exit_code == 0, result.output
        exported = "\n".join((tmp_path / name).read_text(encoding="utf-8") for name in COLUMNS)
        assert matching.load(tmp_path).n_needs > 50
        with app.app_context(), db.new_session() as s:
            children = {c.id: c for c in s.scalars(select(Child))}
            guardians = s.scalars(select(Guardian)).all()
            needs = s.scalars(select(Need)).all()
            taking_part = s.execute(select(NeedChild.need_id, NeedChild.child_id)).all()
        assert len(children) > 1000 and len(needs) > 200
        secrets = {
            *(c.id_number for c in children.values() if c.id_number), *(g.phone for g in guardians if g.phone),
            *(n.description for n in needs),
            *(code for code in [*(n.region_code for n in needs), *(c.region_code for c in children.values())]
              if code[9:] != "000"),  # the villages
        }
        assert sorted(secret for secret in secrets if secret and secret in exported) == []
        # Names are short words ("高一" is also a grade): a need's text must not name its own children.
        of_child: dict[int, list[str]] = {}
        for g in guardians:
            of_child.setdefault(g.child_id, []).append(g.name)
        kids: dict[int, set[int]] = {n.id: {n.child_id} if n.child_id else set() for n in needs}
        for need_id, child_id in taking_part:
            kids[need_id].add(child_id)
        texts = {r["need_id"]: r["text"] for r in _rows(tmp_path, "needs.csv")}
        named = [(need_id, name) for need_id, text in texts.items() for child_id in kids[int(need_id)]
                 for name in [children[child_id].name, *of_child.get(child_id, [])] if name in text]
        assert named == []
    finally:
        app.extensions["db_engine"].dispose()

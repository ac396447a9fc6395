"""The model file: retraining writes one the library reads, each process picks up a new file, and a
damaged or foreign file (or none) leaves the board working on the profile rules."""

import logging
import pickle

import pytest
from sqlalchemy import select

from matching import persist
from portal import db
from portal.accounts.models import User
from portal.matching import rules, service
from tests.matching_portal.conftest import english


def test_retraining_writes_a_model_file_the_library_reads(app, make_need, skilled, model_file):
    need_id = make_need(to="published")
    volunteer = skilled("volunteer")
    summary = service.retrain(app)
    assert summary["model"] in ("tongxin", "profile-rules") and summary["needs"] == 1 and summary["helpers"] == 1
    model = persist.load(model_file, service.signing_key(app))
    assert str(need_id) in model.data_.need_index and f"u{volunteer.id}" in model.data_.helper_index
    assert not list(model_file.parent.glob(".model.bin.*"))  # no temporary file left behind


def test_with_too_few_interactions_to_learn_the_prior_weights_are_saved(app, make_need, skilled, model_file):
    make_need(to="published")
    skilled("volunteer")
    assert service.retrain(app)["model"] == "tongxin"
    assert not persist.load(model_file, service.signing_key(app)).learned_  # hand-set weights on the profile until there is history


def test_nothing_to_train_on_writes_no_file(app, regions, model_file):
    assert service.retrain(app)["model"] is None
    assert not model_file.exists()


def test_the_command_and_the_hourly_task_retrain(app, make_need, skilled, model_file):
    make_need(to="published")
    skilled("volunteer")
    result = app.test_cli_runner().invoke(args=["matching-train"])
    assert result.exit_code == 0, result.output
    assert "saved to" in result.output and model_file.exists()
    model_file.unlink()
    from portal.matching.tasks import hourly_retrain

    with app.app_context():
        hourly_retrain.call_local()
    assert model_file.exists()


def test_the_board_uses_the_model_file_and_reads_it_again_when_it_changes(app, make_need, skilled, signed_in):
    make_need(to="published")
    skilled("volunteer")
    service.retrain(app)
    with app.app_context():
        first = service.fitted_model()
        assert first is not None and service.fitted_model() is first  # kept while the file is the same
        service.retrain(app)
        second = service.fitted_model()
        assert second is not None and second is not first
    assert "Recommended for you" in english(signed_in("volunteer")).get("/board").get_data(as_text=True)


def test_a_helper_who_came_after_the_training_is_served_by_the_profile_rules(app, users, make_need, skilled,
                                                                            make_org):
    need_id = make_need(to="published")
    skilled("volunteer")
    service.retrain(app)
    _org_id, admin = make_org(status="approved")  # not in the model file
    with app.test_request_context(), db.new_session() as s:
        member = s.scalar(select(User).where(User.username == admin))
        assert [item.need.id for item in rules.for_you(s, member)] == [need_id]


@pytest.mark.parametrize("content", [
    b"this is not a model",
    pickle.dumps({"format": persist.FORMAT, "version": persist.VERSION, "model": None}),
    pickle.dumps({"format": "something else"}),
])
def test_a_damaged_or_foreign_model_file_is_logged_and_the_board_still_recommends(app, make_need, skilled, signed_in,
                                                                                 model_file, caplog, content):
    need_id = make_need(to="published")
    skilled("volunteer")
    model_file.parent.mkdir(parents=True, exist_ok=True)
    model_file.write_bytes(content)
    client = english(signed_in("volunteer"))
    with caplog.at_level(logging.ERROR, logger="portal.matching.service"):
        page = client.get("/board")
    assert page.status_code == 200
    assert "Recommended for you" in page.get_data(as_text=True) and f"/board/{need_id}" in page.get_data(as_text=True)
    assert any("cannot use the model file" in r.getMessage() for r in caplog.records)
    caplog.clear()
    with caplog.at_level(logging.ERROR, logger="portal.matching.service"):
        client.get("/board")
    assert not caplog.records  # logged once per file, not on every page


class Boom:
    """Unpickling this runs code: what someone who can write the model volume would put there."""

    def __reduce__(self):
        return (exec, ("import builtins; builtins.TONGXIN_PWNED = True",))


def test_a_tampered_model_file_is_refused_logged_and_the_board_ranks_with_the_profile_rules(
        app, make_need, skilled, signed_in, model_file, caplog):
    need_id = make_need(to="published")
    skilled("volunteer")
    service.retrain(app)
    content = bytearray(model_file.read_bytes())
    at = content.index(b"matching.model")  # inside the pickled part: the class to build
    content[at:at + 14] = b"matching.mode1"
    model_file.write_bytes(bytes(content))
    client = english(signed_in("volunteer"))
    with caplog.at_level(logging.ERROR, logger="portal.matching.service"):
        page = client.get("/board")
    assert page.status_code == 200 and f"/board/{need_id}" in page.get_data(as_text=True)
    assert any("cannot use the model file" in r.getMessage() and "not signed" in r.exc_text
               for r in caplog.records)
    with app.app_context():
        assert service.fitted_model() is None  # the profile rules (the fallback) ranked it
        assert service.fallback_model() is not None


def test_a_pickle_put_in_place_of_the_model_file_never_runs(app, make_need, skilled, signed_in, model_file, caplog):
    import builtins

    make_need(to="published")
    skilled("volunteer")
    model_file.parent.mkdir(parents=True, exist_ok=True)
    model_file.write_bytes(pickle.dumps({"format": persist.FORMAT, "version": persist.VERSION, "model": Boom()}))
    with caplog.at_level(logging.ERROR, logger="portal.matching.service"):
        assert signed_in("volunteer").get("/board").status_code == 200
    assert not hasattr(builtins, "TONGXIN_PWNED")
    assert any("cannot use the model file" in r.getMessage() for r in caplog.records)


def test_a_model_signed_with_another_portals_key_is_refused(app, make_need, skilled, model_file):
    make_need(to="published")
    skilled("volunteer")
    service.retrain(app)
    model = persist.load(model_file, service.signing_key(app))
    persist.save(model, model_file, b"another portal's key, not ours!!")
    service.forget(app)
    with app.app_context():
        assert service.fitted_model() is None


def test_a_failing_recommender_never_breaks_the_board(app, make_need, skilled, signed_in, monkeypatch, caplog):
    make_need(to="published")
    skilled("volunteer")

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(rules, "for_you", broken)
    with caplog.at_level(logging.ERROR, logger="portal.matching.rules"):
        page = signed_in("volunteer").get("/board")
    assert page.status_code == 200 and 'id="for-you"' not in page.get_data(as_text=True)
    assert any("no recommendations" in r.getMessage() for r in caplog.records)


def new_volunteer(app, area: str, skills: tuple[str, ...]) -> User:
    """A volunteer registered now (confirmed contact, an area, declared skills)."""
    from portal.categories import Skill
    from portal.helpers.models import HelperArea, HelperProfile, HelperSkill
    from portal.types import utcnow

    with app.app_context(), db.write_session() as s:
        user = User(username="newcomer", display_name="新志愿者", password_hash="x", role="volunteer")
        s.add(user)
        s.flush()
        s.add(HelperProfile(user_id=user.id, phone_verified_at=utcnow()))
        s.add(HelperArea(user_id=user.id, region_code=area))
        s.add_all(HelperSkill(user_id=user.id, skill=Skill(skill), subjects=["数学"]) for skill in skills)
    return user


def test_a_volunteer_who_registers_after_the_profile_rules_were_fitted_is_recommended_at_once(
        app, users, make_need, skilled):
    # The demo volunteer's board fits the profile rules (kept ten minutes); a tutor who registers in
    # the same town a minute later must not wait for the next fit to see the maths need there.
    need_id = make_need(to="published")  # education, 义堂镇
    skilled("volunteer", skills=("tutoring",))
    with app.test_request_context(), db.new_session() as s:
        assert [item.need.id for item in rules.for_you(s, s.get(User, users["volunteer"].id))] == [need_id]
    newcomer = new_volunteer(app, "371302105000", ("tutoring",))
    with app.test_request_context(), db.new_session() as s:
        found = rules.for_you(s, s.get(User, newcomer.id))
    assert [item.need.id for item in found] == [need_id]
    assert found[0].reasons  # said in plain words, as for any helper


def test_a_newcomer_is_recommended_nothing_outside_the_area(app, users, make_need, skilled):
    make_need(to="published")  # 义堂镇
    skilled("volunteer", skills=("tutoring",))
    with app.test_request_context(), db.new_session() as s:
        rules.for_you(s, s.get(User, users["volunteer"].id))
    far = new_volunteer(app, "371302101000", ("tutoring",))  # 白沙埠镇, another town
    with app.test_request_context(), db.new_session() as s:
        assert rules.for_you(s, s.get(User, far.id)) == []


def test_a_retrained_model_is_read_in_the_background_while_the_previous_one_ranks(app, make_need, skilled,
                                                                                  signed_in):
    """No request waits for a model file to be read: until the thread has read the new file, the
    board goes on with the model it had (before the first, with the profile rules)."""
    need_id = make_need(to="published")
    skilled("volunteer")
    app.config["MATCHING_LOAD_IN_BACKGROUND"] = True
    service.retrain(app)
    with app.app_context():
        state = service._state(app)  # the process's model state (made on first use)
        with state.read_lock:  # the reading thread waits for it: however fast the machine, not read yet
            assert service.fitted_model() is None  # being read: the fallback ranks meanwhile
        state.fitted.loader.join()
        first = service.fitted_model()
        assert first is not None
        service.retrain(app)
        with state.read_lock:
            assert service.fitted_model() is first  # the new file is being read; the old model serves
        state.fitted.loader.join()
        second = service.fitted_model()
        assert second is not None and second is not first
    assert f"/board/{need_id}" in english(signed_in("volunteer")).get("/board").get_data(as_text=True)


def test_an_app_process_reads_the_model_files_as_it_starts(app, database_url, make_need, skilled, model_file):
    from portal import create_app
    from tests.conftest import make_config

    make_need(to="published")
    skilled("volunteer")
    service.retrain(app)
    service.refit_fallback(app)
    started = create_app(make_config(database_url, MATCHING_PRELOAD=True, MATCHING_MODEL=str(model_file)))
    state = started.extensions[service.EXTENSION]
    state.preloader.join()
    assert state.fitted.model is not None and state.fallback.model is not None  # before any request
    with started.app_context():
        assert service.fitted_model() is state.fitted.model  # the request finds it read
    assert not make_config(database_url).MATCHING_PRELOAD  # tests read in the request


def test_a_need_published_after_the_training_is_in_a_matching_helpers_recommendations_at_once(
        app, users, make_need, skilled, signed_in):
    """No retraining: the fitted model folds the new need in from its public row and ranks it
    (the profile rules are not asked), for helpers on the board and for staff inviting helpers."""
    old = make_need(to="published")
    skilled("volunteer", skills=("tutoring",))
    service.retrain(app)
    service.refit_fallback(app)  # the worker's fallback, fitted before the new need too
    fresh = make_need(to="published")  # a minute later, same town, same category
    client = english(signed_in("volunteer"))
    section = client.get("/board").get_data(as_text=True)
    assert f"/board/{fresh}" in section and f"/board/{old}" in section
    with app.app_context():
        fitted = service.fitted_model()
        assert service.knows(fitted, need=str(fresh))  # ranked by the fitted model, not the fallback
        assert not service.knows(service.fallback_model(), need=str(fresh))
    with app.test_request_context(), db.new_session() as s:
        ranked = rules.for_you(s, s.get(User, users["volunteer"].id))
        assert {item.need.id for item in ranked} == {old, fresh}
        assert all(item.reasons for item in ranked)
        from portal.needs.models import Need

        staff = s.scalar(select(User).where(User.username == "county"))
        suggested = rules.suggested_helpers(s, staff, s.get(Need, fresh))
    assert [h.key for h in suggested] == [f"u{users['volunteer'].id}"]

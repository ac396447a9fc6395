"""The default model, the profile rules, saving and the fairness re-ranking on the small set."""

from __future__ import annotations

import hashlib
import hmac
import pickle
from dataclasses import replace

import numpy as np
import pytest

from matching import ProfileRules, TongxinModel, persist
from matching.base import Reason
from matching.data import load
from matching.explain import describe
from matching.fairness import ExposureReranker
from matching.persist import ModelFileError, save
from matching.persist import load as load_model


@pytest.fixture
def data(data_dir):
    return load(data_dir)


@pytest.fixture
def fitted(data):
    return TongxinModel(negatives=4).fit(data)


def test_a_newcomer_gets_tutoring_near_home_first(fitted, data):
    """NEW has no history: its profile (tutoring, 兰山街道) must put the education needs of its
    own town ahead of the counselling need in another town and the tuition need in another county."""
    ranked = [s.id for s in fitted.recommend_needs("NEW", k=10)]
    assert ranked[0].startswith(("N", "F"))
    assert ranked.index("P1") > max(ranked.index(n) for n in ranked if n.startswith("N") or n == "F1")
    for suggestion in fitted.recommend_needs("NEW", k=3):
        assert Reason("same_town") in suggestion.reasons and Reason("skill", "tutoring") in suggestion.reasons


def test_reasons_name_similar_needs_completed(fitted):
    [top] = [s for s in fitted.recommend_needs("H1", k=10) if s.id == "N6"]
    assert Reason("done_similar", 1) in top.reasons  # H1 delivered N1, an education need
    assert describe(top.reasons).startswith("同镇 · 课业辅导 · 已完成 1 个相似需求")
    assert "same town" in describe(top.reasons, "en")


def test_recommend_helpers_prefers_the_counsellor_for_counselling(fitted):
    ranked = [s.id for s in fitted.recommend_helpers("P1", k=5)]
    assert "H3" not in ranked  # H3 already claimed it
    fitted_ranked = [s.id for s in fitted.recommend_helpers("N6", k=6)]
    assert fitted_ranked.index("H5") > fitted_ranked.index("H1")  # H5 lives in another county


def test_money_needs_go_to_donors(fitted, data):
    ranked = [s.id for s in fitted.recommend_helpers("M1", k=6)]
    assert "H4" not in ranked  # already gave
    cold = ProfileRules().fit(data.with_interactions(np.zeros(len(data.inter_at), bool)))
    top = cold.recommend_needs("H4", k=1)[0]
    assert top.id == "M1" and Reason("money_need") in top.reasons


def test_profile_rules_work_without_any_history(data):
    cold = data.with_interactions(np.zeros(len(data.inter_at), bool))
    model = ProfileRules().fit(cold)
    top = model.recommend_needs("H3", k=1)[0]
    assert top.id == "P1" and Reason("same_town") in top.reasons
    # The default model with nothing to learn from uses its prior weights, to the same effect.
    prior = TongxinModel().fit(cold)
    assert not prior.learned_
    top = prior.recommend_needs("H3", k=1)[0]
    assert top.id == "P1" and Reason("same_town") in top.reasons


KEY = b"k" * 32


def test_a_viewed_need_stays_in_the_suggestions_a_dismissed_one_leaves(data):
    """Opening a need is not turning it down; "not interested" (and a claim) is."""
    from matching.data import EVENTS

    def with_event(event, need):
        extra = {"inter_helper": [data.helper_index["NEW"]], "inter_need": [data.need_index[need]],
                 "inter_event": [EVENTS.index(event)], "inter_at": [data.inter_at.max()], "inter_amount": [0]}
        return replace(data, **{name: np.concatenate([getattr(data, name), np.asarray(values).astype(
            getattr(data, name).dtype)]) for name, values in extra.items()})

    everything = {s.id for s in TongxinModel().fit(data).recommend_needs("NEW", k=20)}
    assert "N5" in everything
    viewed = TongxinModel().fit(with_event("view", "N5"))
    assert "N5" in {s.id for s in viewed.recommend_needs("NEW", k=20)}
    for refusal in ("dismiss", "claim"):
        refused = TongxinModel().fit(with_event(refusal, "N5"))
        assert "N5" not in {s.id for s in refused.recommend_needs("NEW", k=20)}, refusal


def test_saved_model_ranks_the_same(fitted, tmp_path):
    path = save(fitted, tmp_path / "model.bin", KEY)
    again = load_model(path, KEY)
    assert [s.id for s in again.recommend_needs("H2", k=5)] == [s.id for s in fitted.recommend_needs("H2", k=5)]
    assert not list(tmp_path.glob(".model.bin.*"))  # no temporary file left behind


def test_saved_arrays_are_memory_mapped_not_copied(fitted, tmp_path, monkeypatch):
    """The arrays are views of the file (shared between processes, paged in when used), not
    copies unpickled into each process."""
    monkeypatch.setattr("matching.persist.MIN_ARRAY_BYTES", 0)  # the test's model is tiny
    again = load_model(save(fitted, tmp_path / "model.bin", KEY), KEY)
    base = again.need_part_
    while getattr(base, "base", None) is not None:
        base = base.base
    if isinstance(base, memoryview):
        base = base.obj
    assert type(base).__name__ == "mmap"
    assert [s.id for s in again.recommend_needs("H2", k=5)] == [s.id for s in fitted.recommend_needs("H2", k=5)]


def test_a_file_of_another_version_is_refused_clearly(fitted, tmp_path):
    path = save(fitted, tmp_path / "model.bin", KEY)
    content = path.read_bytes()
    current = f'"version": {persist.VERSION}'.encode()
    head = content.index(current)
    old = content[:head] + b'"version": 0' + content[head + len(current) : -32]
    old += hmac.new(KEY, old, hashlib.sha256).digest()  # signed, but of another version
    (tmp_path / "old.bin").write_bytes(old)
    with pytest.raises(ModelFileError, match=f"version 0; this library reads version {persist.VERSION}"):
        load_model(tmp_path / "old.bin", KEY)
    (tmp_path / "junk.bin").write_bytes(b"not a model file at all, and long enough to have a signature")
    with pytest.raises(ModelFileError, match="not a model file"):
        load_model(tmp_path / "junk.bin", KEY)


class Boom:
    """Unpickling this runs code: what an attacker who can write the volume would put in a file."""

    def __reduce__(self):
        return (exec, ("import builtins; builtins.TONGXIN_PWNED = True",))


def test_an_unsigned_pickle_is_refused_before_it_runs(tmp_path):
    import builtins

    path = tmp_path / "model.bin"
    path.write_bytes(pickle.dumps({"format": "tongxin-matching-model", "version": 2, "model": Boom()}))
    with pytest.raises(ModelFileError):
        load_model(path, KEY)
    assert not hasattr(builtins, "TONGXIN_PWNED")


@pytest.mark.parametrize("where", ["header", "skeleton", "array", "signature"])
def test_an_altered_model_file_is_refused(fitted, tmp_path, where):
    path = save(fitted, tmp_path / "model.bin", KEY)
    content = bytearray(path.read_bytes())
    at = {"header": 20, "skeleton": content.index(b"matching.model"), "array": len(content) - 100,
          "signature": len(content) - 1}[where]
    content[at] ^= 0x01
    path.write_bytes(bytes(content))
    with pytest.raises(ModelFileError, match="not signed with this portal's key"):
        load_model(path, KEY)


def test_a_file_signed_with_another_key_is_refused(fitted, tmp_path):
    path = save(fitted, tmp_path / "model.bin", b"another key, another portal.....")
    with pytest.raises(ModelFileError, match="not signed"):
        load_model(path, KEY)


def test_fairness_spreads_exposure_over_helpers(fitted, data):
    """Shown to every helper in turn, the re-ranked lists cover more needs than the plain ones."""
    candidates = fitted.open_
    plain = set()
    for h in range(data.n_helpers):
        plain.update(fitted.rank_needs(h, candidates, k=2)[0].tolist())
    reranker = ExposureReranker(pool=10, exposure_weight=2.0)
    reranker.start(fitted, candidates)
    fair = set()
    for h in range(data.n_helpers):
        fair.update(reranker.rank(h, 2).tolist())
    assert len(fair) > len(plain)
    assert reranker.exposure.sum() == 2 * data.n_helpers


def test_the_fast_score_is_the_features_times_the_weights(data_dir):
    """score() sums precomputed parts; it must equal the plain features · weights for random
    pairs, one helper against every need and one need against every helper."""
    from matching.generate import generate

    generate(data_dir / "synthetic", scale="small", seed=3)
    data = load(data_dir / "synthetic")
    model = TongxinModel().fit(data)
    assert model.learned_
    rng = np.random.default_rng(0)
    cases = [
        (rng.integers(0, data.n_helpers, 500), rng.integers(0, data.n_needs, 500)),
        (np.full(data.n_needs, 7), np.arange(data.n_needs)),
        (np.arange(data.n_helpers), np.full(data.n_helpers, 11)),
        (np.array([model.state_.helper_count.argmin()] * 2000), rng.integers(0, data.n_needs, 2000)),  # cold
    ]
    for helpers, needs in cases:
        helpers, needs = helpers.astype(np.int32), needs.astype(np.int32)
        plain = model._features(helpers, needs) @ model.weights_ + model.bias_
        np.testing.assert_allclose(model.score(helpers, needs), plain, rtol=1e-4, atol=1e-4)


def test_reasons_never_call_a_need_urgent_or_name_an_unrelated_skill(data_dir):
    from matching.generate import generate

    generate(data_dir / "synthetic", scale="small", seed=5)
    data = load(data_dir / "synthetic")
    model = TongxinModel().fit(data)
    serving = {"education": {"tutoring", "arts", "sports"}, "psychological": {"counselling", "social_work"},
               "medical": {"medical"}, "necessities": {"goods_supply", "transport"},
               "companionship": {"companionship", "social_work", "arts", "sports"},
               "safety": {"legal_aid", "social_work"}}
    checked = 0
    for helper in data.helper_ids[:150]:
        for suggestion in model.recommend_needs(helper, k=10):
            need = data.need_index[suggestion.id]
            category = data.categories[data.need_category[need]]
            for reason in suggestion.reasons:
                checked += 1
                if reason.code == "urgent":
                    assert data.need_urgency[need] == 3
                if reason.code == "skill" and reason.value in {s for v in serving.values() for s in v}:
                    assert reason.value in serving.get(category, set()), (reason, category)
    assert checked > 500


def test_a_need_published_after_the_fit_is_folded_in_and_ranked_by_the_model(data):
    """No refit: the new need gets the features the model learned for needs newer than its cut
    (place, category, skills, text, kind, urgency), scored the same by the fast and the plain path."""
    model = TongxinModel().fit(data)
    created = float(data.inter_at.max()) + 3600
    added = model.add_needs([
        ("Z1", created, "education", "371302001001", 3, 0, 2, "数学辅导 作业"),
        ("Z2", created, "education", "999999999999", 3, 0, 2, "unknown region"),  # left for the profile rules
        ("N1", created, "education", "371302001001", 3, 0, 2, "already known"),
        ("Z3", "2025-03-30T09:00:00+08:00", "no such category", "371302001001", 1, 0, 1, ""),
    ])
    assert added == ["Z1"]
    assert "Z1" in {s.id for s in model.recommend_needs("NEW", k=5)}  # a maths tutor in the same town
    top = next(s for s in model.recommend_needs("H1", k=20) if s.id == "Z1")
    assert Reason("same_village") in top.reasons or Reason("same_town") in top.reasons
    need = model.data_.need_index["Z1"]
    helpers = np.arange(model.data_.n_helpers, dtype=np.int32)
    plain = model._features(helpers, np.full(len(helpers), need, np.int32)) @ model.weights_ + model.bias_
    np.testing.assert_allclose(model.score(helpers, np.full(len(helpers), need, np.int32)), plain, rtol=1e-4,
                               atol=1e-4)
    for helper in helpers:
        fast = model._score_for_helper(int(helper), np.arange(model.data_.n_needs, dtype=np.int32))
        assert fast[need] == pytest.approx(float(plain[helper]), abs=1e-4)
    assert {s.id for s in model.recommend_helpers("Z1", k=3)} <= set(model.data_.helper_ids)


def test_the_command_line_fits_signs_and_reads_back_and_refuses_an_altered_file(data_dir, tmp_path, capsys):
    from matching.__main__ import main

    model, key = tmp_path / "model.bin", tmp_path / "model.key"
    assert main(["fit", "--data", str(data_dir), "--out", str(model), "--key-file", str(key)]) == 0
    assert main(["recommend", "--data", str(data_dir), "--helper", "H2", "--model", str(model),
                 "--key-file", str(key)]) == 0
    assert "N" in capsys.readouterr().out
    content = bytearray(model.read_bytes())
    content[-40] ^= 1
    model.write_bytes(bytes(content))
    assert main(["recommend", "--data", str(data_dir), "--helper", "H2", "--model", str(model),
                 "--key-file", str(key)]) == 2
    assert "not signed with this portal's key" in capsys.readouterr().err
    assert main(["recommend", "--data", str(data_dir), "--helper", "H2", "--model", str(model),
                 "--key-file", str(tmp_path / "none.key")]) == 2
    assert "no key file" in capsys.readouterr().err


def test_no_need_the_helper_already_acted_on_is_learned_as_unwelcome(data_dir):
    """The weights are learned against needs the helper could be shown: a need they acted on
    before the training cut is never ranked for them, so it must not be drawn as a negative
    (it would teach that needs like the ones they took are unwelcome)."""
    from matching.generate import generate

    generate(data_dir / "synthetic", scale="small", seed=3)
    data = load(data_dir / "synthetic")
    model = TongxinModel().fit(data)
    helpers, needs, labels, _ = model._training_pairs(data)
    cut = float(np.quantile(data.inter_at, model.history_share))
    before = data.inter_at < cut
    touched = set(zip(data.inter_helper[before].tolist(), data.inter_need[before].tolist(), strict=True))
    negatives = labels == 0
    assert negatives.sum() > 1000
    drawn = set(zip(helpers[negatives].tolist(), needs[negatives].tolist(), strict=True))
    assert not drawn & touched


def test_the_item_to_item_part_is_bounded_and_costs_nothing_for_needs_without_history(data_dir):
    """EASE weights are kept for the busiest needs only, each with a bounded number of
    neighbours; a need nobody took, or one published after the fit, scores exactly zero there."""
    from matching.generate import generate

    generate(data_dir / "synthetic", scale="small", seed=3)
    data = load(data_dir / "synthetic")
    model = TongxinModel(ease_needs=500).fit(data)
    weights = model.state_._ease.right
    rows = np.diff(weights.indptr)
    assert 0 < (rows > 0).sum() <= 500 and rows.max() <= 100
    helper = int(model.state_.helper_count.argmax())
    untaken = np.flatnonzero(model.state_.need_count == 0).astype(np.int32)
    assert len(untaken) and not model.state_.ease(np.full(len(untaken), helper, np.int32), untaken).any()
    model.add_needs([("fresh-1", data.inter_at.max(), data.categories[0], data.regions.codes[-1], 2, 0, 1, "数学辅导")])
    fresh = np.array([data.need_index["fresh-1"]], np.int32)
    assert model.state_.ease(np.array([helper], np.int32), fresh)[0] == 0

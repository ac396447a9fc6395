"""The fitted model the portal ranks with: one file, trained by a periodic task, read by every process.

``MATCHING_MODEL`` names the file (default ``<instance>/matching/model.bin``; a volume shared by
the app servers and the worker, like the uploads). ``retrain`` exports the portal's data to a
temporary folder, fits the default model (on its prior weights when there is too little history to
learn from) and replaces the file atomically, so a process reading it sees the old model or the new
one, never half of one. Each process keeps the model it loaded and reads the file again when its
modification time changes. Without a usable file (none yet, or one that is unsigned, altered or of another version, which is
logged), and for helpers and needs it was not fitted on, the portal ranks with the profile rules
fitted on the board by the worker every ten minutes (``fallback.bin`` beside the model file, read
the same way): nothing is fitted in a request. Nothing here decides what a user may see: ``portal.matching.rules`` does. The library
(numpy, scikit-learn) is imported when first used, not when a process starts.
"""

from __future__ import annotations

import logging
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from flask import Flask, current_app

from portal import db
from portal.matching import export

log = logging.getLogger(__name__)

ASK_AGAIN_SECONDS = 60  # how often a process without a fallback file asks the worker for one
EXTENSION = "matching"


@dataclass
class _Loaded:
    stamp: tuple | None = None  # (mtime_ns, inode, size) of the file last read
    model: object | None = None  # the model read from it (None: the file was refused)
    loader: threading.Thread | None = None  # reading a new file in the background


@dataclass
class _State:
    lock: threading.Lock  # starting a loader
    read_lock: threading.Lock  # reading a file
    fold_lock: threading.Lock  # folding new needs into a model (never waits for a file being read)
    fitted: _Loaded
    fallback: _Loaded
    fallback_asked_at: float = 0.0  # when this process last asked the worker for a fallback file
    preloader: threading.Thread | None = None  # reading the files as the process starts


def _state(app: Flask) -> _State:
    state = app.extensions.get(EXTENSION)
    if state is None:
        state = app.extensions.setdefault(EXTENSION, _State(lock=threading.Lock(), read_lock=threading.Lock(),
                                                            fold_lock=threading.Lock(), fitted=_Loaded(),
                                                            fallback=_Loaded()))
    return state


def model_path(app: Flask | None = None) -> Path:
    return Path((app or current_app).config["MATCHING_MODEL"])


def fallback_path(app: Flask | None = None) -> Path:
    """The profile rules fitted on the live board, beside the model file (written by the worker)."""
    return model_path(app).with_name("fallback.bin")


def signing_key(app: Flask | None = None) -> bytes:
    """The key the model files are signed with: ``MATCHING_MODEL_KEY``, or one derived from
    ``SECRET_KEY`` for this purpose alone when it is not set."""
    import hashlib
    import hmac

    config = (app or current_app).config
    if config.get("MATCHING_MODEL_KEY"):
        return str(config["MATCHING_MODEL_KEY"]).encode()
    return hmac.new(str(config["SECRET_KEY"]).encode(), b"tongxin matching model file", hashlib.sha256).digest()


def _stamp(path: Path) -> tuple | None:
    try:
        info = path.stat()
    except FileNotFoundError:
        return None
    return info.st_mtime_ns, info.st_ino, info.st_size


def _read(state: _State, loaded: _Loaded, path: Path, check, key: bytes, background: bool = False):
    """The model of ``path``, read again when the file changed; None without a usable file. With
    ``background``, a changed file is read by a thread of its own while requests go on with the
    model read before (or, before the first, with the fallback): no request waits for a read."""
    stamp = _stamp(path)
    if stamp is None:
        return None
    if stamp == loaded.stamp:
        return loaded.model
    if background:
        with state.lock:
            if loaded.loader is None or not loaded.loader.is_alive():
                loaded.loader = threading.Thread(target=_load, args=(state, loaded, path, check, key),
                                                 name="matching-model-loader", daemon=True)
                loaded.loader.start()
        return loaded.model
    return _load(state, loaded, path, check, key)


def _load(state: _State, loaded: _Loaded, path: Path, check, key: bytes):
    stamp = _stamp(path)
    if stamp is None:
        return None
    with state.read_lock:
        if stamp != loaded.stamp:
            from matching import persist

            try:
                model = persist.load(path, key)
                check(model)
                model.warm()  # before a request needs it
            except Exception:  # unsigned, altered, another version, damaged: rank with the next model instead
                log.exception("matching: cannot use the model file %s", path)
                model = None
            loaded.model = model  # before the stamp: a reader that sees the new stamp gets this model
            loaded.stamp = stamp
        return loaded.model


def _check_fitted(model) -> None:
    from matching import persist

    if not hasattr(model, "recommend_needs") or not hasattr(model, "data_"):
        raise persist.ModelFileError("the file holds no fitted recommender")


def fitted_model():
    """The model of the file, read again when the file changed (in the background where
    ``MATCHING_LOAD_IN_BACKGROUND``: the model read before ranks meanwhile, or the fallback before
    the first); None without a usable file."""
    app = current_app._get_current_object()
    state = _state(app)
    return _read(state, state.fitted, model_path(app), _check_fitted, signing_key(app),
                 background=app.config.get("MATCHING_LOAD_IN_BACKGROUND", False))


def preload(app: Flask) -> threading.Thread:
    """Read the model and fallback files in a thread of its own as a process starts, so that the
    first requests do not pay for it (they rank with whatever is read by then)."""
    def run() -> None:
        state = _state(app)
        key = signing_key(app)
        for loaded, path in ((state.fallback, fallback_path(app)), (state.fitted, model_path(app))):
            _load(state, loaded, path, _check_fitted, key)

    thread = _state(app).preloader = threading.Thread(target=run, name="matching-preload", daemon=True)
    thread.start()
    return thread


def init_app(app: Flask) -> None:
    """With ``MATCHING_PRELOAD`` (app servers outside tests), start reading the model files now."""
    if app.config.get("MATCHING_PRELOAD"):
        preload(app)


def fallback_model():
    """The profile rules fitted on the needs on the board when the worker last fitted them (every
    ten minutes, ``tasks.refit_fallback``); None when there is none yet. Never fitted in a request:
    on a province that stalled a worker for seconds (issue 22). A process that finds no file asks
    the worker for one, at most once a minute (in immediate mode, as in tests, it is fitted there
    and then)."""
    app = current_app._get_current_object()
    state, path = _state(app), fallback_path(app)
    if _stamp(path) is None and time.monotonic() - state.fallback_asked_at >= ASK_AGAIN_SECONDS:
        state.fallback_asked_at = time.monotonic()
        from portal.matching import tasks

        tasks.fit_fallback()
    return _read(state, state.fallback, path, _check_fitted, signing_key(app))


def refit_fallback(app: Flask | None = None) -> dict:
    """Fit the profile rules on the board now and atomically replace the fallback file."""
    from matching import persist

    app = app or current_app._get_current_object()
    path = fallback_path(app)
    with app.app_context():
        model = _fit_fallback()
    if model is None:
        path.unlink(missing_ok=True)
        return {"model": None, "path": str(path)}
    path.parent.mkdir(parents=True, exist_ok=True)
    persist.save(model, path, signing_key(app))
    return {"model": model.name, "path": str(path)}


def _fit_fallback():
    import matching

    session = db.new_session()
    try:
        with tempfile.TemporaryDirectory(prefix="tongxin-matching-") as folder:
            export.export(session, folder, open_only=True)
            data = matching.load(folder)
    finally:
        session.close()
    if not data.n_needs or not data.n_helpers:
        return None
    return matching.ProfileRules().fit(data)


def models():
    """The models to ask, in order: the fitted one (if any), then the fallback."""
    fitted = fitted_model()
    if fitted is not None:
        yield fitted
    yield fallback_model()


def knows(model, *, helper: str | None = None, need: str | None = None) -> bool:
    data = getattr(model, "data_", None)
    if data is None:
        return False
    return (helper is None or helper in data.helper_index) and (need is None or need in data.need_index)


def fold_in_fresh(session, model, need_ids: list[str]) -> None:
    """Needs published since ``model`` was fitted, folded into it (this process's copy) from their
    public rows, so that the model ranks them at once instead of the fallback until the next
    training. Models that cannot (the profile rules) are left as they are."""
    if not hasattr(model, "add_needs"):
        return
    index = model.data_.need_index
    fresh = [int(n) for n in need_ids if n not in index and n.isdigit()]
    if not fresh:
        return
    rows = export.fresh_need_rows(session, fresh)
    state = _state(current_app._get_current_object())
    with state.fold_lock:  # one writer at a time; rankings running meanwhile see the needs appear
        model.add_needs(rows)


def ranking_model(candidates: list[str], *, helper: str | None = None, need: str | None = None, session=None):
    """(model, the candidates it knows): the first model — the fitted one, then the fallback — that
    knows ``helper`` (candidates are needs) or ``need`` (candidates are helpers) and at least one
    candidate. With ``session``, needs published since the fitted model's training are folded into
    it first (``fold_in_fresh``). A helper who came after the last training is ranked by the
    fallback. (None, []) when no model does."""
    for model in models():
        if model is not None and session is not None:
            fold_in_fresh(session, model, list(candidates) if helper is not None else [need])
        if model is None or not knows(model, helper=helper, need=need):
            continue
        index = model.data_.need_index if helper is not None else model.data_.helper_index
        known = [c for c in candidates if c in index]
        if known:
            return model, known
    return None, []


def newcomer_model():
    """The first model that ranks a helper it was not fitted on from their profile alone (the
    profile rules), or None: a helper who registered after the last fit is served at once, with
    nothing fitted for them in the request."""
    for model in models():
        if model is not None and hasattr(model, "recommend_newcomer"):
            return model
    return None


def forget(app: Flask | None = None) -> None:
    """Drop what this process keeps (tests; after replacing the file by hand)."""
    app = app or current_app._get_current_object()
    app.extensions.pop(EXTENSION, None)


# --- training ----------------------------------------------------------------------------------------


def retrain(app: Flask | None = None) -> dict:
    """Export, fit and atomically replace the model file; what was done, for the log and the CLI."""
    import matching
    from matching import persist

    app = app or current_app._get_current_object()
    path = model_path(app)
    with app.app_context():
        session = db.new_session()
        try:
            with tempfile.TemporaryDirectory(prefix="tongxin-matching-") as folder:
                done = export.export(session, folder)
                data = matching.load(folder)
        finally:
            session.close()
    summary = {"needs": data.n_needs, "helpers": data.n_helpers, "interactions": len(data.inter_at),
               "path": str(path)}
    if not data.n_needs or not data.n_helpers:
        log.info("matching: nothing to train on (%s)", done.counts)
        return {**summary, "model": None}
    # With too little history to learn from, the default model ranks with its prior weights.
    model = matching.TongxinModel().fit(data)
    persist.save(model, path, signing_key(app))
    log.info("matching: %s model (%s weights) saved to %s (%s)", model.name,
             "learned" if model.learned_ else "prior", path, done.counts)
    return {**summary, "model": model.name}

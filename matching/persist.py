"""Fitted models as versioned files.

A file is a pickle of ``{"format": FORMAT, "version": VERSION, "model": …}``. ``VERSION`` changes
whenever a fitted model's attributes change shape; a file of another version is refused with a
clear error rather than failing later, deep inside a ranking. Pickles run code when loaded: load
only files this library wrote (the portal's own model folder).
"""

from __future__ import annotations

import os
import pickle
import tempfile
from pathlib import Path

import numpy as np
import sklearn

from matching.base import Recommender

FORMAT = "tongxin-matching-model"
VERSION = 1


class ModelFileError(ValueError):
    """The file is not a model of this library, or of an incompatible version."""


def save(model: Recommender, path: str | os.PathLike) -> Path:
    """Write ``model`` to ``path`` atomically: readers see the old file or the new one, never half."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = {"format": FORMAT, "version": VERSION, "numpy": np.__version__, "sklearn": sklearn.__version__,
               "name": model.name, "model": model}
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "wb") as out:
            pickle.dump(payload, out, protocol=pickle.HIGHEST_PROTOCOL)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def load(path: str | os.PathLike) -> Recommender:
    try:
        with open(path, "rb") as handle:
            payload = pickle.load(handle)
    except (pickle.UnpicklingError, EOFError, AttributeError, ModuleNotFoundError) as error:
        raise ModelFileError(f"{path} is not a model file of this library ({error})") from error
    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        raise ModelFileError(f"{path} is not a model file of this library")
    if payload.get("version") != VERSION:
        raise ModelFileError(
            f"{path} holds a model of file version {payload.get('version')}; this library reads version "
            f"{VERSION}. Fit the model again (python -m matching fit)."
        )
    return payload["model"]

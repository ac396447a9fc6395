"""Fitted models as signed, versioned files whose arrays are memory-mapped on load.

A file is::

    MAGIC (16 bytes) | header length (8 bytes, little-endian) | header (JSON)
    | skeleton (a pickle of everything but the large arrays) | the large arrays, raw, 64-byte aligned
    | HMAC-SHA256 of all that (32 bytes)

The header names the format, its ``VERSION`` (changed whenever a fitted model's attributes change
shape), the library versions, and each array's offset, dtype and shape. Loading checks the HMAC
with the caller's key *before* anything is unpickled: a pickle runs code when loaded, so a file
that was not written with the key (unsigned, altered, or another key's) is refused with
:class:`ModelFileError` and never read further. The arrays are not copied: they are views of a
private (copy-on-write) memory map of the file, so loading a province's model costs the time to
read its bytes once for the HMAC, and processes reading the same file share its pages.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import mmap
import os
import pickle
import struct
import tempfile
from pathlib import Path

import numpy as np
import sklearn

from matching.base import Recommender

FORMAT = "tongxin-matching-model"
VERSION = 3
MAGIC = b"TONGXIN-MODEL\x00\x02\n"
ALIGN = 64
MIN_ARRAY_BYTES = 1024  # smaller arrays stay in the skeleton
DIGEST = 32


class ModelFileError(ValueError):
    """The file is not a model of this library, of an incompatible version, or not signed with
    this key."""


def _key(key: bytes | str) -> bytes:
    key = key.encode() if isinstance(key, str) else bytes(key)
    if len(key) < 16:
        raise ValueError("the model file's signing key must be at least 16 bytes long")
    return key


class _Pickler(pickle.Pickler):
    """Pickles the skeleton; large numeric arrays are set aside and referenced by number."""

    def __init__(self, file, arrays: list[np.ndarray]):
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self.arrays = arrays
        self.seen: dict[int, int] = {}

    def persistent_id(self, obj):
        if type(obj) is np.ndarray or isinstance(obj, np.memmap):
            if obj.dtype.hasobject or obj.nbytes < MIN_ARRAY_BYTES:
                return None
            number = self.seen.get(id(obj))
            if number is None:
                number = self.seen[id(obj)] = len(self.arrays)
                self.arrays.append(obj)
            return ("array", number)
        return None


class _Unpickler(pickle.Unpickler):
    def __init__(self, file, arrays):
        super().__init__(file)
        self.arrays = arrays

    def persistent_load(self, pid):
        kind, number = pid
        if kind != "array":
            raise pickle.UnpicklingError(f"unknown reference {kind!r}")
        return self.arrays[number]


def save(model: Recommender, path: str | os.PathLike, key: bytes | str) -> Path:
    """Write ``model`` to ``path``, signed with ``key``, atomically: readers see the old file or
    the new one, never half."""
    key = _key(key)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    arrays: list[np.ndarray] = []
    skeleton = io.BytesIO()
    _Pickler(skeleton, arrays).dump(model)
    skeleton = skeleton.getvalue()
    layout = []
    header = {"format": FORMAT, "version": VERSION, "numpy": np.__version__, "sklearn": sklearn.__version__,
              "name": model.name, "skeleton": len(skeleton), "arrays": layout}
    # Offsets are counted from the end of the header, which does not know its own length yet.
    offset = len(skeleton)
    for array in arrays:
        offset += -offset % ALIGN
        layout.append({"offset": offset, "dtype": array.dtype.str, "shape": list(array.shape)})
        offset += array.nbytes
    head = json.dumps(header).encode()
    head += b" " * (-(len(MAGIC) + 8 + len(head)) % ALIGN)  # the arrays start aligned in the file
    signer = hmac.new(key, digestmod=hashlib.sha256)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "wb") as out:
            def write(chunk) -> None:
                signer.update(chunk)
                out.write(chunk)

            write(MAGIC + struct.pack("<Q", len(head)) + head)
            write(skeleton)
            position = len(skeleton)
            for array, place in zip(arrays, layout, strict=True):
                write(b"\x00" * (place["offset"] - position))
                write(memoryview(np.ascontiguousarray(array)).cast("B"))
                position = place["offset"] + array.nbytes
            out.write(signer.digest())
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def load(path: str | os.PathLike, key: bytes | str) -> Recommender:
    """The model of ``path``, after checking that it was signed with ``key``."""
    key = _key(key)
    with open(path, "rb") as handle:
        size = os.fstat(handle.fileno()).st_size
        if size < len(MAGIC) + 8 + DIGEST:
            raise ModelFileError(f"{path} is not a model file of this library")
        mapped = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_COPY)
    body = memoryview(mapped)[: size - DIGEST]
    if bytes(mapped[: len(MAGIC)]) != MAGIC:
        body.release()
        raise ModelFileError(f"{path} is not a model file of this library (unsigned or of an older format)")
    expected = hmac.new(key, body, hashlib.sha256).digest()
    if not hmac.compare_digest(expected, bytes(mapped[size - DIGEST :])):
        body.release()
        raise ModelFileError(f"{path} is not signed with this portal's key (altered, or written elsewhere): refused")
    (length,) = struct.unpack("<Q", mapped[len(MAGIC) : len(MAGIC) + 8])
    start = len(MAGIC) + 8 + length
    header = json.loads(bytes(mapped[len(MAGIC) + 8 : start]))
    if header.get("format") != FORMAT:
        raise ModelFileError(f"{path} is not a model file of this library")
    if header.get("version") != VERSION:
        raise ModelFileError(
            f"{path} holds a model of file version {header.get('version')}; this library reads version "
            f"{VERSION}. Fit the model again (python -m matching fit)."
        )
    arrays = []
    for place in header["arrays"]:
        dtype = np.dtype(place["dtype"])
        count = int(np.prod(place["shape"], dtype=np.int64))
        arrays.append(np.frombuffer(mapped, dtype=dtype, count=count, offset=start + place["offset"])
                      .reshape(place["shape"]))
    skeleton = bytes(mapped[start : start + header["skeleton"]])
    body.release()
    model = _Unpickler(io.BytesIO(skeleton), arrays).load()
    if not isinstance(model, Recommender):
        raise ModelFileError(f"{path} holds no recommender")
    return model


def new_key() -> bytes:
    """A fresh random signing key."""
    return os.urandom(32)


def read_key_file(path: str | os.PathLike, create: bool = False) -> bytes:
    """The signing key kept in ``path`` (hex); with ``create``, a new one is written there first
    if the file does not exist (readable by its owner only)."""
    path = Path(path)
    if not create and not path.exists():
        raise ModelFileError(f"no key file {path}: the key the model file was signed with (python -m matching fit "
                             f"--key-file)")
    if create and not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as out:
            out.write(new_key().hex())
    return bytes.fromhex(path.read_text().strip())

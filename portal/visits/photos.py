"""Evidence photos of visits: checked by what they contain, re-encoded without metadata, stored
under random names.

A photo taken on a phone carries where it was taken (EXIF GPS), when, and with which device; DESIGN.md
§2 says evidence photos lose their location on upload. Rather than strip the blocks we know of, every
upload is decoded and encoded afresh as a JPEG from its pixels alone, so nothing else of the original
file survives. A file that is not really a JPEG, PNG or WebP image (an SVG or an HTML page renamed
``.jpg``) never decodes, whatever its name or the content type the browser claims, and is refused.

Every upload of a visit is checked and re-encoded in memory before any file is written, so one bad
photo refuses the whole visit. Files are written only once the visit passes its own rules, and are
removed again if the database transaction that records them does not commit (``photo_store``).
"""

from __future__ import annotations

import io
import logging
import os
import secrets
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from flask_babel import lazy_gettext as _l
from PIL import Image, ImageCms, ImageOps
from werkzeug.security import safe_join

from portal.errors import DomainError

log = logging.getLogger(__name__)

MAX_PHOTOS = 5
MB = 1024 * 1024
MAX_BYTES = 10 * MB
# Decoding costs memory by pixels, not bytes: a small PNG can unpack to gigabytes. JPEGs are decoded
# at a reduced scale first (``draft``), so large phone photos stay well under this.
MAX_PIXELS = 80_000_000
MAX_SIDE = 2000  # longest side kept: enough to read a document or see a room
JPEG_QUALITY = 85
ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP")  # MPO (phones' multi-picture JPEG) opens as JPEG
CONTENT_TYPE = "image/jpeg"
SUBFOLDER = "visit-photos"
_SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


class PhotoRefused(DomainError):
    """An upload that is not an acceptable photo; nothing of the visit is saved."""

    def __init__(self, message):
        super().__init__(message, field="photos")


class PhotoNotStored(DomainError):
    """The upload folder refused a write (full, missing, read-only); nothing of the visit is saved."""

    status = 503

    def __init__(self, message):
        super().__init__(message, field="photos")


@dataclass(frozen=True)
class Upload:
    """A file as the browser sent it: the name is only ever shown back to the user."""

    filename: str
    stream: IO[bytes]


@dataclass(frozen=True)
class CleanPhoto:
    """A photo re-encoded from its pixels: no EXIF, GPS, XMP, ICC profile or comment."""

    data: bytes
    width: int
    height: int
    content_type: str = CONTENT_TYPE


def clean_photos(uploads: Sequence[Upload]) -> list[CleanPhoto]:
    """Check and re-encode every upload of one visit.

    Refuses more than ``MAX_PHOTOS`` uploads, and all of them if any one is empty, larger than
    ``MAX_BYTES``, too many pixels to decode, or not a JPEG, PNG or WebP image by its content.
    """
    if len(uploads) > MAX_PHOTOS:
        raise PhotoRefused(_l("Attach at most %(n)d photos to one visit. Nothing was saved.", n=MAX_PHOTOS))
    return [clean_photo(upload) for upload in uploads]


def clean_photo(upload: Upload) -> CleanPhoto:
    """One upload decoded, turned upright, shrunk to ``MAX_SIDE`` and re-encoded as a JPEG."""
    name = _shown_name(upload.filename)
    data = upload.stream.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise PhotoRefused(_l("%(name)s is larger than %(mb)d MB. Nothing was saved.", name=name, mb=MAX_BYTES // MB))
    if not data:
        raise PhotoRefused(_l("%(name)s is empty. Nothing was saved.", name=name))
    try:
        image = _decode(data)
        if image is None:
            raise PhotoRefused(_l("%(name)s has too many pixels to process. Nothing was saved.", name=name))
        return _reencode(image)
    except PhotoRefused:
        raise
    except Exception:  # any failure to decode untrusted bytes means "not a photo"
        raise PhotoRefused(
            _l("%(name)s is not a JPEG, PNG or WebP photo. Nothing was saved.", name=name)
        ) from None


def _shown_name(filename: str) -> str:
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    return (name[:60] + "…") if len(name) > 60 else (name or "?")


def _decode(data: bytes) -> Image.Image | None:
    """The decoded image, or None when it has more pixels than we decode."""
    try:
        image = Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS)
    except Image.DecompressionBombError:
        return None
    image.draft("RGB", (MAX_SIDE, MAX_SIDE))  # JPEG only: decode at 1/2, 1/4 or 1/8 scale when it fits
    if image.width * image.height > MAX_PIXELS:
        return None
    image.load()
    return image


def _reencode(image: Image.Image) -> CleanPhoto:
    # The orientation lives in EXIF, which is dropped: apply it to the pixels first.
    image = ImageOps.exif_transpose(image)
    image = _to_srgb(image)
    image = _flatten(image)
    image.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    image.info = {}  # Pillow carries some blocks (the JPEG comment) from ``info`` into the new file
    out = io.BytesIO()
    image.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)
    return CleanPhoto(data=out.getvalue(), width=image.width, height=image.height)


def _to_srgb(image: Image.Image) -> Image.Image:
    """Colours converted from the photo's own profile (e.g. a phone's Display P3) to sRGB, which
    every viewer assumes once the profile is gone."""
    icc = image.info.get("icc_profile")
    if not icc or image.mode not in ("RGB", "RGBA", "CMYK"):
        return image
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        return ImageCms.profileToProfile(image, source, _SRGB, outputMode="RGBA" if image.mode == "RGBA" else "RGB")
    except (ImageCms.PyCMSError, OSError, ValueError):
        return image  # a broken profile: keep the colours as they are


def _flatten(image: Image.Image) -> Image.Image:
    """An RGB image; transparent parts become white (JPEG has no transparency)."""
    if image.mode in ("I;16", "I;16B", "I;16L", "I"):
        image = image.point(lambda v: v / 256).convert("L")
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, "white")
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB")


# --- storage -----------------------------------------------------------------------------------


class PhotoStore:
    """Writes photos under ``folder`` with random names and remembers them, so that a visit that
    is not recorded after all leaves no file behind (``discard``)."""

    def __init__(self, folder: str | os.PathLike, subfolder: str = SUBFOLDER):
        self.folder = Path(folder)
        self.subfolder = subfolder
        self.written: list[Path] = []

    def write(self, photo: CleanPhoto) -> str:
        """Store ``photo``; return its path relative to the folder (what the database keeps)."""
        relative = f"{self.subfolder}/{secrets.token_hex(16)}.jpg"
        target = self.folder / relative
        try:
            target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            # "x": never overwrite; remembered as soon as it exists, so a half-written file goes too.
            with open(target, "xb") as out:
                self.written.append(target)
                out.write(photo.data)
                out.flush()
                os.fsync(out.fileno())  # on disk before the database says it is there
        except OSError:
            log.exception("could not store a visit photo in %s", self.folder)
            raise PhotoNotStored(_l("The photos could not be stored. Nothing was saved; try again later.")) from None
        return relative

    def discard(self) -> None:
        """Remove every file written through this store."""
        for path in self.written:
            try:
                path.unlink(missing_ok=True)
            except OSError:
                log.exception("could not remove %s of a visit that was not saved", path)
        self.written.clear()


@contextmanager
def photo_store(folder: str | os.PathLike, subfolder: str = SUBFOLDER) -> Iterator[PhotoStore]:
    """A store whose files are removed if the block raises.

    End the block with the commit of the transaction that records the files: a write that fails
    leaves nothing recorded (the exception skips the commit), and a commit that fails leaves no file.
    """
    store = PhotoStore(folder, subfolder)
    try:
        yield store
    except BaseException:
        store.discard()
        raise


def file_path(folder: str | os.PathLike, relative: str) -> Path | None:
    """Where a stored photo lies, or None if ``relative`` would leave the folder."""
    joined = safe_join(os.fspath(folder), relative)
    return Path(joined) if joined else None


THUMBNAIL_SIDE = 192  # twice the 96 × 72 the pages show: sharp on a phone's screen
THUMBNAIL_QUALITY = 80
THUMBNAIL_SUFFIX = ".thumb.jpg"


def thumbnail_of(folder: str | os.PathLike, relative: str) -> str | None:
    """The stored path of a small JPEG of the stored photo ``relative``: made from it the first time
    it is asked for and kept beside it, so a page of thumbnails never sends the full photos. None
    when the photo is missing; the photo itself when no thumbnail can be written (the folder full
    or read-only): the page still shows it, only larger.

    Stored photos were already checked and re-encoded on upload, so decoding them here is safe.
    Two requests making the same thumbnail at once each write their own file and rename it into
    place: the last rename wins, and both are whole thumbnails."""
    source = file_path(folder, relative)
    if source is None or not source.is_file():
        return None
    thumb = relative.removesuffix(".jpg") + THUMBNAIL_SUFFIX
    target = file_path(folder, thumb)
    if target is None:
        return relative
    if target.is_file():
        return thumb
    partial = target.with_name(f".{target.name}.{secrets.token_hex(8)}.part")
    try:
        with Image.open(source) as image:
            image.draft("RGB", (THUMBNAIL_SIDE, THUMBNAIL_SIDE))  # decode a large JPEG at a fraction of its size
            small = image.convert("RGB")
        small.thumbnail((THUMBNAIL_SIDE, THUMBNAIL_SIDE), Image.Resampling.LANCZOS)
        out = io.BytesIO()
        small.save(out, "JPEG", quality=THUMBNAIL_QUALITY, optimize=True)
        with open(partial, "xb") as written:
            written.write(out.getvalue())
        os.replace(partial, target)
    except (OSError, ValueError, Image.DecompressionBombError):
        log.exception("could not make a thumbnail of %s", relative)
        partial.unlink(missing_ok=True)
        return relative
    return thumb


def send_private(folder: str | os.PathLike, relative: str | None, download_name: str | None = None):
    """A stored photo as a response that no shared browser or proxy keeps (404 when missing).

    Call it only after the reader's access has been checked and the read audited.
    """
    from flask import abort, send_file

    path = file_path(folder, relative) if relative else None
    if path is None or not path.is_file():
        if relative:
            log.error("stored photo %s is missing", relative)
        abort(404)
    response = send_file(path, mimetype=CONTENT_TYPE, download_name=download_name, conditional=False, etag=False)
    # A child's photo must not stay in a shared browser's or a proxy's cache.
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response

"""A real data set in the exchange format: MovieLens 100K, as shipped inside a PyPI package.

Data set
    MovieLens 100K (ML-100K): 100,000 ratings (1–5 stars, each with a Unix timestamp) by 943 users
    on 1,682 movies, collected on movielens.umn.edu from 1997-09-20 to 1998-04-22 (UTC); every user rated
    at least 20 movies. Users come with age, gender, occupation and ZIP code; movies with title,
    release year and genres.
Package
    ``recbole==1.2.1`` on PyPI (RUCAIBox/RecBole, MIT licence for its code). Its pure-Python wheel
    holds the data set as RecBole "atomic files" under
    ``recbole/dataset_example/ml-100k/`` (``ml-100k.inter``, ``.item``, ``.user``; tab-separated,
    UTF-8, a ``name:type`` header). Nothing is downloaded at run time. Install it **without** its
    dependencies (torch, ray, tensorboard …), which this module never imports::

        .venv/bin/pip install --no-deps recbole==1.2.1

    Or point ``TONGXIN_ML100K_DIR`` at any folder holding those three files.
Licence and citation
    GroupLens Research, University of Minnesota. Research use only; no commercial or
    revenue-bearing use, no implied endorsement, and no redistribution without separate permission
    from GroupLens — so convert at run time into a scratch folder and never commit the output.
    Cite: F. Maxwell Harper and Joseph A. Konstan. 2015. The MovieLens Datasets: History and
    Context. ACM TiiS 5(4), Article 19. https://doi.org/10.1145/2827872

Mapping (movie → need, user → helper, rating → interaction)
    ==================  =====================================================================
    regions.csv         one root ``ml`` (province, "MovieLens 100K"); under it the first digit of
                        a US ZIP code ``ml-us9`` (city, "US ZIP 9xxxx") and its first three
                        digits ``ml-us941`` (county, "US ZIP 941xx"); Canadian postal codes go to
                        ``ml-ca`` (city) / ``ml-ca-t8h`` (county, the forward sortation area);
                        anything else to ``ml-other`` (city)
    need_id             ``m<movie id>``
    created_at          the movie's first rating (when it appeared on MovieLens), ISO 8601 UTC
    category            the movie's first genre as listed (ML-100K's fixed genre order, so
                        "Action" wins over "Comedy"); ``unknown`` when none
    region_code         ``ml`` for every movie (a film has no place)
    urgency / amount    2 / 0 (not money)
    slots               1,000,000 (a movie never fills)
    text                "<title> (<year>) <genre> <genre> …"
    helper_id           ``u<user id>``
    kind                volunteer
    region_code         the user's ZIP leaf (county level) from the tree above
    skills              the user's occupation (one of 21 words, e.g. ``technician``)
    text                "<occupation> <male|female> age <age>"
    capacity            0 (unknown)
    event               5★ deliver, 4★ claim, 3★ view, 2★ withdraw, 1★ dispute: an ordinal
                        mapping onto the event weights (deliver > claim > view > withdraw >
                        dispute); claim and deliver are the positives. Slots never fill, so the
                        withdrawals (which free a place) change no availability.
    at / amount_fen     the rating's timestamp in ISO 8601 UTC / 0
    ==================  =====================================================================
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import os
import sys
import time
from collections import Counter
from pathlib import Path

from matching.data import COLUMNS, LEVELS, format_time, write

PACKAGE = "recbole"
VERSION = "1.2.1"
ENV_DIR = "TONGXIN_ML100K_DIR"
SUBDIR = ("dataset_example", "ml-100k")
FILES = ("ml-100k.inter", "ml-100k.item", "ml-100k.user")
# The files of recbole 1.2.1, so a different copy is noticed (see :func:`verify`).
SHA256 = {
    "ml-100k.inter": "4edb74e2a81178c2ba9ff381495f754f996c4aea351b1272ca36b43da0935eff",
    "ml-100k.item": "51d7cdf777ce5c0f5b32c1d947a4a81fe07d75e78abbe761e0cd4d0756064532",
    "ml-100k.user": "4f670007d9cfbeb9807e757209af1555b9bcc186bde25e767f67cb67c6dd5972",
}
INSTALL_HINT = (
    f"MovieLens 100K ships inside the PyPI package {PACKAGE}=={VERSION} "
    f"({PACKAGE}/{'/'.join(SUBDIR)}/). Install it without its heavy dependencies: "
    f"`.venv/bin/pip install --no-deps {PACKAGE}=={VERSION}`; "
    f"or set {ENV_DIR} to a folder holding {', '.join(FILES)}."
)

EVENT_FOR_RATING = {5: "deliver", 4: "claim", 3: "view", 2: "withdraw", 1: "dispute"}
ROOT = "ml"
SLOTS = 1_000_000
URGENCY = 2


def _complete(folder: Path) -> bool:
    return all((folder / name).is_file() for name in FILES)


def find_source() -> Path:
    """The folder holding ML-100K's three atomic files: ``$TONGXIN_ML100K_DIR`` if set, else the
    installed ``recbole`` package (located without importing it, so its dependencies may be absent).
    Raises FileNotFoundError saying what to install."""
    override = os.environ.get(ENV_DIR)
    if override:
        folder = Path(override)
        if _complete(folder):
            return folder
        raise FileNotFoundError(f"{ENV_DIR}={override} lacks one of {', '.join(FILES)}. {INSTALL_HINT}")
    candidates: list[Path] = []
    try:
        spec = importlib.util.find_spec(PACKAGE)  # a top-level spec: the package is not executed
    except (ImportError, ValueError):
        spec = None
    if spec is not None and spec.submodule_search_locations:
        candidates += [Path(p).joinpath(*SUBDIR) for p in spec.submodule_search_locations]
    try:
        candidates.append(Path(importlib.metadata.distribution(PACKAGE).locate_file(PACKAGE)).joinpath(*SUBDIR))
    except importlib.metadata.PackageNotFoundError:
        pass
    for folder in candidates:
        if _complete(folder):
            return folder
    raise FileNotFoundError(INSTALL_HINT)


def installed_version() -> str | None:
    try:
        return importlib.metadata.version(PACKAGE)
    except importlib.metadata.PackageNotFoundError:
        return None


def verify(source: str | os.PathLike | None = None) -> bool:
    """Whether the source files are byte for byte those of recbole 1.2.1."""
    folder = Path(source) if source is not None else find_source()
    return all(hashlib.sha256((folder / n).read_bytes()).hexdigest() == digest for n, digest in SHA256.items())


def _atomic(path: Path) -> list[list[str]]:
    """Rows of a RecBole atomic file (tab-separated, ``name:type`` header dropped)."""
    with open(path, encoding="utf-8", newline="") as handle:
        lines = handle.read().splitlines()
    return [line.split("\t") for line in lines[1:] if line.strip()]


def region_of_zip(zip_code: str) -> list[tuple[str, str, str, str]]:
    """The region rows from the root's child down to the leaf for one postal code (leaf last)."""
    code = zip_code.strip().upper()
    if len(code) == 5 and code.isdigit():
        return [
            (f"{ROOT}-us{code[0]}", ROOT, "city", f"US ZIP {code[0]}xxxx"),
            (f"{ROOT}-us{code[:3]}", f"{ROOT}-us{code[0]}", "county", f"US ZIP {code[:3]}xx"),
        ]
    if len(code) >= 3 and code[0].isalpha() and code[1].isdigit() and code[2].isalpha():
        return [
            (f"{ROOT}-ca", ROOT, "city", "Canada"),
            (f"{ROOT}-ca-{code[:3].lower()}", f"{ROOT}-ca", "county", f"Canada {code[:3]}"),
        ]
    return [(f"{ROOT}-other", ROOT, "city", "other postal code")]


def convert(out_dir: str | os.PathLike, source: str | os.PathLike | None = None) -> dict:
    """Write regions.csv, needs.csv, helpers.csv and interactions.csv for ML-100K into ``out_dir``
    and return the counts (rows per file, events by type, the time span, seconds taken)."""
    started = time.perf_counter()
    folder = Path(source) if source is not None else find_source()
    ratings = [(int(u), int(i), int(float(r)), int(float(t))) for u, i, r, t, *_ in _atomic(folder / FILES[0])]
    items = _atomic(folder / FILES[1])
    users = _atomic(folder / FILES[2])

    first_seen: dict[int, int] = {}
    for _user, item, _rating, at in ratings:
        if item not in first_seen or at < first_seen[item]:
            first_seen[item] = at
    start = min(first_seen.values())

    regions: dict[str, tuple[str, str, str, str]] = {ROOT: (ROOT, "", "province", "MovieLens 100K")}
    helpers = []
    for user_id, age, gender, occupation, zip_code, *_ in sorted(users, key=lambda row: int(row[0])):
        chain = region_of_zip(zip_code)
        for row in chain:
            regions.setdefault(row[0], row)
        sex = {"M": "male", "F": "female"}.get(gender.strip().upper(), gender.strip())
        helpers.append((f"u{int(user_id)}", "volunteer", chain[-1][0], occupation.strip(),
                        f"{occupation.strip()} {sex} age {age.strip()}", 0))

    needs = []
    for item_id, title, year, genres, *_ in sorted(items, key=lambda row: int(row[0])):
        item = int(item_id)
        genre_list = genres.split()
        title, year = title.strip(), year.strip()
        if title.lower() in {"unknown", "unkonwn"}:  # ML-100K's one movie with no title
            title = "unknown"
        label = f"{title} ({year})" if len(year) == 4 and year.isdigit() else title
        needs.append((f"m{item}", format_time(first_seen.get(item, start)), genre_list[0] if genre_list else "unknown",
                      ROOT, URGENCY, 0, SLOTS, " ".join([label, *genre_list])))

    ratings.sort(key=lambda row: (row[3], row[0], row[1]))
    interactions = [(f"u{u}", f"m{i}", EVENT_FOR_RATING[r], format_time(t), 0) for u, i, r, t in ratings]

    rows = {
        "regions.csv": sorted(regions.values(), key=lambda row: (LEVELS.index(row[2]), row[0])),
        "needs.csv": needs,
        "helpers.csv": helpers,
        "interactions.csv": interactions,
    }
    for name, table in rows.items():
        assert all(len(row) == len(COLUMNS[name]) for row in table), name
    write(out_dir, rows)
    return {
        "source": str(folder),
        "package": f"{PACKAGE}=={installed_version() or '?'}",
        "regions": len(rows["regions.csv"]),
        "needs": len(needs),
        "helpers": len(helpers),
        "interactions": len(interactions),
        "events": dict(Counter(row[2] for row in interactions)),
        "first_at": interactions[0][3] if interactions else None,
        "last_at": interactions[-1][3] if interactions else None,
        "seconds": round(time.perf_counter() - started, 3),
    }


def main(argv: list[str] | None = None) -> int:
    """``python -m matching.real OUT_DIR``: convert ML-100K into OUT_DIR and print the counts."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m matching.real OUT_DIR", file=sys.stderr)
        return 2
    try:
        counts = convert(args[0])
    except FileNotFoundError as error:
        print(error, file=sys.stderr)
        return 1
    for key, value in counts.items():
        print(f"{key}: {value}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

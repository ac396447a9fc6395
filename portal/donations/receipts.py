"""A paid gift's receipt as a PDF: who may download it, its signed verification code, and the
signed link that lets a guest (no account) download their own.

The verification code and the guest link use the portal's one signer of printed codes
(``portal.crypto.signed_codes``), each under its own purpose, so neither verifies as the other nor
as a volunteer certificate. The code states the receipt's number, the gift, its amount and what was
refunded when it was printed; a receipt printed before a refund no longer verifies as current.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from itsdangerous import BadData
from sqlmodel import Session

from portal import access
from portal.audit.rules import record
from portal.crypto import signed_codes
from portal.donations import receipt_pdf
from portal.donations.models import Donation, Receipt
from portal.donations.rules import RECEIPT_TIMEZONE, receipt_of
from portal.errors import NotFound
from portal.ledger.models import Fund
from portal.needs.models import Need

CODE_PURPOSE = "donation-receipt"
LINK_PURPOSE = "donation-receipt-link"
ISSUER = {"zh": "童心儿童关爱平台", "en": "Tongxin child care portal"}


def receipt_code(secret_key: str, donation: Donation, receipt: Receipt) -> str:
    """The code printed on a receipt: its number, gift, amount and refunded amount, signed."""
    return signed_codes(secret_key, CODE_PURPOSE).dumps(
        [receipt.code, donation.id, donation.amount_fen, receipt.refunded_fen])


def guest_link_token(secret_key: str, donation_id: int) -> str:
    """What a guest's receipt link carries: the gift's id, signed (it is shown only to whoever paid)."""
    return signed_codes(secret_key, LINK_PURPOSE).dumps([donation_id])


def guest_may_download(secret_key: str, donation_id: int, token: str) -> bool:
    try:
        return signed_codes(secret_key, LINK_PURPOSE).loads((token or "").strip()) == [donation_id]
    except BadData:
        return False


@dataclass(frozen=True)
class VerifiedReceipt:
    number: str
    amount_fen: int
    refunded_fen: int  # as printed
    current_refunded_fen: int  # as it stands now

    @property
    def current(self) -> bool:
        return self.refunded_fen == self.current_refunded_fen


def verify_receipt(session: Session, code: str, secret_key: str) -> VerifiedReceipt | None:
    """The receipt ``code`` was printed for (number, amount, refunded), or None when the code is not
    one this portal signed or its receipt no longer exists. Says nothing about the donor."""
    try:
        number, donation_id, amount_fen, refunded_fen = signed_codes(secret_key, CODE_PURPOSE).loads(
            (code or "").strip())
    except (BadData, TypeError, ValueError):
        return None
    if not all(isinstance(v, int) for v in (donation_id, amount_fen, refunded_fen)) or not isinstance(number, str):
        return None
    receipt = receipt_of(session, donation_id)
    if receipt is None or receipt.code != number:
        return None
    return VerifiedReceipt(number, amount_fen, refunded_fen, receipt.refunded_fen)


def receipt_for(session: Session, actor, donation_id: int, secret_key: str, lang: str,
                guest_token: str = "") -> tuple[Receipt, bytes]:
    """The receipt PDF of a settled gift, for its donor, civil-affairs staff over it, or a guest with
    the gift's signed link; the download is audited. Refuses (as not found) anyone else, an
    unknown gift, and a gift not settled (no receipt yet)."""
    donation = session.get(Donation, donation_id)
    by_link = donation is not None and donation.donor_id is None and guest_token \
        and guest_may_download(secret_key, donation_id, guest_token)
    if donation is None or not (by_link or access.allowed(actor, "donations.receipt", donation)):
        raise NotFound(_l("This gift does not exist or is outside your region."))
    receipt = receipt_of(session, donation.id)
    if receipt is None:
        raise NotFound(_l("This gift has no receipt yet: it is issued once the gift is paid."))
    pdf = receipt_pdf.render(receipt_data(session, donation, receipt, secret_key, lang), lang)
    record(session, actor if getattr(actor, "is_authenticated", False) else None, "donation.receipt_download",
           "donation", donation.id, region_code=donation.region_code,
           detail={"receipt": receipt.code, "by_link": bool(by_link)})
    return receipt, pdf


def receipt_data(session: Session, donation: Donation, receipt: Receipt, secret_key: str,
                 lang: str) -> receipt_pdf.ReceiptData:
    fund = session.get(Fund, donation.fund_id)
    purpose = fund.name_zh if lang == "zh" else fund.name_en
    if donation.need_id is not None:
        need = session.get(Need, donation.need_id)
        purpose = need.public_summary or purpose  # the public summary: never the child's name
    if donation.anonymous:
        donor_name = receipt_pdf.anonymous_donor(lang)
    else:
        donor_name = _donor_name(session, donation) or receipt_pdf.anonymous_donor(lang)
    return receipt_pdf.ReceiptData(
        number=receipt.code, issued_on=receipt.issued_at.astimezone(RECEIPT_TIMEZONE).date(),
        donor_name=donor_name, amount_fen=donation.amount_fen, purpose=purpose[:300],
        channel=donation.channel.value if hasattr(donation.channel, "value") else str(donation.channel),
        issuer=ISSUER[lang], refunded_fen=receipt.refunded_fen,
        verify_code=receipt_code(secret_key, donation, receipt))


def _donor_name(session: Session, donation: Donation) -> str:
    if donation.donor_id is not None:
        from portal.accounts.models import User

        user = session.get(User, donation.donor_id)
        if user is not None and user.display_name:
            return user.display_name
    return donation.guest_name or donation.payer

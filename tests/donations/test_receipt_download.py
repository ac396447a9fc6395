"""The receipt download: the donor who gave, staff over the gift, a guest through the signed link;
its printed verification code checks on the public page, and a refund stamps it."""

import io
import re

from pypdf import PdfReader
from sqlalchemy import select

from portal import db
from portal.audit.models import AuditEntry
from portal.donations import receipts, refunds
from portal.donations.models import Donation
from tests.donations.conftest import record


def _text(pdf: bytes) -> str:
    return "".join("\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages).split())


def _code(pdf_text: str) -> str:
    return re.search(r"(?:验证码|Verificationcode)([A-Za-z0-9_.\-]+)", pdf_text).group(1)


def test_the_donor_downloads_their_numbered_receipt(client, act, as_user, users, money_need):
    gift = record(act, need_id=money_need, amount_fen=50_000, donor_id=users["donor"].id)
    as_user("donor")
    response = client.get(f"/donations/{gift.id}/receipt.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = _text(response.data)
    assert "捐赠收据" in text and "伍佰元整" in text and "义堂镇一名小学生" in text and "测试儿童" not in text


def test_another_donor_cannot_download_it(client, act, as_user, users, money_need):
    gift = record(act, need_id=money_need, amount_fen=50_000, donor_id=users["donor"].id)
    as_user("volunteer")
    assert client.get(f"/donations/{gift.id}/receipt.pdf").status_code == 404


def test_a_visitor_without_the_link_or_with_a_forged_one_cannot(client, app, act, money_need):
    gift = record(act, need_id=money_need, amount_fen=50_000)
    assert client.get(f"/donations/{gift.id}/receipt.pdf").status_code == 404
    other = receipts.guest_link_token(app.config["SECRET_KEY"], gift.id + 1)
    assert client.get(f"/donations/{gift.id}/receipt.pdf?token={other}").status_code == 404
    forged = receipts.guest_link_token("x" * 40, gift.id)
    assert client.get(f"/donations/{gift.id}/receipt.pdf?token={forged}").status_code == 404


def test_a_guest_downloads_through_the_signed_link(client, app, act, money_need):
    gift = record(act, need_id=money_need, amount_fen=50_000, payer="王捐赠")
    token = receipts.guest_link_token(app.config["SECRET_KEY"], gift.id)
    response = client.get(f"/donations/{gift.id}/receipt.pdf?token={token}")
    assert response.status_code == 200 and "王捐赠" in _text(response.data)


def test_a_donors_gift_is_not_opened_by_a_guest_link(client, app, act, users, money_need):
    gift = record(act, need_id=money_need, amount_fen=50_000, donor_id=users["donor"].id)
    token = receipts.guest_link_token(app.config["SECRET_KEY"], gift.id)
    assert client.get(f"/donations/{gift.id}/receipt.pdf?token={token}").status_code == 404


def test_staff_over_the_gift_download_it(client, act, as_user, money_need):
    gift = record(act, need_id=money_need, amount_fen=50_000)
    as_user("county")
    assert client.get(f"/donations/{gift.id}/receipt.pdf").status_code == 200


def test_another_regions_staff_cannot_download_it(client, act, as_user, money_need):
    gift = record(act, need_id=money_need, amount_fen=50_000)
    as_user("county2")
    assert client.get(f"/donations/{gift.id}/receipt.pdf").status_code == 404


def test_town_staff_cannot_download_it(client, act, as_user, money_need):
    gift = record(act, need_id=money_need, amount_fen=50_000)
    as_user("town")
    assert client.get(f"/donations/{gift.id}/receipt.pdf").status_code == 404


def test_an_anonymous_gift_prints_no_name(client, act, as_user, users, money_need):
    gift = record(act, need_id=money_need, amount_fen=50_000, donor_id=users["donor"].id, anonymous=True,
                  payer="赵不显")
    as_user("donor")
    text = _text(client.get(f"/donations/{gift.id}/receipt.pdf").data)
    assert "爱心人士" in text and "赵不显" not in text


def test_a_gift_waiting_for_confirmation_has_no_receipt(client, act, as_user, money_need):
    gift = record(act, need_id=money_need, amount_fen=2_000_000)  # above OFFLINE_CONFIRM_FEN: waits
    as_user("county")
    assert client.get(f"/donations/{gift.id}/receipt.pdf").status_code == 404


def test_the_download_is_audited(client, app, act, as_user, users, money_need):
    gift = record(act, need_id=money_need, amount_fen=50_000, donor_id=users["donor"].id)
    as_user("donor")
    client.get(f"/donations/{gift.id}/receipt.pdf")
    with app.app_context(), db.write_session() as s:
        entries = s.scalars(select(AuditEntry).where(AuditEntry.action == "donation.receipt_download")).all()
    assert [(e.actor_id, e.object_id) for e in entries] == [(users["donor"].id, str(gift.id))]


def test_a_refunded_receipt_is_stamped_and_its_old_code_says_so(client, app, act, as_user, users, money_need):
    gift = record(act, need_id=money_need, amount_fen=50_000, donor_id=users["donor"].id)
    as_user("donor")
    before = _code(_text(client.get(f"/donations/{gift.id}/receipt.pdf").data))
    act("county", refunds.refund, gift.id, 20_000, "捐赠人要求")
    after = _text(client.get(f"/donations/{gift.id}/receipt.pdf").data)
    assert "部分退款" in after and "200.00" in after
    old = client.get("/donations/receipts/verify", query_string={"code": before}).get_data(as_text=True)
    assert "2026-" in old or "-000001" in old
    assert "打印后" in old or "after this receipt was printed" in old
    new = client.get("/donations/receipts/verify", query_string={"code": _code(after)}).get_data(as_text=True)
    assert "打印后" not in new and "after this receipt was printed" not in new


def test_a_tampered_verification_code_is_refused(client, act, as_user, users, money_need):
    gift = record(act, need_id=money_need, amount_fen=50_000, donor_id=users["donor"].id)
    as_user("donor")
    code = _code(_text(client.get(f"/donations/{gift.id}/receipt.pdf").data))
    assert client.get("/donations/receipts/verify", query_string={"code": code}).status_code == 200
    tampered = code[:-2] + ("AA" if not code.endswith("AA") else "BB")
    assert client.get("/donations/receipts/verify", query_string={"code": tampered}).status_code == 404


def test_a_certificate_code_does_not_verify_as_a_receipt(client, app, act, money_need):
    from portal.crypto import signed_codes

    gift = record(act, need_id=money_need, amount_fen=50_000)
    with app.app_context(), db.write_session() as s:
        receipt = s.scalar(select(Donation).where(Donation.id == gift.id))
        assert receipt is not None
    wrong = signed_codes(app.config["SECRET_KEY"], "hours-certificate").dumps(["2026-000001", gift.id, 50_000, 0])
    assert client.get("/donations/receipts/verify", query_string={"code": wrong}).status_code == 404

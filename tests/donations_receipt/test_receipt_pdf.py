"""The donation receipt: amounts in capital numerals by the banking convention, and a PDF that prints
every field, the refund stamp and nothing about an anonymous donor, in Chinese or English."""

from __future__ import annotations

import dataclasses
import io
import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from portal.donations import receipt_pdf
from portal.donations.receipt_pdf import ReceiptData, anonymous_donor, capital_amount, figures, render

# (fen, words). The 人民币 prefix is the receipt's, not the function's. Cases marked "PBC" are the
# examples of 《正确填写票据和结算凭证的基本规定》 (annex 1 of 《支付结算办法》); where its rule 4.3 allows
# two forms, the first one it gives.
CAPITALS = [
    (0, "零元整"),
    (1, "壹分"),
    (5, "伍分"),
    (10, "壹角"),
    (15, "壹角伍分"),
    (99, "玖角玖分"),
    (100, "壹元整"),
    (101, "壹元零壹分"),
    (105, "壹元零伍分"),
    (110, "壹元壹角"),
    (111, "壹元壹角壹分"),
    (1_000, "壹拾元整"),
    (1_001, "壹拾元零壹分"),
    (1_010, "壹拾元零壹角"),
    (1_500, "壹拾伍元整"),
    (2_000, "贰拾元整"),
    (10_000, "壹佰元整"),
    (10_100, "壹佰零壹元整"),
    (11_000, "壹佰壹拾元整"),
    (32_504, "叁佰贰拾伍元零肆分"),  # PBC 4.4
    (50_000, "伍佰元整"),
    (100_000, "壹仟元整"),
    (100_001, "壹仟元零壹分"),
    (140_950, "壹仟肆佰零玖元伍角"),  # PBC 4.1
    (168_032, "壹仟陆佰捌拾元零叁角贰分"),  # PBC 4.3, first form
    (600_714, "陆仟零柒元壹角肆分"),  # PBC 4.2
    (1_000_000, "壹万元整"),
    (1_000_100, "壹万零壹元整"),
    (1_005_000, "壹万零伍拾元整"),
    (1_010_000, "壹万零壹佰元整"),
    (1_100_000, "壹万壹仟元整"),
    (1_640_902, "壹万陆仟肆佰零玖元零贰分"),  # PBC 4.4
    (10_000_000, "壹拾万元整"),
    (10_001_000, "壹拾万零壹拾元整"),
    (10_700_000, "壹拾万柒仟元整"),
    (10_700_053, "壹拾万柒仟元零伍角叁分"),  # PBC 4.3, first form
    (100_000_000, "壹佰万元整"),
    (100_000_001, "壹佰万元零壹分"),
    (1_000_000_000, "壹仟万元整"),
    (1_000_001_000, "壹仟万零壹拾元整"),
    (1_000_070_000, "壹仟万零柒佰元整"),
    (1_000_700_000, "壹仟万柒仟元整"),
    (10_000_000_000, "壹亿元整"),
    (10_000_000_100, "壹亿零壹元整"),
    (10_070_000_000, "壹亿零柒拾万元整"),
    (10_700_000_000, "壹亿零柒佰万元整"),
    (17_000_000_000, "壹亿柒仟万元整"),
    (12_345_678_901, "壹亿贰仟叁佰肆拾伍万陆仟柒佰捌拾玖元零壹分"),
    (100_000_000_000, "壹拾亿元整"),
    (100_010_000_000, "壹拾亿零壹拾万元整"),
    (100_100_000_000, "壹拾亿零壹佰万元整"),
    (2_000_000_000_000, "贰佰亿元整"),
    (1_000_000_000_010, "壹佰亿元零壹角"),
    (10_000_000_001_000, "壹仟亿零壹拾元整"),
    (100_000_000_000_000, "壹万亿元整"),
    (100_000_000_000_100, "壹万亿零壹元整"),
    (100_000_001_000_000, "壹万亿零壹万元整"),
    (123_456_789_012_345, "壹万贰仟叁佰肆拾伍亿陆仟柒佰捌拾玖万零壹佰贰拾叁元肆角伍分"),
    (10**16, "壹佰万亿元整"),
    (10**18 - 1, "玖仟玖佰玖拾玖万玖仟玖佰玖拾玖亿玖仟玖佰玖拾玖万玖仟玖佰玖拾玖元玖角玖分"),
]


@pytest.mark.parametrize(("fen", "words"), CAPITALS, ids=[str(fen) for fen, _ in CAPITALS])
def test_capitals_follow_the_banking_convention(fen, words):
    assert capital_amount(fen) == words


def test_the_table_covers_forty_distinct_amounts():
    assert len({fen for fen, _ in CAPITALS}) >= 40


# --- the inverse: words back to fen, written independently of the module (accumulator, not divmod) ---

DIGITS = {c: i for i, c in enumerate("零壹贰叁肆伍陆柒捌玖")}
PLACES = {"拾": 10, "佰": 100, "仟": 1000}


def words_to_fen(words: str) -> int:
    if words == "零元整":
        return 0
    body = words.removesuffix("整")
    yuan_words, _, fraction = body.rpartition("元")
    total = section = number = 0
    for char in yuan_words:
        if char in DIGITS:
            number = DIGITS[char]
        elif char in PLACES:
            section += number * PLACES[char]
            number = 0
        elif char == "万":
            section = (section + number) * 10**4
            number = 0
        elif char == "亿":
            total = (total + section + number) * 10**8
            section = number = 0
        else:
            raise AssertionError(f"unexpected {char!r} in {words}")
    fen = (total + section + number) * 100
    for digit, unit in re.findall(r"零?(.)([角分])", fraction):
        fen += DIGITS[digit] * (10 if unit == "角" else 1)
    return fen


def amounts_with_many_zeros():
    """Amounts whose digits are mostly zeros: where the 零 rules are tested hardest."""
    digit = st.sampled_from([0, 0, 0, 0, 1, 5, 9])
    return st.lists(digit, min_size=1, max_size=14).map(lambda ds: int("".join(map(str, ds))))


def _assert_well_formed(fen: int, words: str) -> None:
    assert set(words) <= set("零壹贰叁肆伍陆柒捌玖拾佰仟万亿元角分整")
    assert words.endswith("整") == (fen % 100 == 0)
    assert ("元" in words) == (fen == 0 or fen >= 100)
    if fen:
        assert "零零" not in words
        assert not words.startswith("零") and not words.endswith("零")
        assert not re.search("零[拾佰仟万亿元角分整]", words)  # a 零 is always followed by a digit
        assert not re.search("(^|[^壹贰叁肆伍陆柒捌玖])拾", words)  # 拾 always carries its digit
        assert not re.search("亿亿|万万|亿万", words)  # a unit is never doubled; 万亿 is ten thousand 亿


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=0, max_value=10**14))
def test_capitals_read_back_to_the_same_amount(fen):
    words = capital_amount(fen)
    assert words_to_fen(words) == fen
    _assert_well_formed(fen, words)


@settings(max_examples=300, deadline=None)
@given(amounts_with_many_zeros())
def test_capitals_of_amounts_full_of_zeros_read_back(fen):
    words = capital_amount(fen)
    assert words_to_fen(words) == fen
    _assert_well_formed(fen, words)


@pytest.mark.parametrize("bad", [-1, -100, 1.0, 100.5, Decimal("100"), True, False, "100", None, 10**18])
def test_capitals_refuse_anything_but_whole_non_negative_fen(bad):
    with pytest.raises(ValueError):
        capital_amount(bad)


@pytest.mark.parametrize(("fen", "text"), [
    (0, "¥ 0.00"), (5, "¥ 0.05"), (10, "¥ 0.10"), (100, "¥ 1.00"), (100_001, "¥ 1,000.01"),
    (123_456_789, "¥ 1,234,567.89"), (10**17 + 1, "¥ 1,000,000,000,000,000.01"),
])
def test_figures_are_exact_to_the_fen(fen, text):
    assert figures(fen) == text


def test_the_module_never_computes_money_with_floats():
    source = Path(receipt_pdf.__file__).read_text(encoding="utf-8")
    assert "/ 100" not in source and "/100" not in source
    assert "float(" not in source and "Decimal(" not in source and "decimal" not in source
    assert "round(" not in source and "math." not in source


# --- the PDF ---

def _receipt(**changes) -> ReceiptData:
    values = dict(
        number="2026-000123", issued_on=date(2026, 12, 6), donor_name="张捐赠", amount_fen=100_001,
        purpose="为留守儿童购置冬衣", channel="bank", issuer="兰山区民政局 童心公益基金",
        verify_code="R2026-000123.k7F3xQ9v",
    )
    values.update(changes)
    return ReceiptData(**values)


def _text(pdf: bytes) -> str:
    """The printed text with all whitespace removed (table cells and line breaks vary)."""
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    return "".join(text.split())


def test_chinese_receipt_prints_every_field_and_the_capitals(app):
    with app.app_context():
        pdf = render(_receipt())
    assert pdf.startswith(b"%PDF")
    text = _text(pdf)
    for printed in ["捐赠收据", "2026-000123", "2026年12月6日", "捐赠人", "张捐赠", "¥1,000.01",
                    "大写金额", "人民币壹仟元零壹分", "为留守儿童购置冬衣", "银行转账", "兰山区民政局童心公益基金",
                    "R2026-000123.k7F3xQ9v"]:
        assert printed in text, printed
    assert "不是税务发票" in text  # a receipt, never passed off as an official fiscal bill or invoice
    assert "退款" not in text


def test_english_receipt_prints_the_same_fields_in_english_with_the_chinese_capitals(app):
    with app.app_context():
        text = _text(render(_receipt(amount_fen=50_000, channel="online"), lang="en"))
    for printed in ["Donationreceipt", "No.2026-000123", "December6,2026", "Receivedfrom", "张捐赠",
                    "¥500.00", "Amountinwords", "人民币伍佰元整", "Onlinepayment", "Issuedby",
                    "R2026-000123.k7F3xQ9v", "notataxinvoice"]:
        assert printed in text, printed
    assert "捐赠收据" not in text and "在线支付" not in text


@pytest.mark.parametrize(("channel", "zh", "en"), [
    ("online", "在线支付", "Onlinepayment"), ("bank", "银行转账", "Banktransfer"), ("cash", "现金", "Cash"),
])
def test_each_channel_is_printed_in_the_receipts_language(app, channel, zh, en):
    with app.app_context():
        assert zh in _text(render(_receipt(channel=channel)))
        assert en in _text(render(_receipt(channel=channel), lang="en"))


def test_fully_refunded_receipt_is_stamped_and_keeps_its_number(app):
    with app.app_context():
        text = _text(render(_receipt(refunded_fen=100_001)))
    assert "已退款¥1,000.01" in text and "部分退款" not in text
    assert "2026-000123" in text and "编号不会重复使用" in text
    assert "人民币壹仟元零壹分" in text  # the gift stays on the receipt; the stamp records the refund


def test_partly_refunded_receipt_is_stamped_with_the_refunded_amount(app):
    with app.app_context():
        zh = _text(render(_receipt(refunded_fen=30_000)))
        en = _text(render(_receipt(refunded_fen=30_000), lang="en"))
    assert "部分退款¥300.00" in zh and "已退款¥1,000.01" not in zh  # not passed off as a full refund
    assert "Partlyrefunded¥300.00" in en


def test_anonymous_donor_is_printed_as_a_caring_donor_and_named_nowhere(app):
    with app.app_context():
        assert anonymous_donor("zh") == "爱心人士"
        assert anonymous_donor("en") == "Anonymous donor"
        pdf = render(_receipt(donor_name=anonymous_donor("zh")))
    text = _text(pdf)
    assert "爱心人士" in text and "张捐赠" not in text
    assert "张捐赠".encode("utf-16-be") not in pdf and "张捐赠".encode() not in pdf


def test_the_pdf_metadata_names_the_receipt_and_issuer_never_the_donor(app):
    with app.app_context():
        metadata = PdfReader(io.BytesIO(render(_receipt()))).metadata
    assert "2026-000123" in metadata.title and "捐赠收据" in metadata.title
    assert not any("张捐赠" in str(value) for value in metadata.values())


def test_the_verification_code_line_is_left_out_when_there_is_no_code(app):
    with app.app_context():
        assert "验证码" not in _text(render(_receipt(verify_code="")))
        assert "验证码" in _text(render(_receipt()))


@pytest.mark.parametrize("bad", [1000.0, Decimal("1000"), True, False, 0, -1, "1000", None])
def test_receipt_refuses_an_amount_that_is_not_positive_whole_fen(bad):
    with pytest.raises(ValueError):
        _receipt(amount_fen=bad)


@pytest.mark.parametrize("bad", [-1, 1.5, Decimal("1"), True, 100_002])
def test_receipt_refuses_a_refund_that_is_not_whole_fen_or_exceeds_the_gift(bad):
    with pytest.raises(ValueError):
        _receipt(refunded_fen=bad)


@pytest.mark.parametrize(("field", "bad"), [
    ("channel", "alipay"), ("channel", "Cash"), ("donor_name", ""), ("donor_name", "  "), ("number", ""),
    ("purpose", ""), ("issuer", ""), ("issued_on", "2026-12-06"), ("verify_code", None),
])
def test_receipt_refuses_missing_or_unknown_fields(field, bad):
    with pytest.raises(ValueError):
        _receipt(**{field: bad})


def test_receipt_data_cannot_be_changed_after_it_is_made():
    with pytest.raises(dataclasses.FrozenInstanceError):
        _receipt().amount_fen = 1


def test_unknown_language_is_refused(app):
    with app.app_context(), pytest.raises(ValueError):
        render(_receipt(), lang="fr")


def test_rendering_outside_the_application_is_refused_rather_than_printed_untranslated():
    with pytest.raises(RuntimeError):
        render(_receipt())

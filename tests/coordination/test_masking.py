"""Personal data in the public's comments is masked before it is stored."""

from __future__ import annotations

import pytest

from app.coordination.masking import (
    mask_contacts,
    mask_name,
    mask_personal_data,
    still_personal,
)


@pytest.mark.parametrize(
    ("raw", "masked"),
    [
        ("电话13812345678", "电话138****5678"),
        ("电话 138-1234-5678。", "电话 138****5678。"),
        ("+86 13912345678", "139****5678"),
        ("座机0571-87654321", "座机0571-****4321"),
        ("座机057187654321转", "座机0571-****4321转"),
        ("身份证330106199001011234", "身份证3301************34"),
        ("身份证33010619900101123X号", "身份证3301************3X号"),
        ("旧证330106900101123", "旧证3301*********23"),
        ("邮箱 zhang.san@example.com", "邮箱 z***@example.com"),
    ],
)
def test_contacts_are_masked_by_shape(raw, masked):
    assert mask_contacts(raw) == masked
    assert not still_personal(masked)


def test_numbers_that_are_not_contacts_stay():
    text = "2026年执行款12345元,案号(2026)浙0106执123号"
    assert mask_contacts(text) == text


def test_names_listed_and_sender_are_masked():
    raw = "本人李四,与欧阳明华的纠纷,请转告王五。电话13812345678"
    masked = mask_personal_data(raw, ["李四", "欧阳明华"])
    assert masked == "本人李某,与欧阳某某的纠纷,请转告王五。电话138****5678"
    assert "李四" not in masked and "13812345678" not in masked
    assert mask_name(" 李四 ") == "李某"
    assert mask_name("") == ""

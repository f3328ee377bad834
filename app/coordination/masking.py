"""Masking the personal data in what the public sends the congress, before it is stored.

A comment from the public (社会监督) may carry its sender's name, phone number, ID number or
e-mail address, and name other private persons. None of it is kept: the text is stored
masked, for every reader alike, so no role, export or search can reveal it later.

Names cannot be found reliably in free text, so they are listed by whoever enters the
comment (as petitions list their persons in the data mart) and masked with the data mart's
own rule (张三 → 张某, see :func:`app.datamart.documents.masked_name`). Phone numbers, ID
numbers and e-mail addresses are found by their shape.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from app.datamart.documents import mask_persons, masked_name

# An 18-digit resident ID (the last character may be X), or the old 15-digit one; digits
# around it would make it part of a longer number, which is not an ID.
ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])(\d{17}[\dXx]|\d{15})(?![0-9A-Za-z])")
# A mainland mobile number, with an optional +86 / 86 prefix and optional separators.
MOBILE = re.compile(r"(?<!\d)(?:\+?86[- ]?)?(1[3-9]\d)[- ]?(\d{4})[- ]?(\d{4})(?!\d)")
# A landline: area code 0xx(x), a separator or none, then 7 or 8 digits.
LANDLINE = re.compile(r"(?<!\d)(0\d{2,3})[- ]?(\d{7,8})(?!\d)")
EMAIL = re.compile(r"([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*(@[A-Za-z0-9.-]+\.[A-Za-z]{2,})")


def _id_number(match: re.Match) -> str:
    number = match.group(1)
    return number[:4] + "*" * (len(number) - 6) + number[-2:]


def _mobile(match: re.Match) -> str:
    return f"{match.group(1)}****{match.group(3)}"


def _landline(match: re.Match) -> str:
    local = match.group(2)
    return f"{match.group(1)}-{'*' * (len(local) - 4)}{local[-4:]}"


def mask_contacts(text: str) -> str:
    """``text`` with every ID number, phone number and e-mail address masked
    (330106199001011234 → 3301************34, 13812345678 → 138****5678,
    0571-87654321 → 0571-****4321, zhang@example.com → z***@example.com)."""
    if not text:
        return text
    text = ID_NUMBER.sub(_id_number, text)
    text = MOBILE.sub(_mobile, text)
    text = LANDLINE.sub(_landline, text)
    return EMAIL.sub(lambda m: f"{m.group(1)}***{m.group(2)}", text)


def mask_personal_data(text: str, persons: Iterable[str] = ()) -> str:
    """``text`` with the listed persons' names and every contact detail masked."""
    return mask_contacts(mask_persons(text or "", list(persons)))


def mask_name(name: str) -> str:
    """A sender's name as it is kept: 张三 → 张某; nothing for nothing."""
    name = (name or "").strip()
    return masked_name(name) if name else ""


def still_personal(text: str) -> bool:
    """Whether a contact detail's shape is still in ``text`` (a check for what is stored)."""
    return any(p.search(text or "") for p in (ID_NUMBER, MOBILE, LANDLINE, EMAIL))

"""Keyword search over the data mart's documents, for a language written without spaces.

A document's ``search_text`` is a list of tokens separated by single spaces: every run of
Chinese characters becomes its overlapping bigrams (执行难 → 执行 行难; a lone character
stays itself), every run of other letters and digits becomes one lowercase word. A query
is tokenised the same way and matches when the document has all of its tokens.

PostgreSQL answers from ``to_tsvector('simple', search_text)`` (GIN-indexed); SQLite
looks for the same tokens with LIKE between spaces. A query of one Chinese character has
no bigram, so both look for it as a substring of ``search_text``. The tokens hold only
letters and digits, and they reach the database as bound parameters, quoted for tsquery
and escaped for LIKE all the same.

Plain Python and SQLAlchemy expressions: no Flask, no session.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import sqlalchemy as sa

# CJK unified ideographs (with extension A and the compatibility block) and 〇.
_CJK = "\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_RUN = re.compile(rf"([{_CJK}]+)|([^\W_{_CJK}]+)")
_CHARACTER = re.compile(f"[{_CJK}]")
MAX_QUERY_TERMS = 32
TS_CONFIG = sa.literal_column("'simple'::regconfig")


def tokens(text: str) -> list[str]:
    """The text's search tokens in order: CJK bigrams (or a lone character) and words."""
    out: list[str] = []
    for chinese, word in _RUN.findall(text.lower()):
        if word:
            out.append(word)
        elif len(chinese) == 1:
            out.append(chinese)
        else:
            out.extend(chinese[i : i + 2] for i in range(len(chinese) - 1))
    return out


def search_text_of(parts: Iterable[str | None]) -> str:
    """What ``Document.search_text`` holds for these texts (title, body, source, tags)."""
    return " ".join(token for part in parts if part for token in tokens(part))


def query_terms(query: str) -> list[str]:
    """The distinct tokens a document must have to match ``query``, in first-seen order."""
    return list(dict.fromkeys(tokens(query)))[:MAX_QUERY_TERMS]


def is_lone_character(term: str) -> bool:
    return len(term) == 1 and _CHARACTER.fullmatch(term) is not None


def tsquery_text(terms: Iterable[str]) -> str:
    """``'执行' & '行难'``: each term a quoted lexeme (quotes and backslashes doubled)."""
    return " & ".join("'" + t.replace("\\", "\\\\").replace("'", "''") + "'" for t in terms)


def like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def matches(column: sa.ColumnElement[str], query: str, dialect: str) -> sa.ColumnElement[bool]:
    """A condition on ``column`` (a ``search_text``) true where every term of ``query``
    occurs; true everywhere for a query without terms."""
    terms = query_terms(query)
    lone = [t for t in terms if is_lone_character(t)]
    whole = [t for t in terms if t not in lone]
    conditions = [column.like(f"%{like_escape(t)}%", escape="\\") for t in lone]
    if whole and dialect == "postgresql":
        conditions.append(
            sa.func.to_tsvector(TS_CONFIG, column).op("@@")(
                sa.func.to_tsquery(TS_CONFIG, tsquery_text(whole))
            )
        )
    elif whole:
        spaced = sa.literal(" ") + column + sa.literal(" ")
        conditions.extend(spaced.like(f"% {like_escape(t)} %", escape="\\") for t in whole)
    return sa.and_(sa.true(), *conditions)

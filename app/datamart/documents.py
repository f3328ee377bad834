"""The data mart's documents: the eight categories of material a congress gathers besides
the organs' figures (work news, evaluations, procuratorial recommendations, deputies'
motions, appraisals, petitions, transparency reports, internet hot topics).

Petitions name private persons. Their names are listed on the document (``persons``) so
that every view and export can mask them (张三 → 张某) for everyone but the congress's
own administrators and staff: see :func:`mask_persons` and :func:`reveals_names`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.datamart.models import StoredFile
from app.datamart.search import matches, search_text_of
from app.db import Base, utcnow
from tenants.models import Organ
from tenants.scoping import TenantOwned

# code: (Chinese label, English label), in the order the domain lists them.
CATEGORIES = {
    "work_news": ("司法系统工作动态", "Work news of the judicial organs"),
    "evaluations": ("司法工作评估考核", "Evaluation and assessment results"),
    "procuratorial_recommendations": ("检察建议", "Procuratorial recommendations"),
    "deputy_motions": ("人大代表议案/建议", "Deputies' motions and suggestions"),
    "congress_appraisals": ("人大评议", "Congress appraisals"),
    "petitions": ("涉法涉诉信访", "Litigation-related petitions"),
    "transparency_reports": ("司法透明度评估报告", "Judicial transparency reports"),
    "hot_topics": ("互联网热议", "Internet hot topics"),
}
# Categories whose listed persons are masked for readers who may not see names.
MASKED_CATEGORIES = ("petitions",)
# The congress's own administrators and staff handle petitions and see the names.
NAME_READERS = ("admin", "staff")
COMPOUND_SURNAMES = (
    "欧阳",
    "司马",
    "诸葛",
    "上官",
    "东方",
    "皇甫",
    "令狐",
    "慕容",
    "司徒",
    "夏侯",
    "尉迟",
    "公孙",
    "长孙",
    "宇文",
    "轩辕",
    "澹台",
    "端木",
    "西门",
    "南宫",
    "呼延",
)
LIST_SEPARATORS = re.compile(r"[,，、;；\n]+")


class Document(TenantOwned, Base):
    __tablename__ = "documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    category: Mapped[str] = mapped_column(sa.String(32))
    title: Mapped[str] = mapped_column(sa.String(200))
    date: Mapped[date] = mapped_column(sa.Date)
    source: Mapped[str] = mapped_column(sa.String(200), default="")
    organ_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organs.id"), index=True)
    tags: Mapped[list] = mapped_column(sa.JSON, default=list)
    body: Mapped[str] = mapped_column(sa.Text, default="")
    # Natural persons named in the text; a petition must list them (for masking).
    persons: Mapped[list] = mapped_column(sa.JSON, default=list)
    search_text: Mapped[str] = mapped_column(sa.Text, default="")
    created_by: Mapped[str] = mapped_column(sa.String(80))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    organ: Mapped[Organ | None] = relationship()
    attachments: Mapped[list[DocumentAttachment]] = relationship(
        back_populates="document",
        cascade="all, delete-orphan",
        order_by="DocumentAttachment.id",
    )

    __table_args__ = (
        sa.CheckConstraint(f"category IN {tuple(CATEGORIES)!r}", name="category"),
        sa.Index("ix_documents_tenant_category_date", "tenant_id", "category", "date"),
        sa.Index(
            "ix_documents_search",
            sa.text("to_tsvector('simple'::regconfig, search_text)"),
            postgresql_using="gin",
        ).ddl_if(dialect="postgresql"),
    )

    def refresh_search_text(self) -> None:
        """Keep ``search_text`` in step with the searchable fields (call on every write).

        A petition is indexed with its persons masked: were the names searchable, a reader
        who sees them masked could still find out who petitioned by searching for them.
        """
        texts = [self.title, self.body, self.source, *self.tags]
        if self.category in MASKED_CATEGORIES:
            texts = [mask_persons(text, self.persons) for text in texts]
        self.search_text = search_text_of(texts)


class DocumentAttachment(TenantOwned, Base):
    __tablename__ = "document_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(
        sa.ForeignKey("documents.id", ondelete="CASCADE"), index=True
    )
    file_id: Mapped[int] = mapped_column(sa.ForeignKey("stored_files.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(200))

    document: Mapped[Document] = relationship(back_populates="attachments")
    file: Mapped[StoredFile] = relationship()


def masked_name(name: str) -> str:
    """张三 → 张某, 欧阳明华 → 欧阳某某: the surname stays, each given-name character
    becomes 某 (at least one)."""
    name = name.strip()
    surname = next((s for s in COMPOUND_SURNAMES if name.startswith(s) and len(name) > 2), "")
    surname = surname or name[:1]
    return surname + "某" * max(1, len(name) - len(surname))


def mask_persons(text: str, persons: Iterable[str]) -> str:
    """``text`` with every listed name masked; longer names first, so 欧阳明华 is not
    half-masked by a listed 欧阳明."""
    names = sorted({p.strip() for p in persons if p and p.strip()}, key=len, reverse=True)
    if not text or not names:
        return text
    pattern = re.compile("|".join(re.escape(n) for n in names))
    return pattern.sub(lambda m: masked_name(m.group(0)), text)


def reveals_names(category: str, role: str | None) -> bool:
    """Whether a reader of this role sees a document of this category unmasked."""
    return category not in MASKED_CATEGORIES or role in NAME_READERS


def split_list(cell: object) -> list[str]:
    """Tags or persons typed into one cell: separated by commas (either width), 、 or ;."""
    if cell is None:
        return []
    items = (item.strip() for item in LIST_SEPARATORS.split(str(cell)))
    return list(dict.fromkeys(item for item in items if item))


def category_label(code: str, lang: str = "zh") -> str:
    zh, en = CATEGORIES.get(code, (code, code))
    return en if lang == "en" else zh


def category_code(text: str) -> str | None:
    """A category named by its code or by its Chinese or English label."""
    text = (text or "").strip()
    for code, (zh, en) in CATEGORIES.items():
        if text in (code, zh) or text.casefold() == en.casefold():
            return code
    return None


def new_document(fields: dict, organ: Organ | None, created_by: str) -> Document:
    """A document from validated fields (see ``DocumentInSchema``), its search text set."""
    document = Document(
        category=fields["category"],
        title=fields["title"].strip(),
        date=fields["date"],
        source=fields.get("source", "").strip(),
        organ=organ,
        tags=list(dict.fromkeys(t.strip() for t in fields.get("tags", []) if t.strip())),
        body=fields.get("body", ""),
        persons=list(dict.fromkeys(p.strip() for p in fields.get("persons", []) if p.strip())),
        created_by=created_by,
    )
    document.refresh_search_text()
    return document


def select_documents(filters: dict, dialect: str) -> sa.Select:
    """Documents matching ``filters`` (see ``DocumentQuerySchema``), newest first; the
    tenant scope narrows it further, as every query."""
    stmt = sa.select(Document)
    for key, column in (("category", Document.category), ("organ", Document.organ_id)):
        if filters.get(key) is not None:
            stmt = stmt.where(column == filters[key])
    if filters.get("date_from"):
        stmt = stmt.where(Document.date >= filters["date_from"])
    if filters.get("date_to"):
        stmt = stmt.where(Document.date <= filters["date_to"])
    if filters.get("tag"):
        stmt = stmt.where(has_tag(filters["tag"].strip(), dialect))
    if filters.get("q"):
        stmt = stmt.where(matches(Document.search_text, filters["q"], dialect))
    return stmt.order_by(Document.date.desc(), Document.id.desc())


def has_tag(tag: str, dialect: str) -> sa.ColumnElement[bool]:
    if dialect == "postgresql":
        return sa.cast(Document.tags, JSONB).contains([tag])
    each = sa.func.json_each(Document.tags).table_valued("value")
    return sa.exists(sa.select(1).select_from(each).where(each.c.value == tag))

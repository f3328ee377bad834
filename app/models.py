"""Every mapped class, imported so that metadata is complete (for Alembic and tests)."""

from app.audit.models import AuditEvent
from app.auth.models import ApiToken, LoginSession, User
from app.coordination.models import (
    ConcernEvent,
    DeputyOpinion,
    DeputyOpinionEvent,
    EvaluatorReport,
    KeyConcern,
    ProcuratorialRecommendation,
    PublicComment,
)
from app.dashboards.models import DashboardSnapshot
from app.datamart.documents import Document, DocumentAttachment
from app.datamart.models import ImportBatch, IndicatorValue, StoredFile
from app.db import Base
from app.focus.models import Topic
from app.indicators.models import DictionaryVersion, Indicator
from app.matters.models import (
    Matter,
    MatterDocument,
    MatterEvent,
    MatterOrgan,
    Opinion,
    OpinionEvent,
)
from app.notifications.models import Notification
from app.ratings.models import Judgement, Rating, TenantSettings
from app.tickets.models import Ticket, TicketEvent
from federation.models import CommonProblem, JointSupervision, JointTask, Rollup, TaskAction
from tenants.models import Organ, Tenant

__all__ = [
    "ApiToken",
    "AuditEvent",
    "Base",
    "CommonProblem",
    "ConcernEvent",
    "DashboardSnapshot",
    "DeputyOpinion",
    "DeputyOpinionEvent",
    "DictionaryVersion",
    "Document",
    "DocumentAttachment",
    "EvaluatorReport",
    "ImportBatch",
    "Indicator",
    "IndicatorValue",
    "JointSupervision",
    "JointTask",
    "Judgement",
    "KeyConcern",
    "LoginSession",
    "Matter",
    "MatterDocument",
    "MatterEvent",
    "MatterOrgan",
    "Notification",
    "Opinion",
    "OpinionEvent",
    "Organ",
    "ProcuratorialRecommendation",
    "PublicComment",
    "Rating",
    "Rollup",
    "StoredFile",
    "TaskAction",
    "Tenant",
    "TenantSettings",
    "Ticket",
    "TicketEvent",
    "Topic",
    "User",
]

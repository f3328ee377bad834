"""Every mapped class, imported so that metadata is complete (for Alembic and tests)."""

from app.audit.models import AuditEvent
from app.auth.models import ApiToken, LoginSession, User
from app.dashboards.models import DashboardSnapshot
from app.datamart.documents import Document, DocumentAttachment
from app.datamart.models import ImportBatch, IndicatorValue, StoredFile
from app.db import Base
from app.indicators.models import DictionaryVersion, Indicator
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
    "DashboardSnapshot",
    "DictionaryVersion",
    "Document",
    "DocumentAttachment",
    "ImportBatch",
    "Indicator",
    "IndicatorValue",
    "JointSupervision",
    "JointTask",
    "Judgement",
    "LoginSession",
    "Notification",
    "Organ",
    "Rating",
    "Rollup",
    "StoredFile",
    "TaskAction",
    "Tenant",
    "TenantSettings",
    "Ticket",
    "TicketEvent",
    "User",
]

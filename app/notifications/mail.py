"""E-mail for notifications: one UTF-8 message (Chinese first, English below, an absolute
link into the app), sent through the configured SMTP server with ``smtplib``.

Settings (``config.py``): ``MAIL_SERVER``, ``MAIL_PORT``, ``MAIL_USE_SSL`` (TLS from the
first byte, SMTPS) or ``MAIL_USE_TLS`` (STARTTLS; ignored when SSL is on), ``MAIL_USERNAME``
and ``MAIL_PASSWORD`` (login when a username is set), ``MAIL_SENDER``, ``MAIL_TIMEOUT``,
and ``PUBLIC_BASE_URL`` for the links.
"""

from __future__ import annotations

import re
import smtplib
import ssl
from collections.abc import Mapping
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from app.notifications.models import Notification

# kind: (Chinese subject, English subject)
SUBJECTS = {
    "ticket_opened": ("新的预警反馈单", "New response ticket"),
    "ticket_returned": ("反馈说明被退回", "Your answer was returned"),
    "ticket_due_soon": ("反馈单即将到期", "Response ticket due soon"),
    "ticket_overdue": ("反馈单已逾期", "Response ticket overdue"),
}
DEFAULT_SUBJECT = ("新通知", "New notification")
SITE_ZH = "人大司法监督平台"
MAX_EMAIL = 254
_ADDRESS = re.compile(r"^[^@\s<>,;\"]+@[^@\s<>,;\"]+\.[^@\s<>,;\"]+$")


class InvalidAddress(ValueError):
    """Not an e-mail address we will send to."""


def normalise_address(raw: str | None) -> str | None:
    """A stripped address, None for an empty one; InvalidAddress for anything else."""
    address = (raw or "").strip()
    if not address:
        return None
    if len(address) > MAX_EMAIL or not _ADDRESS.match(address):
        raise InvalidAddress(f"不是有效的电子邮件地址 / not a valid e-mail address: {raw!r}")
    return address


def _one_line(text: str) -> str:
    """Headers may not break lines (a returned answer's text may)."""
    return " ".join(text.split())


def subject_of(note: Notification) -> str:
    label_zh, _ = SUBJECTS.get(note.kind, DEFAULT_SUBJECT)
    subject = f"【{SITE_ZH}】{label_zh}:{_one_line(note.text_zh)}"
    return subject if len(subject) <= 120 else subject[:119] + "…"


def link_of(note: Notification, tenant_code: str | None, base_url: str) -> str:
    """The absolute URL of what the notification is about: links are stored absolute
    ("/t/330106/tickets/7") or tenant-relative ("tickets/7"), as the web page reads them;
    without one, the notifications page."""
    base = base_url.rstrip("/")
    if note.link.startswith("/"):
        return base + note.link
    if note.link and tenant_code:
        return f"{base}/t/{tenant_code}/{note.link}"
    return f"{base}/notifications"


def build_message(
    note: Notification, recipient: str, tenant_code: str | None, config: Mapping
) -> EmailMessage:
    url = link_of(note, tenant_code, config["PUBLIC_BASE_URL"])
    label_zh, label_en = SUBJECTS.get(note.kind, DEFAULT_SUBJECT)
    body = "\n".join(
        (
            f"{label_zh}",
            "",
            note.text_zh,
            "",
            f"查看详情:{url}",
            "",
            "此邮件由系统自动发送,请勿直接回复。如不希望接收邮件通知,请联系平台管理员。",
            "",
            "-" * 40,
            "",
            f"{label_en}",
            "",
            note.text_en,
            "",
            f"Details: {url}",
            "",
            "This message was sent automatically; please do not reply. To stop these "
            "e-mails, ask the platform's administrator.",
            "",
        )
    )
    message = EmailMessage()
    message["Subject"] = subject_of(note)
    message["From"] = config["MAIL_SENDER"]
    message["To"] = recipient
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid(f"notification-{note.id}", domain=_sender_domain(message))
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no auto-replies, please
    # base64 keeps the message 7-bit clean whatever the server supports (no 8BITMIME needed).
    message.set_content(body, charset="utf-8", cte="base64")
    return message


def _sender_domain(message: EmailMessage) -> str | None:
    addresses: tuple[Address, ...] = message["From"].addresses
    return (addresses[0].domain or None) if addresses else None


def send(message: EmailMessage, config: Mapping) -> None:
    """Hand the message to the SMTP server; any failure raises (the job is retried)."""
    host, port, timeout = config["MAIL_SERVER"], int(config["MAIL_PORT"]), config["MAIL_TIMEOUT"]
    if config.get("MAIL_USE_SSL"):
        smtp: smtplib.SMTP = smtplib.SMTP_SSL(
            host, port, timeout=timeout, context=ssl.create_default_context()
        )
    else:
        smtp = smtplib.SMTP(host, port, timeout=timeout)
    with smtp:
        if config.get("MAIL_USE_TLS") and not config.get("MAIL_USE_SSL"):
            smtp.starttls(context=ssl.create_default_context())
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
        smtp.send_message(message)

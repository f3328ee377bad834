"""E-mailed notifications, against a real SMTP server (aiosmtpd) on a free local port:
off by default, sent once per new notification after commit, never twice, and never at
the cost of the in-app notification."""

from __future__ import annotations

import email
import socket
from email import policy
from email.message import EmailMessage

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller

from app.auth.models import User
from app.db import db
from app.indicators.dictionary import load_dictionary
from app.notifications import mail
from app.notifications.jobs import send_email
from app.notifications.models import Notification
from app.notifications.service import notify
from app.ratings.models import Rating
from app.tickets import service as tickets
from app.tickets.models import Ticket
from tenants.scoping import system_scope
from tests.support.world import username
from workers.queue import PENDING

DISTRICT = "330106"
BASE_URL = "https://jd.example.org"
ADDRESS = "court@example.org"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Inbox:
    """What the SMTP server received: (envelope sender, recipients, parsed message)."""

    def __init__(self) -> None:
        self.received: list[tuple[str, list[str], EmailMessage]] = []

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=policy.default)
        self.received.append((envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 OK"

    @property
    def messages(self) -> list[EmailMessage]:
        return [m for _, _, m in self.received]


@pytest.fixture
def smtp():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    inbox.port = controller.port
    try:
        yield inbox
    finally:
        controller.stop()


@pytest.fixture
def mail_on(app, smtp, monkeypatch):
    for key, value in {
        "MAIL_ENABLED": True,
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": smtp.port,
        "MAIL_USE_TLS": False,
        "MAIL_USE_SSL": False,
        "MAIL_USERNAME": None,
        "MAIL_SENDER": "监督平台 <noreply@example.org>",
        "MAIL_TIMEOUT": 5,
        "PUBLIC_BASE_URL": BASE_URL,
    }.items():
        monkeypatch.setitem(app.config, key, value)
    return smtp


@pytest.fixture
def ctx(app, tx):
    with app.app_context():
        yield db.session


def _court_user(world) -> int:
    return world.users[username(DISTRICT, "court")]


def _set_user(session, user_id: int, **values) -> None:
    with system_scope():
        session.execute(sa.update(User).where(User.id == user_id).values(**values))
        session.flush()


def _open_ticket(session, world, period: str = "2025-03") -> int:
    """A red rating and the ticket the rating job would open for it (which notifies the
    court's user)."""
    tid, organ = world.tenant_id(DISTRICT), world.organ_id(DISTRICT, "court")
    with system_scope():
        session.add(
            Rating(
                tenant_id=tid,
                organ_id=organ,
                indicator_code="CT01",
                period=period,
                value=1.0,
                colour="red",
                dictionary_version=load_dictionary().version,
            )
        )
        session.flush()
        opened, _ = tickets.sync(session, [(tid, organ, "CT01", period, "red")])
        assert opened == 1
        return session.scalar(
            sa.select(Ticket.id).where(Ticket.organ_id == organ, Ticket.period == period)
        )


def _notify(session, world, key: str = "test-1", user_id: int | None = None) -> int | None:
    with system_scope():
        return notify(
            session,
            user_id or _court_user(world),
            world.tenant_id(DISTRICT),
            "ticket_due_soon",
            key,
            "CT01 2025-03 将于 2025-04-30 到期",
            "CT01 2025-03 is due on 2025-04-30",
            "tickets/1",
        )


def _note(app, notification_id: int) -> Notification:
    with app.app_context(), system_scope():
        return db.session.get(Notification, notification_id)


def _run_job(app, notification_id: int) -> None:
    """The job as a worker runs it: in an app context (and session) of its own."""
    with app.app_context():
        send_email(notification_id)


def test_mail_is_off_by_default(app, ctx, world, smtp):
    assert app.config["MAIL_ENABLED"] is False
    _set_user(ctx, _court_user(world), email=ADDRESS)
    _open_ticket(ctx, world)
    assert not ctx.info.get(PENDING)  # nothing queued
    ctx.commit()
    assert smtp.received == []


def test_a_new_ticket_is_mailed_once_after_commit(app, ctx, world, mail_on):
    _set_user(ctx, _court_user(world), email=ADDRESS)
    ticket_id = _open_ticket(ctx, world)
    assert mail_on.received == []  # not inside the notifying transaction
    ctx.commit()

    assert len(mail_on.received) == 1
    sender, recipients, message = mail_on.received[0]
    assert sender == "noreply@example.org"
    assert recipients == [ADDRESS]
    assert message["To"] == ADDRESS
    assert message["Subject"].startswith("【人大司法监督平台】新的预警反馈单")
    assert "红色预警" in message["Subject"]
    assert message["Auto-Submitted"] == "auto-generated"
    assert message.get_content_charset() == "utf-8"
    body = message.get_content()
    link = f"{BASE_URL}/t/{DISTRICT}/tickets/{ticket_id}"
    assert link in body
    assert body.index("红色预警") < body.index("is red")  # Chinese first, English below
    with system_scope():
        note = ctx.scalar(
            sa.select(Notification).where(Notification.dedupe_key == f"ticket-{ticket_id}-opened")
        )
    assert _note(app, note.id).emailed_at is not None


def test_a_repeated_notification_is_not_mailed_again(app, ctx, world, mail_on):
    _set_user(ctx, _court_user(world), email=ADDRESS)
    first = _notify(ctx, world)
    again = _notify(ctx, world)
    assert first is not None and again is None
    assert len(ctx.info[PENDING]) == 1
    ctx.commit()
    assert _notify(ctx, world) is None
    ctx.commit()
    assert len(mail_on.received) == 1


def test_the_job_twice_sends_once(app, ctx, world, mail_on, monkeypatch):
    _set_user(ctx, _court_user(world), email=ADDRESS)
    monkeypatch.setitem(app.config, "MAIL_ENABLED", False)  # written, not yet mailed
    note_id = _notify(ctx, world)
    ctx.commit()
    monkeypatch.setitem(app.config, "MAIL_ENABLED", True)
    _run_job(app, note_id)
    _run_job(app, note_id)
    assert len(mail_on.received) == 1
    assert _note(app, note_id).emailed_at is not None


@pytest.mark.parametrize(
    "values", [{"email": None}, {"email": ADDRESS, "email_notifications": False}]
)
def test_no_address_or_opted_out_gets_none(app, ctx, world, mail_on, values):
    _set_user(ctx, _court_user(world), **values)
    note_id = _notify(ctx, world)
    assert note_id is not None  # the in-app notification is there regardless
    assert not ctx.info.get(PENDING)
    ctx.commit()
    _run_job(app, note_id)  # a job queued before the opt-out sends nothing either
    assert mail_on.received == []


def test_smtp_down_raises_and_keeps_the_notification(app, ctx, world, mail_on, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_PORT", free_port())  # nobody listens there
    _set_user(ctx, _court_user(world), email=ADDRESS)
    note_id = _notify(ctx, world)
    ctx.commit()  # the inline job fails and is logged; the commit stands
    note = _note(app, note_id)
    assert note is not None and note.emailed_at is None
    with pytest.raises(OSError):
        _run_job(app, note_id)  # in a worker, RQ retries it
    note = _note(app, note_id)
    assert note is not None and note.emailed_at is None
    assert mail_on.received == []


@pytest.mark.redis
def test_with_redis_the_mail_job_is_queued_with_retries(app, ctx, world, mail_on, redis_url):
    from rq import Queue
    from rq.job import Job

    from workers.queue import redis_connection

    app.config["REDIS_URL"] = redis_url
    try:
        _set_user(ctx, _court_user(world), email=ADDRESS)
        note_id = _notify(ctx, world, key="test-redis")
        ctx.commit()
        job = Job.fetch(f"mail-{note_id}", connection=redis_connection())
        try:
            assert job.func_name == "app.notifications.jobs.send_email"
            assert job.args == (note_id,)
            assert job.retries_left == 3
        finally:
            Queue("default", connection=redis_connection()).remove(job)
            job.delete()
    finally:
        app.config["REDIS_URL"] = None
    assert mail_on.received == []  # queued, not sent inside the request


def test_the_message_itself():
    note = Notification(
        id=7,
        kind="ticket_returned",
        text_zh="CT01 2025-03 的说明被退回:请补充\n附件",
        text_en="Your answer on CT01 2025-03 was returned",
        link="/t/330106/tickets/7",
    )
    config = {"PUBLIC_BASE_URL": BASE_URL + "/", "MAIL_SENDER": "监督平台 <noreply@example.org>"}
    message = mail.build_message(note, ADDRESS, DISTRICT, config)
    parsed = email.message_from_bytes(message.as_bytes(), policy=policy.default)
    assert "\n" not in parsed["Subject"] and "请补充 附件" in parsed["Subject"]
    assert parsed["From"].addresses[0].display_name == "监督平台"
    assert parsed["Message-ID"].endswith("@example.org>")
    assert f"{BASE_URL}/t/330106/tickets/7" in parsed.get_content()
    assert message.as_bytes().isascii()  # 7-bit clean: base64 body, encoded headers


def test_links():
    note = Notification(link="tickets/3")
    assert mail.link_of(note, "330106", BASE_URL) == f"{BASE_URL}/t/330106/tickets/3"
    assert mail.link_of(Notification(link=""), "330106", BASE_URL) == f"{BASE_URL}/notifications"


@pytest.mark.parametrize("raw", ["x", "a@b", "a b@c.org", "a@b.org\nBcc: x@y.org", "@b.org"])
def test_bad_addresses_are_refused(raw):
    with pytest.raises(mail.InvalidAddress):
        mail.normalise_address(raw)


def test_addresses_are_normalised():
    assert mail.normalise_address("  court@example.org ") == "court@example.org"
    assert mail.normalise_address("") is None


def test_login_when_a_username_is_set():
    from aiosmtpd.smtp import AuthResult

    seen = []

    def authenticator(server, session, envelope, mechanism, auth_data):
        seen.append((mechanism, auth_data.login, auth_data.password))
        return AuthResult(success=auth_data.password in ("s3cret", b"s3cret"))

    inbox = Inbox()
    port = free_port()
    controller = Controller(
        inbox,
        hostname="127.0.0.1",
        port=port,
        authenticator=authenticator,
        auth_require_tls=False,
    )
    controller.start()
    try:
        note = Notification(id=1, kind="ticket_overdue", text_zh="逾期", text_en="overdue", link="")
        config = {
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": port,
            "MAIL_TIMEOUT": 5,
            "MAIL_USERNAME": "jd",
            "MAIL_PASSWORD": "s3cret",
            "MAIL_SENDER": "noreply@example.org",
            "PUBLIC_BASE_URL": BASE_URL,
        }
        mail.send(mail.build_message(note, ADDRESS, None, config), config)
    finally:
        controller.stop()
    assert [s[1:] for s in seen] == [(b"jd", b"s3cret")]
    assert len(inbox.received) == 1

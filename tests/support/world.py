"""The small federation every test starts from, created once per run and committed.

浙江省 330000 > 杭州市 330100 > 西湖区 330106, 拱墅区 330105 > 北山街道 330106001;
宁波市 330200 beside Hangzhou. Every tenant has its organs and one user per role
(``<code>-<role>``, organ users ``<code>-<organ kind>``), as in the demo.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from app.datamart.models import IndicatorValue
from app.indicators.service import install_bundled
from tenants.models import Organ, Tenant
from tenants.provisioning import add_organ, add_user, create_tenant

PASSWORD = "test-pass-123"
# The month of the world's figures (CT01 95 % in 2026-09, 80 % in 2026-10): its ticket,
# common problem and campaigns are about it, whatever today is.
WORLD_MONTH = "2026-10"
CONGRESS = ("admin", "staff", "deputy", "viewer", "evaluator")

TREE = (
    ("330000", "浙江省", "province", None),
    ("330100", "杭州市", "city", "330000"),
    ("330200", "宁波市", "city", "330000"),
    ("330106", "西湖区", "district", "330100"),
    ("330105", "拱墅区", "district", "330100"),
    ("330106001", "北山街道", "township", "330106"),
)
ORGANS = {
    "province": (
        ("court", "浙江省高级人民法院"),
        ("procuratorate", "浙江省人民检察院"),
        ("public_security", "浙江省公安厅"),
        ("justice_bureau", "浙江省司法厅"),
    ),
    "city": (
        ("court", "{n}中级人民法院"),
        ("procuratorate", "{n}人民检察院"),
        ("public_security", "{n}公安局"),
        ("justice_bureau", "{n}司法局"),
    ),
    "district": (
        ("court", "{n}人民法院"),
        ("procuratorate", "{n}人民检察院"),
        ("public_security", "{n}公安分局"),
        ("justice_bureau", "{n}司法局"),
    ),
    "township": (
        ("tribunal", "{n}人民法庭"),
        ("police_station", "{n}派出所"),
        ("justice_office", "{n}司法所"),
    ),
}


@dataclass
class World:
    tenants: dict[str, Tenant] = field(default_factory=dict)
    organs: dict[tuple[str, str], Organ] = field(default_factory=dict)
    users: dict[str, int] = field(default_factory=dict)
    # (tenant code, "organ" | "evaluator") -> an import batch that user submitted
    batches: dict[tuple[str, str], int] = field(default_factory=dict)
    # (tenant code, category) -> a data-mart document; tenant code -> its one attachment
    documents: dict[tuple[str, str], int] = field(default_factory=dict)
    attachments: dict[str, int] = field(default_factory=dict)
    # district code -> an open red ticket of its court (CT01, the last ended month)
    tickets: dict[str, int] = field(default_factory=dict)
    # parent code -> its common problem (330100) and its open joint-supervision campaign
    # (330100 → both districts, 330106 → its township); child code -> its task in it
    problems: dict[str, int] = field(default_factory=dict)
    campaigns: dict[str, int] = field(default_factory=dict)
    tasks: dict[str, int] = field(default_factory=dict)
    # tenant code -> its 执行难 topic (every congress gets the shipped topics when created)
    topics: dict[str, int] = field(default_factory=dict)
    # district code -> a supervision matter (an inquiry from the court's ticket, approved,
    # started, opinions issued) and the opinion it issued to the court (awaiting its plan)
    matters: dict[str, int] = field(default_factory=dict)
    opinions: dict[str, int] = field(default_factory=dict)
    # district code -> coordination (app.coordination): a key concern on the court's CT01
    # (open), a deputy's opinion from the "colours" chart assigned to the court, the
    # evaluator's report (with its file) on its assessment upload, a recommendation of the
    # procuratorate to the court (pending) and a public comment (stored masked)
    concerns: dict[str, int] = field(default_factory=dict)
    deputy_opinions: dict[str, int] = field(default_factory=dict)
    evaluator_reports: dict[str, int] = field(default_factory=dict)
    recommendations: dict[str, int] = field(default_factory=dict)
    public_comments: dict[str, int] = field(default_factory=dict)

    def tenant_id(self, code: str) -> int:
        return self.tenants[code].id

    def organ_id(self, code: str, kind: str) -> int:
        return self.organs[(code, kind)].id


def username(code: str, role_or_kind: str) -> str:
    return f"{code}-{role_or_kind.replace('_', '-')}"


def build(session: Session, password_hash: str) -> World:
    """Create the world (call in system scope, then commit)."""
    install_bundled(session)
    world = World()
    for code, name, level, parent in TREE:
        tenant = create_tenant(session, code, name, level, world.tenants.get(parent))
        world.tenants[code] = tenant
        for kind, pattern in ORGANS[level]:
            organ = add_organ(session, tenant, kind, pattern.format(n=name))
            world.organs[(code, kind)] = organ
            user = add_user(
                session, tenant, username(code, kind), "organ", password_hash, organ=organ
            )
            world.users[user.username] = user.id
        for role in CONGRESS:
            user = add_user(session, tenant, username(code, role), role, password_hash)
            world.users[user.username] = user.id
        world.topics[code] = _topic_id(session, tenant, "enforcement")
        _values(session, world, code, level)
        if level == "district":
            _batches(session, world, code)
            _documents(session, world, code)
            _tickets(session, world, code)
    _federation(session, world)
    _dashboards(session, world)
    _matters(session, world)
    _coordination(session, world)
    return world


def _dashboards(session: Session, world: World) -> None:
    """Each district's stored charts, built by the job's own function."""
    from app.dashboards.jobs import rebuild

    for code in ("330106", "330105"):
        rebuild(session, world.tenants[code].id)


def _topic_id(session: Session, tenant: Tenant, code: str) -> int:
    import sqlalchemy as sa

    from app.focus.models import Topic

    return session.scalar(
        sa.select(Topic.id).where(Topic.tenant_id == tenant.id, Topic.code == code)
    )


def _values(session: Session, world: World, code: str, level: str) -> None:
    """Two months of CT01 for every court-family organ: enough for the values routes."""
    for kind, _ in ORGANS[level]:
        if kind not in ("court", "tribunal"):
            continue
        for period, (num, den) in (("2026-09", (95, 100)), (WORLD_MONTH, (80, 100))):
            session.add(
                IndicatorValue(
                    tenant_id=world.tenant_id(code),
                    organ_id=world.organ_id(code, kind),
                    indicator_code="CT01",
                    period=period,
                    numerator=num,
                    denominator=den,
                    value=num / den * 100,
                    submitted_by="world",
                )
            )
    session.flush()


def _batches(session: Session, world: World, code: str) -> None:
    """A loaded batch from the court and one from the evaluator, for the import routes."""
    from app.datamart.models import ImportBatch, StoredFile

    tid = world.tenant_id(code)
    for who, kind, organ in (
        ("court", "values", world.organ_id(code, "court")),
        ("evaluator", "assessment", None),
    ):
        stored = StoredFile(
            tenant_id=tid,
            sha256=f"{code}{who}".ljust(64, "0"),
            size=1,
            detected_type="csv",
            storage_key="world/none",
            original_name=f"{who}.csv",
            uploaded_by=username(code, who),
        )
        session.add(stored)
        session.flush()
        batch = ImportBatch(
            tenant_id=tid,
            kind=kind,
            status="succeeded",
            file_id=stored.id,
            organ_id=organ,
            submitted_by=username(code, who),
            submitted_by_user_id=world.users[username(code, who)],
        )
        session.add(batch)
        session.flush()
        world.batches[(code, "evaluator" if who == "evaluator" else "organ")] = batch.id


def _documents(session: Session, world: World, code: str) -> None:
    """A petition naming a person, and a work-news item with one attachment (kept in the
    file store, so it can be downloaded), for the data-mart routes."""
    import io
    from datetime import date

    from app.datamart.documents import DocumentAttachment, new_document
    from app.datamart.storage import save_upload
    from tenants.scoping import tenant_scope

    petition = {
        "category": "petitions",
        "title": f"{code} 张三信访件",
        "date": date(2026, 9, 1),
        "body": "张三反映执行难问题。",
        "persons": ["张三"],
    }
    news = {"category": "work_news", "title": f"{code} 法院工作动态", "date": date(2026, 9, 2)}
    with tenant_scope(world.tenant_id(code)):
        for fields in (petition, news):
            document = new_document(fields, None, username(code, "staff"))
            session.add(document)
            session.flush()
            world.documents[(code, fields["category"])] = document.id
        content = io.BytesIO(f"{code} 附件".encode())
        stored = save_upload(
            session, content, "动态.txt", username(code, "staff"), check_type=False
        )
        attachment = DocumentAttachment(document_id=document.id, file_id=stored.id, name="动态.txt")
        session.add(attachment)
        session.flush()
        world.attachments[code] = attachment.id


def _tickets(session: Session, world: World, code: str) -> None:
    """A red rating of the court's CT01 for the last ended month and the open ticket it
    asks, for the ticket routes (written directly, not through the rating job)."""
    from app import clock
    from app.indicators.service import spec_of, version_named
    from app.notifications.service import notify
    from app.ratings import rules
    from app.ratings.models import Judgement, Rating, TenantSettings, inputs_of
    from app.tickets.models import Ticket, TicketEvent
    from app.tickets.service import deadline

    tid, organ = world.tenant_id(code), world.organ_id(code, "court")
    version = version_named(None)
    spec = next(spec_of(row) for row in version.indicators if row.code == "CT01")
    result = rules.rate(spec, 80.0, [], [95.0, 80.0])
    period, now = WORLD_MONTH, clock.now()
    rating = Rating(
        tenant_id=tid,
        organ_id=organ,
        indicator_code="CT01",
        period=period,
        value=80.0,
        colour=result.colour,
        **inputs_of(result, 80.0, (None, None, 0), (None, None, 95.0)),
        dictionary_version=version.version,
    )
    session.add(rating)
    session.flush()
    ticket = Ticket(
        tenant_id=tid,
        organ_id=organ,
        indicator_code="CT01",
        period=period,
        colour=result.colour,
        status="open",
        reason_zh=result.reason_zh,
        reason_en=result.reason_en,
        rating_id=rating.id,
        opened_at=now,
        deadline=deadline(now.astimezone(clock.BEIJING).date(), 5, None),
    )
    session.add(ticket)
    session.flush()
    session.add(
        TicketEvent(
            tenant_id=tid,
            ticket_id=ticket.id,
            action="open",
            from_status=None,
            to_status="open",
            actor="system",
            at=now,
        )
    )
    # What the rating job leaves beside it: the court's judgement, the notice to the court's
    # user, and the congress's settings (the defaults, stored).
    session.add(
        Judgement(
            tenant_id=tid,
            organ_id=organ,
            period=period,
            verdict="warning",
            reds=1,
            indicators=[{"code": "CT01", "colour": "red"}],
        )
    )
    session.add(TenantSettings(tenant_id=tid))
    notify(
        session,
        world.users[username(code, "court")],
        tid,
        "ticket_opened",
        f"ticket-{ticket.id}-opened",
        f"CT01 {period} 红色预警,请于 {ticket.deadline:%Y-%m-%d} 前反馈说明",
        f"CT01 {period} is red: explain by {ticket.deadline:%Y-%m-%d}",
        f"tickets/{ticket.id}",
    )
    session.flush()
    world.tickets[code] = ticket.id


def _federation(session: Session, world: World) -> None:
    """The roll-ups of the world's values; the districts' red CT01 as a problem common to
    Hangzhou (found by the real detection, its threshold lowered to two: the world has only
    two districts); the city's campaign launched from it, with a task per district; and
    Xihu's own campaign for its township."""
    from datetime import timedelta

    from app import clock
    from app.auth.models import User
    from federation import campaigns, jobs
    from tenants.scoping import tenant_scope

    jobs.rebuild(session)
    known = {row.code for row in _dictionary_rows(session)}
    deadline = clock.today() + timedelta(days=30)
    city, district = world.tenants["330100"], world.tenants["330106"]
    world.problems["330100"] = _common_problem(session, world, city).id
    launched = {
        "330100": (city, {"common_problem_id": world.problems["330100"]}),
        "330106": (
            district,
            {
                "title": "北山街道案件审理效率联合监督",
                "indicators": ["CT01"],
                "targets": ["330106001"],
                "period": WORLD_MONTH,
                "instructions": "请检查人民法庭结案情况并提出意见。",
            },
        ),
    }
    for code, (parent, fields) in launched.items():
        staff = session.get(User, world.users[username(code, "staff")])
        with tenant_scope(parent.id):
            campaign = campaigns.launch(
                session, parent, staff, deadline=deadline, known_codes=known, **fields
            )
        world.campaigns[code] = campaign.id
        for task in campaigns.tasks_of(session, campaign):
            world.tasks[task.tenant.code] = task.id


def _dictionary_rows(session: Session) -> list:
    from app.indicators.service import version_named

    return version_named(None, session).indicators


def _common_problem(session: Session, world: World, city: Tenant):
    from app.datamart.periods import previous_periods
    from app.indicators.service import spec_of
    from federation.common import PERSIST_N, detect
    from federation.engine import load_tree
    from federation.models import CommonProblem
    from federation.problems import signals_of

    tree = load_tree(session, [spec_of(row) for row in _dictionary_rows(session)])
    kids = {tree.nodes[c].code: tree.nodes[c].name_zh for c in tree.children[city.id]}
    period = WORLD_MONTH
    window = [*previous_periods(period, PERSIST_N - 1), period]
    signals = signals_of(session, tree, set(tree.children[city.id]), {"CT01"}, window)
    found = detect(period, window, kids, signals[(city.id, "CT01")], minimum=2)
    problem = CommonProblem(
        tenant_id=city.id,
        indicator_code="CT01",
        **{k: getattr(found, k) for k in found.__dataclass_fields__},
    )
    session.add(problem)
    session.flush()
    return problem


def _matters(session: Session, world: World) -> None:
    """Each district's inquiry into its court's red CT01 (from the court's ticket), approved
    and started, and the deliberation opinions it issued to the court; made last, so that
    no other object's id moves."""
    for code in ("330106", "330105"):
        _matter(session, world, code)


def _matter(session: Session, world: World, code: str) -> None:
    from app.auth.models import User
    from app.matters import opinions, service
    from tenants.scoping import tenant_scope

    staff, admin = (
        session.get(User, world.users[username(code, role)]) for role in ("staff", "admin")
    )
    with tenant_scope(world.tenant_id(code)):
        matter = service.open_matter(
            session,
            staff,
            title="关于法院案件结收比偏低问题的专题询问",
            subject="standing_committee",
            form="inquiry",
            summary="常委会就法院结收比连续偏低开展专题询问。",
            origin={"kind": "ticket", "ref": world.tickets[code]},
            targets=[world.organ_id(code, "court")],
            documents=[world.documents[(code, "work_news")]],
        )
        service.act(session, matter, "approve", admin, "主任会议同意")
        service.act(session, matter, "start", staff)
        opinion = opinions.issue(
            session,
            staff,
            organ_id=world.organ_id(code, "court"),
            matter_id=matter.id,
            title="关于提高案件结收比的审议意见",
            text="一、加强审判管理;二、清理长期未结案件。",
        )
    world.matters[code] = matter.id
    world.opinions[code] = opinion.id


def _coordination(session: Session, world: World) -> None:
    """Each district's coordination items, made through their services (after the matters,
    so that no other object's id moves)."""
    for code in ("330106", "330105"):
        _coordination_of(session, world, code)


def _coordination_of(session: Session, world: World, code: str) -> None:
    import io
    from datetime import date

    from app.auth.models import User
    from app.coordination import concerns, deputy_opinions, social
    from app.datamart.storage import save_upload
    from tenants.scoping import tenant_scope

    staff, deputy, evaluator = (
        session.get(User, world.users[username(code, role)])
        for role in ("staff", "deputy", "evaluator")
    )
    court = world.organ_id(code, "court")
    with tenant_scope(world.tenant_id(code)):
        concern = concerns.flag(
            session,
            staff,
            organ_id=court,
            kind="indicator",
            indicator_code="CT01",
            period="2026-10",
            title="结收比环比明显下降",
            text="请说明结收比下降的原因及措施。",
        )
        opinion = deputy_opinions.raise_opinion(
            session,
            deputy,
            text="建议法院加快清理积案。",
            page_kind="dashboard",
            chart_name="colours",
            page_path=f"/t/{code}/dashboard",
        )
        deputy_opinions.assign(session, opinion, staff, organ_id=court)
        stored = save_upload(
            session,
            io.BytesIO(f"{code} 评估报告".encode()),
            "评估报告.txt",
            evaluator.username,
            check_type=False,
        )
        report = social.add_report(
            session,
            evaluator,
            title="司法透明度评估报告",
            period="2025",
            summary="透明度指数总体良好。",
            batch_id=world.batches[(code, "evaluator")],
            stored=stored,
            file_name="评估报告.txt",
        )
        recommendation = social.record_recommendation(
            session,
            staff,
            number=f"{code}检建〔2026〕1号",
            title="关于规范执行款发放的检察建议",
            issuer_organ_id=world.organ_id(code, "procuratorate"),
            recipient_organ_id=court,
            issued_on=date(2026, 9, 1),
        )
        comment = social.record_comment(
            session,
            staff,
            channel="letter",
            received_on=date(2026, 9, 3),
            title="反映执行款迟迟未到账",
            text="本人李四,电话13812345678,执行款至今未到账。",
            sender="李四",
            organ_id=court,
        )
    world.concerns[code] = concern.id
    world.deputy_opinions[code] = opinion.id
    world.evaluator_reports[code] = report.id
    world.recommendations[code] = recommendation.id
    world.public_comments[code] = comment.id

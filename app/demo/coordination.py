"""The demo's supervision coordination (监督协同) in 萧山区 (330109): the loop from the
执行难 focus issue (:mod:`app.demo.documents`) to supervision and back, at its different
stages, so a deputy, a staff member or an organ user opening the demo finds work in it.

- an earlier work-report deliberation (听取审议工作报告) of the district court, closed: its
  deliberation opinions (审议意见) were answered on time, evaluated not satisfied (不满意),
  handled again (重新办理) and then evaluated satisfied — so the court's responsiveness
  figures (:mod:`app.matters.responsiveness`) have an on-time answer that was not accepted
  at the first review;
- an inquiry (询问) opened from the 执行难 focus issue, approved and under way, its
  deliberation opinions issued to the court, whose handling plan (办理方案) is in;
- a key concern (重点关注) on the procuratorate's indicator that worsened most from one
  month to the next in the last months (read from the demo's values, so the words match
  the figures whatever the seed), answered in writing, awaiting staff;
- two deputies' opinions (代表意见): one raised from the court's chart, assigned and
  answered, awaiting the deputy's rating; one just submitted, awaiting assignment;
- a procuratorial recommendation (检察建议) to the public security bureau, adopted;
- a comment from the public (群众意见), its personal data masked by the service.

Everything goes through the services, as the users would do it (so every move has its
history, audit row and notifications), each move as the demo user whose role makes it
(``330109-staff``, ``-admin``, ``-deputy``, ``-court``, ``-procuratorate``,
``-public-security``), with the clock frozen at the moment it happens. Moments are counted
back from the demo's last month (``until``), on working days (a deputy writes in the
evening too), the latest in that month itself, so they are in the past when the demo runs
(``until`` is the last complete month by default); deadlines are counted by the services
from those moments. Seeding is deterministic and done once: a congress that has supervision matters
is left alone.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app import clock
from app.analysis.periods import shift_month
from app.audit.recorder import Actor, acting_as
from app.auth.models import User
from app.calendar.workdays import CalendarGap, load_calendar
from app.coordination import concern_states, deputy_opinions, social
from app.coordination import concerns as concern_service
from app.dashboards.models import DashboardSnapshot
from app.datamart.documents import Document
from app.datamart.models import IndicatorValue
from app.demo.documents import XIAOSHAN
from app.indicators.dictionary import IndicatorSpec
from app.indicators.service import spec_of, version_named
from app.matters import opinion_states, opinions, states
from app.matters import service as matters
from app.matters.models import Matter
from tenants.models import Organ, Tenant
from tenants.scoping import tenant_scope

FOCUS_TOPIC = "enforcement"  # 执行难, the topic of the demo's focus issue
MOTION_TITLE = "关于加大执行力度切实解决执行难问题的建议"
HOT_TOPIC_TITLE = "网帖热议：萧山一企业胜诉三年执行款仍未到账"
SURGE_MONTHS = 3  # the key concern looks at the month-on-month changes of the last three


@dataclass
class CoordinationReport:
    matters: int = 0
    opinions: int = 0
    concerns: int = 0
    deputy_opinions: int = 0
    recommendations: int = 0
    comments: int = 0


def seed_coordination(session: Session, until: str) -> CoordinationReport:
    """Seed 萧山区's coordination story (once). Call after the demo's values, topics,
    documents and dashboards exist (the deputy's opinion is raised from a chart)."""
    report = CoordinationReport()
    tenant_id = session.scalar(sa.select(Tenant.id).where(Tenant.code == XIAOSHAN))
    if tenant_id is None:
        return report
    with tenant_scope(tenant_id):
        if session.scalar(sa.select(sa.func.count()).select_from(Matter)):
            return report  # seeded before: leave the congress's records alone
        demo = _Demo(session, tenant_id, until)
        for story in (
            _work_report,
            _recommendation,
            _inquiry,
            _key_concern,
            _deputy_opinions,
            _public_comment,
        ):
            demo.story()
            story(demo, report)
        session.flush()
    return report


class _Demo:
    """The congress's demo users and organs, and the moments of the story."""

    def __init__(self, session: Session, tenant_id: int, until: str):
        self.session, self.tenant_id, self.until = session, tenant_id, until
        users = session.scalars(sa.select(User).where(User.tenant_id == tenant_id)).all()
        self.users = {u.username.removeprefix(f"{XIAOSHAN}-"): u for u in users}
        organs = session.scalars(sa.select(Organ).order_by(Organ.id)).all()
        self.organs = {o.kind: o for o in organs}
        self.calendar = load_calendar()
        self.last: datetime | None = None

    def day(self, months: int, day: int, working: bool = True) -> date:
        """Day ``day`` of the month ``months`` from the demo's last month (0: that month,
        -1: the month before); for an office's act, the first working day from it."""
        month = shift_month(self.until, months)
        found = date(int(month[:4]), int(month[5:]), day)
        while working and not self._works(found):
            found += timedelta(days=1)
        return found

    def _works(self, day: date) -> bool:
        try:
            return self.calendar.is_working_day(day)
        except CalendarGap:  # outside the holiday data: weekdays work
            return day.weekday() < 5

    def story(self) -> None:
        """Start another object's history: its moves follow each other from now on."""
        self.last = None

    @contextmanager
    def step(
        self, months: int, day: int, at: str, role: str, working: bool = True
    ) -> Iterator[User]:
        """Act as the demo user ``<code>-<role>`` at ``at`` (Beijing time) on that day,
        or on the next working day after the story's last move where a holiday pushed
        two moves onto one day out of order (the Spring Festival's week, National Day's)."""
        hour, minute = (int(part) for part in at.split(":"))
        moment = datetime.combine(self.day(months, day, working), time(hour, minute), clock.BEIJING)
        while self.last is not None and moment <= self.last:
            moment += timedelta(days=1)
            while working and not self._works(moment.date()):
                moment += timedelta(days=1)
        self.last = moment
        user = self.users[role]
        actor = Actor(user.username, user.id, self.tenant_id)
        with clock.frozen_at(moment.astimezone(UTC)), acting_as(actor):
            yield user

    def document(self, title: str) -> int | None:
        return self.session.scalar(sa.select(Document.id).where(Document.title == title))


# --- supervision matters and opinions ---------------------------------------------------------


def _work_report(demo: _Demo, report: CoordinationReport) -> None:
    """Last year's deliberation of the court's report on civil and commercial trials: the
    opinions' first result is not satisfied, the second is; the matter is closed."""
    session, court = demo.session, demo.organs["court"]
    with demo.step(-14, 10, "09:30", "staff") as user:
        matter = matters.open_matter(
            session,
            user,
            title="听取和审议区人民法院关于民商事审判工作情况的报告",
            subject="standing_committee",
            form="work_report",
            summary="按照年度监督工作计划，常委会会议听取和审议区人民法院关于民商事审判"
            "工作情况的报告，会前组织部分常委会组成人员和人大代表开展专题调研。",
            targets=[court.id],
            planned_start=demo.day(-13, 1),
            planned_end=demo.day(-9, 28),
        )
    with demo.step(-14, 20, "15:00", "admin") as user:
        matters.act(session, matter, states.APPROVE, user, "经主任会议研究，同意列入监督工作计划")
    with demo.step(-13, 6, "10:00", "staff") as user:
        matters.act(session, matter, states.START, user, "成立调研组，赴区法院及两个人民法庭调研")
    with demo.step(-12, 26, "16:30", "staff") as user:
        opinion = opinions.issue(
            session,
            user,
            organ_id=court.id,
            title="关于区人民法院民商事审判工作情况报告的审议意见",
            text="区人大常委会第二十一次会议听取和审议了区人民法院关于民商事审判工作情况"
            "的报告。会议充分肯定区法院的工作，同时指出了存在的问题，请区法院认真研究"
            "处理，并按期将办理方案和办理结果书面报告区人大常委会。",
            problems=[
                "部分民商事案件审理周期偏长，长期未结案件清理不够及时",
                "多元解纷与诉源治理衔接不够紧密，诉前调解成功率有待提高",
                "裁判文书说理和审判监督管理有待加强",
            ],
            matter_id=matter.id,
        )
    with demo.step(-11, 9, "11:00", "court") as user:
        opinions.submit(
            session,
            opinion,
            opinion_states.SUBMIT_PLAN,
            user,
            "一、开展长期未结案件专项清理，逐案明确责任人和结案时限；二、在各人民法庭设立"
            "诉前调解工作室，与司法所、人民调解委员会对接；三、每季度开展裁判文书评查。",
        )
    with demo.step(-11, 28, "14:00", "court") as user:
        opinions.submit(
            session,
            opinion,
            opinion_states.SUBMIT_RESULT,
            user,
            "已开展长期未结案件专项清理，设立诉前调解工作室5个，完成一轮裁判文书评查。"
            "下一步将继续巩固整改成效。",
        )
    with demo.step(-10, 12, "10:00", "staff") as user:
        opinions.evaluate(
            session,
            opinion,
            "not_satisfied",
            user,
            "办理结果只列出工作措施，长期未结案件清理缺少数量和时限，诉源治理没有具体"
            "举措和成效数据。请补充清理台账和诉前调解数据，重新办理。",
        )
    with demo.step(-10, 26, "15:00", "court") as user:
        opinions.submit(
            session,
            opinion,
            opinion_states.SUBMIT_RESULT,
            user,
            "补充报告如下：一、清理长期未结案件43件，结案38件，余5件因鉴定、公告送达尚未审结，"
            "均已明确结案时限；二、诉前调解工作室受理纠纷612件，调解成功278件，成功率45.4%，"
            "同比提高9.2个百分点；三、评查裁判文书300篇，发现问题17篇，均已整改并纳入考核。",
        )
    with demo.step(-9, 10, "10:00", "staff") as user:
        opinions.evaluate(session, opinion, "satisfied", user, "补充报告数据翔实，整改措施到位")
    with demo.step(-9, 11, "09:30", "staff") as user:
        matters.act(session, matter, states.RECEIVE_FEEDBACK, user)
    with demo.step(-9, 16, "16:00", "staff") as user:
        matters.act(
            session,
            matter,
            states.EVALUATE,
            user,
            "常委会会议对审议意见办理情况进行满意度测评，结果为满意。",
        )
    with demo.step(-9, 18, "10:00", "staff") as user:
        matters.act(session, matter, states.CLOSE, user)
    report.matters += 1
    report.opinions += 1


def _inquiry(demo: _Demo, report: CoordinationReport) -> None:
    """The inquiry on enforcement opened from the focus issue: approved, the inquiry held,
    its deliberation opinions issued to the court, the court's handling plan in."""
    session, court = demo.session, demo.organs["court"]
    documents = [d for d in (demo.document(MOTION_TITLE), demo.document(HOT_TOPIC_TITLE)) if d]
    with demo.step(-1, 8, "10:00", "staff") as user:
        matter = matters.open_matter(
            session,
            user,
            title="关于区人民法院执行工作情况的专题询问",
            subject="standing_committee",
            form="inquiry",
            summary="数据碰撞显示“执行难”同时为难点、热点和弱点：区法院执行到位率连续多月"
            "红色预警且明显低于其他区县法院，群众来信来访和代表建议集中反映执行款不到位。"
            "建议常委会就执行工作开展专题询问。",
            origin={"kind": "focus_issue", "ref": FOCUS_TOPIC},
            targets=[court.id],
            documents=documents,
            planned_start=demo.day(-1, 20),
            planned_end=demo.day(2, 28),
        )
    with demo.step(-1, 15, "15:30", "admin") as user:
        matters.act(session, matter, states.APPROVE, user, "经主任会议研究，同意开展专题询问")
    with demo.step(-1, 20, "09:00", "staff") as user:
        matters.act(
            session,
            matter,
            states.START,
            user,
            "组织代表旁听执行现场，梳理询问问题清单，召开专题询问会议",
        )
    with demo.step(0, 9, "16:00", "staff") as user:
        opinion = opinions.issue(
            session,
            user,
            organ_id=court.id,
            title="关于区人民法院执行工作情况专题询问的审议意见",
            text="区人大常委会第二十九次会议对区人民法院执行工作情况开展了专题询问。会议认为，"
            "区法院在执行工作中做了大量努力，但执行难问题依然突出，群众反映强烈。请区法院"
            "对照以下问题认真研究处理，按期书面报告办理方案和办理结果。",
            problems=[
                "执行到位率连续多月处于红色预警，明显低于全市平均水平",
                "网络查控和失信联合惩戒落实不严，失信被执行人仍有高消费行为",
                "涉民生、涉企案件执行款兑现慢，相关信访和网络舆情较多",
            ],
            matter_id=matter.id,
        )
    with demo.step(0, 23, "10:30", "court") as user:
        opinions.submit(
            session,
            opinion,
            opinion_states.SUBMIT_PLAN,
            user,
            "一、成立执行攻坚专班，对执行到位率低的案件逐案分析、挂牌督办；二、会同公安、"
            "自然资源、金融监管部门完善网络查控和失信联合惩戒，对拒不执行判决裁定的依法"
            "移送追究刑事责任；三、建立涉民生、涉企执行案件台账，执行款到账后七个工作日内"
            "发放；四、每季度向区人大常委会报告执行款到位情况。",
        )
    report.matters += 1
    report.opinions += 1


# --- key concerns -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Surge:
    spec: IndicatorSpec
    back: int  # how many months before ``until`` the worsened month is
    before: float
    after: float

    def period(self, until: str) -> str:
        return shift_month(until, -self.back)


def _worst_change(session: Session, organ: Organ, until: str) -> _Surge | None:
    """The organ's banded monthly indicator that worsened most from one month to the next
    over the last :data:`SURGE_MONTHS` months before ``until`` (the change measured in
    widths of its yellow band); ties go to the earlier code and month."""
    specs = {
        s.code: s
        for s in (spec_of(row) for row in version_named(None, session).indicators)
        if s.organ_kind == organ.kind
        and s.period == "month"
        and s.green is not None
        and s.red is not None
        and s.green != s.red
        and s.direction in ("up", "down")
    }
    first = shift_month(until, -SURGE_MONTHS - 1)
    rows = session.execute(
        sa.select(IndicatorValue.indicator_code, IndicatorValue.period, IndicatorValue.value)
        .where(
            IndicatorValue.organ_id == organ.id,
            IndicatorValue.is_current,
            IndicatorValue.indicator_code.in_(specs),
            IndicatorValue.period >= first,
            IndicatorValue.period < until,
        )
        .order_by(IndicatorValue.indicator_code, IndicatorValue.period)
    ).all()
    values = {(code, period): value for code, period, value in rows if value is not None}
    best, found = None, None
    for code, spec in sorted(specs.items()):
        worse = 1 if spec.direction == "down" else -1
        for back in range(SURGE_MONTHS, 0, -1):
            period = shift_month(until, -back)
            before, after = values.get((code, shift_month(period, -1))), values.get((code, period))
            if before is None or after is None:
                continue
            score = (after - before) * worse / abs(spec.red - spec.green)
            if best is None or score > best:
                best, found = score, _Surge(spec, back, before, after)
    return found


def _colour(spec: IndicatorSpec, value: float) -> str:
    if spec.direction == "down":
        return "绿" if value <= spec.green else "红" if value > spec.red else "黄"
    return "绿" if value >= spec.green else "红" if value < spec.red else "黄"


def _amount(spec: IndicatorSpec, value: float) -> str:
    return f"{value:.2f}%" if spec.unit == "%" else f"{value:.1f}{spec.unit}"


def _change(spec: IndicatorSpec, delta: float) -> str:
    size = f"{abs(delta):.2f}个百分点" if spec.unit == "%" else f"{abs(delta):.1f}{spec.unit}"
    return ("上升" if delta > 0 else "下降") + size


def _month_zh(period: str) -> str:
    return f"{period[:4]}年{int(period[5:])}月"


def _key_concern(demo: _Demo, report: CoordinationReport) -> None:
    """The procuratorate's sharpest month-on-month worsening, flagged by staff after the
    month's figures came in and answered in writing; it awaits staff."""
    session, organ = demo.session, demo.organs["procuratorate"]
    surge = _worst_change(session, organ, demo.until)
    if surge is None:
        return
    spec, period = surge.spec, surge.period(demo.until)
    month = _month_zh(period)
    delta = surge.after - surge.before
    colours = (_colour(spec, surge.before), _colour(spec, surge.after))
    turned = f"，由{colours[0]}色转为{colours[1]}色" if colours[0] != colours[1] else ""
    offset = 1 - surge.back  # flagged in the month after, when its figures are in
    with demo.step(offset, 6, "10:00", "staff") as user:
        concern = concern_service.flag(
            session,
            user,
            organ_id=organ.id,
            kind="indicator",
            title=f"{month}{spec.name_zh}环比{'上升' if delta > 0 else '下降'}较多",
            text=f"{month}区人民检察院{spec.name_zh}为{_amount(spec, surge.after)}，较上月"
            f"{_change(spec, delta)}{turned}，在该院各项指标中变动最大。请书面说明变动"
            "原因和拟采取的措施。",
            indicator_code=spec.code,
            period=period,
        )
    with demo.step(offset, 14, "16:00", "procuratorate") as user:
        concern_service.act(
            session,
            concern,
            concern_states.RESPOND,
            user,
            f"经核查，{month}{spec.name_zh}变动主要是当月办结案件数量较少、个别批次案件集中"
            "办结，对指标影响较大。本院已对相关案件逐案复盘，未发现违规办案情形。下一步将"
            "加强案件质量分析研判，按月跟踪该指标，并在季度工作通报中向区人大常委会报告。",
        )
    report.concerns += 1


# --- deputies' opinions -------------------------------------------------------------------------


def _deputy_opinions(demo: _Demo, report: CoordinationReport) -> None:
    """One raised from the court's chart, assigned and answered, awaiting the deputy's
    rating; one raised at the end of the month, awaiting assignment."""
    session, court = demo.session, demo.organs["court"]
    police = demo.organs["public_security"]
    chart = f"organ-{court.id}-trend"
    page = {"page_kind": "dashboard", "page_path": f"/t/{XIAOSHAN}/dashboard?organ={court.id}"}
    if session.scalar(sa.select(DashboardSnapshot.id).where(DashboardSnapshot.name == chart)):
        page["chart_name"] = chart
    else:  # no charts built (values only): the court's lab sheet instead
        page = {"page_kind": "lab_sheet", "page_path": f"/t/{XIAOSHAN}/organs/{court.id}/lab-sheet"}
        page["organ_id"] = court.id
    with demo.step(0, 2, "20:15", "deputy", working=False) as user:
        raised = deputy_opinions.raise_opinion(
            session,
            user,
            kind="suggestion",
            text="从法院指标走势看，执行到位率连续多月亮红灯，明显低于其他区县法院。"
            "建议区法院说明执行款到位慢的主要原因，公布下一步集中执行行动安排，并定期"
            "向申请执行人反馈执行进展。",
            indicator_code="CT11",
            **page,
        )
    with demo.step(0, 6, "10:00", "staff") as user:
        deputy_opinions.assign(
            session,
            raised,
            user,
            organ_id=court.id,
            shared=True,
            comment="与执行工作专题询问一并研究答复",
        )
    with demo.step(0, 20, "15:30", "court") as user:
        deputy_opinions.answer(
            session,
            raised,
            user,
            "感谢代表关注。执行到位率偏低的主要原因：一是民间借贷、买卖合同案件中被执行人"
            "无财产可供执行的比例较高；二是部分被执行人转移、隐匿财产，查控难度大。本院已"
            "成立执行攻坚专班，将于近期开展涉民生案件集中执行行动，并通过短信和“移动微"
            "法院”每月向申请执行人推送执行进展。",
        )
    demo.story()
    with demo.step(0, 28, "21:40", "deputy", working=False) as user:
        deputy_opinions.raise_opinion(
            session,
            user,
            kind="opinion",
            text="联络站接待时，有群众反映偏远村社报警后民警到场较慢。建议区公安分局优化"
            "巡逻警力布局，在偏远村社增设警务联络点，缩短110到场时间。",
            page_kind="lab_sheet",
            page_path=f"/t/{XIAOSHAN}/organs/{police.id}/lab-sheet",
            organ_id=police.id,
            indicator_code="PS04",
        )
    report.deputy_opinions += 2


# --- third-party and social supervision -----------------------------------------------------


def _recommendation(demo: _Demo, report: CoordinationReport) -> None:
    """The procuratorate's recommendation to the public security bureau on seized property,
    recorded by the procuratorate and adopted in the bureau's reply."""
    session = demo.session
    issuer, recipient = demo.organs["procuratorate"], demo.organs["public_security"]
    issued_on = demo.day(-3, 12)
    with demo.step(-3, 14, "10:00", "procuratorate") as user:
        item = social.record_recommendation(
            session,
            user,
            number=f"萧检建〔{issued_on.year}〕7号",
            title="关于规范涉案财物管理工作的检察建议",
            text="本院在办理审查起诉案件中发现，你局部分派出所存在涉案财物登记不规范、"
            "随案移送不及时、处置程序不完备等问题。建议：一、开展涉案财物管理专项检查，"
            "逐项整改；二、完善涉案财物管理制度和信息化台账；三、将涉案财物管理纳入执法"
            "质量考评。请于收到本检察建议书之日起两个月内书面回复本院。",
            issuer_organ_id=issuer.id,
            recipient_organ_id=recipient.id,
            issued_on=issued_on,
        )
    with demo.step(-2, 20, "15:00", "public-security") as user:
        social.reply_to(
            session,
            item,
            user,
            "adopted",
            "采纳。我局已组织开展涉案财物管理专项检查，对2个派出所登记不规范、移交不及时的"
            "问题逐一整改，修订《涉案财物管理办法》，上线涉案财物管理信息台账，并将涉案"
            "财物管理纳入执法质量考评。",
        )
    report.recommendations += 1


def _public_comment(demo: _Demo, report: CoordinationReport) -> None:
    """A comment left at a deputies' liaison station, recorded by staff; the service masks
    the sender's name, the person named and the phone number before it is stored."""
    with demo.step(0, 19, "09:40", "staff") as user:
        social.record_comment(
            demo.session,
            user,
            channel="liaison_station",
            received_on=demo.day(0, 16),
            title="赵志强反映执行案件承办法官难以联系",
            text="赵志强（联系电话13857112345）反映：其与孙建军民间借贷纠纷一案进入执行程序已"
            "八个月，多次拨打执行法官电话无人接听，执行进展无从了解。希望法院畅通执行案件"
            "沟通渠道，及时告知财产查控情况。",
            organ_id=demo.organs["court"].id,
            sender="赵志强",
            persons=["孙建军"],
        )
    report.comments += 1

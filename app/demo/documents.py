"""The demo's data-mart documents: petitions, deputies' suggestions and internet hot topics
that make a focus issue (焦点问题) out of the planted CT11 story.

萧山区 (330109)'s court is red on 执行到位率 (CT11) every month since 2025-07 (难点) and far
below the other district courts (弱点, a peer z-score well above 3.5); these documents,
dated in the last months before the demo's last month, make 执行难 hot there too (热点),
so the collision finds one topic with all three tags. A few other documents keep the
data mart realistic: one petition on slow trials (one alone does not make a topic hot),
the court's own work news, and the city's deputies on fraud.

Every date is counted back from ``until``, so the documents always fall in the window of
the collision drawn for the demo's last month; everything else is fixed, as the values.
Petitions list the persons they name, as the data mart requires, so they are masked.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from app.analysis.periods import shift_month


@dataclass(frozen=True)
class DemoDocument:
    tenant_code: str
    organ_kind: str | None
    category: str
    months_before: int  # 0: the demo's last month
    day: int
    title: str
    source: str
    body: str
    persons: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()


XIAOSHAN = "330109"

DOCUMENTS: tuple[DemoDocument, ...] = (
    DemoDocument(
        XIAOSHAN,
        "court",
        "petitions",
        4,
        9,
        "陈建国反映买卖合同纠纷执行款长期未到位",
        "萧山区人大常委会信访室来信",
        "信访人陈建国反映：其与杭州某建材有限公司买卖合同纠纷一案，萧山区人民法院已作出"
        "生效判决，判令对方支付货款36万元。申请强制执行已一年有余，执行款至今仅到位2万元，"
        "被执行人名下车辆仍在日常使用。信访人请求法院查控被执行人财产，加大执行力度。",
        ("陈建国",),
        ("执行", "买卖合同"),
    ),
    DemoDocument(
        XIAOSHAN,
        "court",
        "petitions",
        2,
        17,
        "王秀英等12名务工人员反映劳动报酬执行难",
        "萧山区人大常委会信访室接待",
        "王秀英代表12名务工人员来访反映：劳动报酬纠纷胜诉后，被执行人拒不执行，法院以"
        "“无财产可供执行”终结本次执行程序，工资款合计48万元至今未兑现。来访人认为执行不到位，"
        "希望区人大督促法院恢复执行。",
        ("王秀英",),
        ("执行", "劳动报酬"),
    ),
    DemoDocument(
        XIAOSHAN,
        "court",
        "petitions",
        1,
        6,
        "李明华反映失信被执行人周伟仍有高消费行为",
        "浙江省信访网上投诉（转办）",
        "李明华反映：民间借贷纠纷被执行人周伟已被列为失信被执行人，但近期仍多次乘坐飞机、"
        "入住高档酒店。李明华认为对“老赖”的限制消费措施落实不严，请求依法处理。",
        ("李明华", "周伟"),
        ("执行", "失信"),
    ),
    DemoDocument(
        XIAOSHAN,
        "court",
        "petitions",
        3,
        14,
        "张丽萍反映离婚纠纷案件审理期限过长",
        "萧山区人大常委会信访室来信",
        "张丽萍反映：其离婚纠纷案件立案已近十个月仍未判决，多次延期开庭，认为案件久拖不决。",
        ("张丽萍",),
        ("审判",),
    ),
    DemoDocument(
        XIAOSHAN,
        "court",
        "deputy_motions",
        3,
        20,
        "关于加大执行力度切实解决执行难问题的建议",
        "萧山区第十八届人大第五次会议代表建议第57号（5名代表联名）",
        "近年来我区民商事案件执行到位率持续走低，群众对“执行难”反映强烈。建议：一是区法院"
        "会同公安、自然资源、金融监管等部门完善网络查控，提高执行款到位速度；二是加大对失信"
        "被执行人的联合惩戒；三是对拒不执行判决裁定的依法追究刑事责任。",
        (),
        ("执行难", "代表建议"),
    ),
    DemoDocument(
        XIAOSHAN,
        "court",
        "deputy_motions",
        1,
        25,
        "关于建立涉企执行案件执行款快速兑现机制的建议",
        "萧山区人大代表闭会期间建议第12号",
        "中小企业胜诉后执行款迟迟不能到位，影响资金周转。建议区法院建立涉企执行案件台账，"
        "对执行款到位情况定期向区人大常委会报告。",
        (),
        ("执行", "营商环境"),
    ),
    DemoDocument(
        XIAOSHAN,
        "court",
        "hot_topics",
        2,
        3,
        "网帖热议：萧山一企业胜诉三年执行款仍未到账",
        "网络舆情监测（本地论坛，浏览量2.3万）",
        "网帖称：某企业与合作方合同纠纷胜诉已三年，执行款仍未到账，“赢了官司拿不到钱”。"
        "跟帖多反映执行难、执行周期长，也有网友称赞法院近期集中执行行动。",
        (),
        ("执行难", "网络舆情"),
    ),
    DemoDocument(
        XIAOSHAN,
        "court",
        "hot_topics",
        0,
        12,
        "短视频热议：“老赖”开豪车出入小区，强制执行何时到位",
        "网络舆情监测（短视频平台，播放量15万）",
        "短视频显示一名被执行人驾驶豪车出入小区，引发网友对“老赖”规避执行的讨论，评论集中在"
        "强制执行措施是否到位、失信惩戒是否有力。",
        (),
        ("老赖", "网络舆情"),
    ),
    DemoDocument(
        XIAOSHAN,
        "court",
        "work_news",
        1,
        28,
        "萧山区法院开展涉民生案件集中执行行动",
        "萧山区人民法院",
        "区法院组织集中执行行动，执结涉民生案件86件，执行到位金额1260万元。",
        (),
        ("执行",),
    ),
    DemoDocument(
        "330100",
        None,
        "deputy_motions",
        2,
        11,
        "关于加强电信网络诈骗源头治理的建议",
        "杭州市十四届人大代表建议第203号",
        "电信网络诈骗案件多发，刷单、冒充客服等手法不断翻新。建议公安机关加强反诈预警劝阻，"
        "检察机关加强对帮信犯罪的追诉。",
        (),
        ("反诈",),
    ),
)


def demo_documents(until: str) -> Iterator[tuple[DemoDocument, dict]]:
    """Each document with its fields as the data mart's schema takes them."""
    for doc in DOCUMENTS:
        month = shift_month(until, -doc.months_before)
        yield (
            doc,
            {
                "category": doc.category,
                "title": doc.title,
                "date": date(int(month[:4]), int(month[5:]), doc.day).isoformat(),
                "source": doc.source,
                "body": doc.body,
                "persons": list(doc.persons),
                "tags": list(doc.tags),
            },
        )

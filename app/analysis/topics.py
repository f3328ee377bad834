"""Supervision topics (监督议题): what data collision tags and a portrait points to.

A topic names a problem the way deputies talk about it (执行难, 电信诈骗…), with the Chinese
keywords that find it in petitions, deputies' motions and internet hot topics, and the
dictionary indicators that measure it. ``DEFAULT_TOPICS`` is the shipped list; a congress
may pass its own.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Topic:
    code: str
    name_zh: str
    name_en: str
    keywords: tuple[str, ...]  # any one of them, found in a document's title or text
    indicators: tuple[str, ...]  # dictionary codes

    def mentioned_in(self, text: str) -> tuple[str, ...]:
        """The keywords that occur in ``text`` (case-insensitive), in the topic's order."""
        folded = text.casefold()
        return tuple(k for k in self.keywords if k.casefold() in folded)


# Keywords are specific on purpose: a bare 执行 would also match 刑事执行 (sentence
# execution), and 信访 would match every petition whatever its subject.
DEFAULT_TOPICS: tuple[Topic, ...] = (
    Topic(
        "enforcement",
        "执行难",
        "Difficulty enforcing judgments",
        (
            "执行难",
            "被执行人",
            "执行款",
            "老赖",
            "失信被执行",
            "拒不执行",
            "执行不到位",
            "强制执行",
        ),
        ("CT11", "CT12"),
    ),
    Topic(
        "trial_efficiency",
        "审判效率",
        "Trial efficiency",
        ("审判效率", "久拖不决", "超审限", "审理期限", "审理周期", "积案", "立案难", "拖延审理"),
        ("CT01", "CT02", "CT03", "CT04", "CT05"),
    ),
    Topic(
        "judicial_fairness",
        "司法公正",
        "Fair judgments",
        ("司法不公", "裁判不公", "冤错", "改判", "发回重审", "同案不同判", "再审"),
        ("CT06", "CT07", "CT08", "PR12"),
    ),
    Topic(
        # The dictionary has no indicator about minors as such; public-interest litigation
        # and procuratorial recommendations are where procuratorates protect them.
        "minors",
        "未成年人保护",
        "Protection of minors",
        ("未成年人", "未成年", "校园欺凌", "校园霸凌", "青少年", "儿童", "监护"),
        ("PR02", "PR07"),
    ),
    Topic(
        "telecom_fraud",
        "电信诈骗",
        "Telecom and online fraud",
        ("电信诈骗", "电信网络诈骗", "电诈", "网络诈骗", "刷单", "杀猪盘", "冒充客服", "反诈"),
        ("PS03", "PS01"),
    ),
    Topic(
        "dispute_resolution",
        "矛盾纠纷化解",
        "Resolving disputes",
        ("矛盾纠纷", "纠纷化解", "人民调解", "诉前调解", "诉源治理", "邻里纠纷", "调解"),
        ("JB01", "CT13", "CT10", "CT16"),
    ),
    Topic(
        "law_enforcement_conduct",
        "执法规范化",
        "Proper law enforcement",
        ("执法不规范", "执法不公", "粗暴执法", "不作为", "乱作为", "涉案财物", "有案不立"),
        ("PS05", "PS06", "PS07", "PS08", "PS09"),
    ),
    Topic(
        "public_safety",
        "治安防控",
        "Public safety",
        ("治安", "出警", "报警", "盗窃", "安全感"),
        ("PS04", "PS10", "PS01", "PS02"),
    ),
    Topic(
        "legal_services",
        "公共法律服务",
        "Public legal services",
        ("法律援助", "法律服务", "12348", "法律咨询", "热线打不通"),
        ("JB04", "JB05", "JB09", "JB10"),
    ),
    Topic(
        "community_correction",
        "社区矫正与安置帮教",
        "Community correction and aftercare",
        ("社区矫正", "再犯罪", "刑满释放", "安置帮教"),
        ("JB02", "JB03"),
    ),
)


def topic_by_code(code: str, topics: tuple[Topic, ...] = DEFAULT_TOPICS) -> Topic:
    """The topic with ``code``; KeyError when there is none."""
    for topic in topics:
        if topic.code == code:
            return topic
    raise KeyError(code)

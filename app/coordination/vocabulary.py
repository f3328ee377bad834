"""The words of coordination: kinds of key concern, where a deputy raised an opinion from,
how the public's comments reach the congress, and how a recommendation was received.

Every code has a Chinese and an English label, (zh, en), as the users speak them.
"""

from __future__ import annotations

from app.matters.vocabulary import GRADES

CONCERN_KINDS = {
    "indicator": ("指标异动", "a change in an indicator"),
    "hot_topic": ("互联网热议", "an internet hot topic"),
    "other": ("其他关注事项", "another matter of concern"),
}

DEPUTY_OPINION_KINDS = {
    "opinion": ("意见", "opinion"),
    "suggestion": ("建议", "suggestion"),
}

# The page a deputy raised an opinion from; the context fields it carries.
PAGE_KINDS = {
    "dashboard": ("监督看板图表", "a dashboard chart"),
    "ticket": ("反馈工单", "a response ticket"),
    "lab_sheet": ("体检化验单", "a lab sheet"),
    "other": ("其他页面", "another page"),
}

COMMENT_CHANNELS = {
    "letter": ("来信", "letter"),
    "visit": ("来访", "visit"),
    "hotline": ("热线电话", "hotline"),
    "website": ("网站留言", "website message"),
    "email": ("电子邮件", "e-mail"),
    "liaison_station": ("代表联络站", "deputies' liaison station"),
}

# The deputy's rating of an organ's answer: the same three grades as the congress's
# evaluation of an opinion's result.
RATINGS = GRADES


def label(table: dict, code: str | None, english: bool = False) -> str:
    zh, en = table.get(code, (code or "", code or ""))
    return en if english else zh

"""The words of supervision: who supervises (the subject 监督主体), how (the form 监督形式),
where a matter came from (its origin) and what kind of opinion the congress issues.

Every code has a Chinese and an English label, (zh, en), as the users speak them.
"""

from __future__ import annotations

PLENARY, STANDING_COMMITTEE, SPECIAL_COMMITTEE, DEPUTIES = (
    "plenary",
    "standing_committee",
    "special_committee",
    "deputies",
)
SUBJECTS = {
    PLENARY: ("大会监督", "the plenary session"),
    STANDING_COMMITTEE: ("常委会监督", "the standing committee"),
    SPECIAL_COMMITTEE: ("专门委员会监督", "a special committee"),
    DEPUTIES: ("代表监督", "deputies"),
}

FORMS = {
    "work_report": ("听取审议工作报告", "hearing and deliberating a work report"),
    "special_report": ("听取审议专项工作报告", "hearing a special work report"),
    "law_enforcement_inspection": ("执法检查", "law-enforcement inspection"),
    "inquiry": ("询问", "inquiry"),
    "interpellation": ("质询", "interpellation"),
    "special_investigation": ("特定问题调查", "special-question investigation"),
    "special_appraisal": ("专题评议", "special appraisal"),
    "filing_review": ("规范性文件备案审查", "filing review of normative documents"),
    "research": ("专题调研", "thematic research"),
    "deputy_inspection": ("代表视察", "deputy inspection"),
    "suggestion": ("代表建议", "deputy's suggestion"),
}

# Which forms each subject uses. The plenary session deliberates the organs' work reports
# and may raise an interpellation or set up an investigation committee; the standing
# committee has every form of the Supervision Law (监督法) plus the local practice of
# special appraisal; a special committee researches, inspects and appraises for it;
# deputies inspect, research and suggest.
FORMS_BY_SUBJECT = {
    PLENARY: ("work_report", "interpellation", "special_investigation"),
    STANDING_COMMITTEE: (
        "work_report",
        "special_report",
        "law_enforcement_inspection",
        "inquiry",
        "interpellation",
        "special_investigation",
        "special_appraisal",
        "filing_review",
    ),
    SPECIAL_COMMITTEE: (
        "research",
        "law_enforcement_inspection",
        "special_appraisal",
        "filing_review",
    ),
    DEPUTIES: ("deputy_inspection", "research", "suggestion"),
}

# Where a matter came from. ``focus_issue`` and ``deputy_motion`` are named by a free
# reference (a topic code, a motion number); the others by the id of a row of this
# tenant, checked when the matter is opened.
ORIGINS = {
    "focus_issue": ("焦点问题", "focus issue"),
    "common_problem": ("共性问题", "common problem"),
    "ticket": ("反馈工单", "response ticket"),
    "deputy_motion": ("代表议案建议", "deputy's motion"),
    "joint_task": ("联合监督任务", "joint-supervision task"),
    "document": ("数据集市文件", "data-mart document"),
    # third-party and social supervision (app.coordination), named by the row's id
    "evaluator_report": ("第三方评估报告", "third-party evaluator's report"),
    "recommendation": ("检察建议", "procuratorial recommendation"),
    "public_comment": ("群众意见", "public comment"),
    "none": ("无", "none"),
}

OPINION_KINDS = {
    "deliberation": ("审议意见", "deliberation opinions"),
    "problem_list": ("问题清单", "list of problems"),
}

GRADES = {
    "satisfied": ("满意", "satisfied"),
    "basically_satisfied": ("基本满意", "basically satisfied"),
    "not_satisfied": ("不满意", "not satisfied"),
}


def form_allowed(subject: str, form: str) -> bool:
    return form in FORMS_BY_SUBJECT.get(subject, ())


def label(table: dict, code: str | None, english: bool = False) -> str:
    zh, en = table.get(code, (code or "", code or ""))
    return en if english else zh

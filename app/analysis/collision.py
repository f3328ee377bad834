"""Data collision (数据碰撞): tagging topics from three sources to find focus issues (焦点问题).

Each topic (:mod:`app.analysis.topics`) is tested against three kinds of evidence, all within
a window of the last ``window`` periods (default 6) ending with ``as_of``:

难点 difficulty — the organs' own figures
    one of the topic's indicators was red in at least ``red_periods`` (default 3) of the
    last ``window`` periods, for the same organ. The periods are the indicator's own: the
    last 6 months for a monthly indicator, the last 6 years for a yearly one.
热点 hot point — what people raise
    at least ``hot_documents`` (default 2) documents dated within the last ``window`` months
    — petitions 信访, deputies' motions and suggestions 代表建议/议案, internet hot topics
    网络热点 — mention one of the topic's keywords in their title or text.
弱点 weak point — the comparison with peers
    one of the topic's indicators lay on the worse side of its peers' median by the robust
    peer rule within the window: flagged as below peers, or with a worse-side modified
    z-score of at least ``weak_z`` (default 3.5, the peer rule's yellow threshold).

A topic carrying all three tags is a focus issue: a candidate for inquiry (询问). Two tags
are not enough. Every tag keeps its evidence — what, which period, and the ids to link to —
so that a deputy can check why a topic was tagged; software proposes, people decide.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from types import MappingProxyType

from app.analysis.periods import containing, month_index, period_index
from app.analysis.topics import DEFAULT_TOPICS, Topic
from app.indicators.dictionary import load_dictionary
from app.ratings.rules import YELLOW_Z

DIFFICULTY, HOT, WEAKNESS = "difficulty", "hot", "weakness"
TAG_KINDS = (DIFFICULTY, HOT, WEAKNESS)
TAG_LABELS = {
    DIFFICULTY: ("难点", "difficulty"),
    HOT: ("热点", "hot point"),
    WEAKNESS: ("弱点", "weak point"),
}
# The data mart's category codes of the documents that make a topic hot.
DOCUMENT_KINDS = {
    "petitions": ("信访", "petition"),
    "deputy_motions": ("代表建议/议案", "deputies' motion"),
    "hot_topics": ("网络热点", "internet hot topic"),
}


# --- inputs -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ColourRecord:
    """One rating: ``indicator`` of ``organ`` was ``colour`` in ``period``; ``ref`` is the id
    to link to (e.g. the rating's)."""

    indicator: str
    period: str
    colour: str
    organ: Hashable = None
    ref: Hashable = None


@dataclass(frozen=True)
class DocumentRecord:
    id: Hashable
    kind: str  # a DOCUMENT_KINDS code; other kinds are ignored
    title: str
    text: str
    date: date


@dataclass(frozen=True)
class PeerRecord:
    """A comparison with peers. ``z``: the modified z-score, positive on the worse side
    (:func:`app.analysis.portrait.peer_z`); ``below_peers``: the peer rule's verdict — True
    when it put the value on the worse side (below the median when higher is better) — which
    wins when given."""

    indicator: str
    period: str
    z: float | None = None
    below_peers: bool | None = None
    organ: Hashable = None
    ref: Hashable = None

    def is_weak(self, weak_z: float) -> bool:
        if self.below_peers is not None:
            return self.below_peers
        return self.z is not None and self.z >= weak_z


@dataclass(frozen=True)
class CollisionRules:
    red_periods: int = 3
    window: int = 6
    hot_documents: int = 2
    weak_z: float = YELLOW_Z
    document_kinds: tuple[str, ...] = tuple(DOCUMENT_KINDS)


DEFAULT_RULES = CollisionRules()


# --- outputs ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Evidence:
    what_zh: str
    what_en: str
    period: str  # the rated period, or a document's date as YYYY-MM-DD
    targets: tuple[Hashable, ...]  # ids to link to: a rating, a document…
    indicator: str | None = None
    organ: Hashable = None


@dataclass(frozen=True)
class Tag:
    kind: str  # difficulty | hot | weakness
    reason_zh: str
    reason_en: str
    evidence: tuple[Evidence, ...]

    @property
    def label_zh(self) -> str:
        return TAG_LABELS[self.kind][0]

    @property
    def label_en(self) -> str:
        return TAG_LABELS[self.kind][1]


@dataclass(frozen=True)
class TopicFinding:
    topic: Topic
    tags: tuple[Tag, ...] = field(default=())  # in TAG_KINDS order

    @property
    def kinds(self) -> tuple[str, ...]:
        return tuple(tag.kind for tag in self.tags)

    @property
    def is_focus(self) -> bool:
        """焦点问题: difficult, hot and weak at once."""
        return set(self.kinds) == set(TAG_KINDS)

    def tag(self, kind: str) -> Tag | None:
        return next((t for t in self.tags if t.kind == kind), None)


# --- the collision ----------------------------------------------------------------------------


def collide(
    as_of: str,
    *,
    topics: Iterable[Topic] = DEFAULT_TOPICS,
    colours: Iterable[ColourRecord] = (),
    documents: Iterable[DocumentRecord] = (),
    peers: Iterable[PeerRecord] = (),
    rules: CollisionRules = DEFAULT_RULES,
    names: Mapping[str, tuple[str, str]] | None = None,
) -> list[TopicFinding]:
    """Tag every topic; focus issues first, then by number of tags, then in the given order.

    ``as_of``: the last month of the window ("YYYY-MM"). ``names``: {code: (Chinese,
    English)} for the evidence texts (default: the shipped dictionary's names).
    """
    month_index(as_of)  # validates
    names = names if names is not None else _dictionary_names()
    colours, documents, peers = list(colours), list(documents), list(peers)
    findings = [_find(topic, as_of, colours, documents, peers, rules, names) for topic in topics]
    return sorted(findings, key=lambda f: (not f.is_focus, -len(f.tags)))


def focus_issues(findings: Iterable[TopicFinding]) -> list[TopicFinding]:
    return [f for f in findings if f.is_focus]


def _find(
    topic: Topic,
    as_of: str,
    colours: list[ColourRecord],
    documents: list[DocumentRecord],
    peers: list[PeerRecord],
    rules: CollisionRules,
    names: Mapping[str, tuple[str, str]],
) -> TopicFinding:
    tags = (
        difficulty_tag(topic, as_of, colours, rules, names),
        hot_tag(topic, as_of, documents, rules),
        weakness_tag(topic, as_of, peers, rules, names),
    )
    return TopicFinding(topic, tuple(t for t in tags if t is not None))


def _in_window(period: str, as_of: str, window: int) -> bool:
    """Whether ``period`` is one of the last ``window`` periods of its own granularity that
    end with the one containing the month ``as_of``."""
    granularity, index = period_index(period)
    _, end = period_index(containing(as_of, granularity))
    return end - window < index <= end


def _name(names: Mapping[str, tuple[str, str]], code: str) -> tuple[str, str]:
    return names.get(code, (code, code))


def difficulty_tag(
    topic: Topic,
    as_of: str,
    colours: Iterable[ColourRecord],
    rules: CollisionRules = DEFAULT_RULES,
    names: Mapping[str, tuple[str, str]] | None = None,
) -> Tag | None:
    """难点: an indicator red in ≥ ``red_periods`` of the last ``window`` periods (one organ)."""
    names = names if names is not None else _dictionary_names()
    red: dict[tuple[str, Hashable], dict[str, ColourRecord]] = {}
    for record in colours:
        if (
            record.colour == "red"
            and record.indicator in topic.indicators
            and _in_window(record.period, as_of, rules.window)
        ):
            red.setdefault((record.indicator, record.organ), {})[record.period] = record
    runs = {key: by_period for key, by_period in red.items() if len(by_period) >= rules.red_periods}
    if not runs:
        return None
    evidence, reasons_zh, reasons_en = [], [], []
    for (code, _organ), by_period in sorted(runs.items(), key=lambda kv: (kv[0][0], str(kv[0][1]))):
        name_zh, name_en = _name(names, code)
        reasons_zh.append(f"{name_zh}在近 {rules.window} 期中有 {len(by_period)} 期为红色")
        reasons_en.append(f"{name_en} red in {len(by_period)} of the last {rules.window} periods")
        evidence += [_red_evidence(by_period[p], name_zh, name_en) for p in sorted(by_period)]
    return Tag(DIFFICULTY, "；".join(reasons_zh), "; ".join(reasons_en), tuple(evidence))


def _red_evidence(record: ColourRecord, name_zh: str, name_en: str) -> Evidence:
    return Evidence(
        f"{name_zh} {record.period} 红色",
        f"{name_en}: red in {record.period}",
        record.period,
        _targets(record.ref),
        record.indicator,
        record.organ,
    )


def hot_tag(
    topic: Topic,
    as_of: str,
    documents: Iterable[DocumentRecord],
    rules: CollisionRules = DEFAULT_RULES,
) -> Tag | None:
    """热点: ≥ ``hot_documents`` documents of the last ``window`` months mention a keyword."""
    end = month_index(as_of)
    evidence: dict[Hashable, Evidence] = {}
    for doc in sorted(documents, key=lambda d: d.date):
        if doc.kind not in rules.document_kinds or doc.id in evidence:
            continue
        if not end - rules.window < doc.date.year * 12 + doc.date.month - 1 <= end:
            continue
        found = topic.mentioned_in(f"{doc.title}\n{doc.text}")
        if found:
            kind_zh, kind_en = DOCUMENT_KINDS.get(doc.kind, (doc.kind, doc.kind))
            evidence[doc.id] = Evidence(
                f"【{kind_zh}】{doc.title}（提及：{'、'.join(found)}）",
                f"[{kind_en}] {doc.title} (mentions {', '.join(found)})",
                doc.date.isoformat(),
                (doc.id,),
            )
    if len(evidence) < rules.hot_documents:
        return None
    n = len(evidence)
    return Tag(
        HOT,
        f"近 {rules.window} 个月有 {n} 件信访、代表建议/议案或网络热点提及本议题",
        f"{n} petitions, deputies' motions or internet hot topics of the last "
        f"{rules.window} months mention the topic",
        tuple(evidence.values()),
    )


def weakness_tag(
    topic: Topic,
    as_of: str,
    peers: Iterable[PeerRecord],
    rules: CollisionRules = DEFAULT_RULES,
    names: Mapping[str, tuple[str, str]] | None = None,
) -> Tag | None:
    """弱点: an indicator on the worse side of its peers by the peer rule, within the window."""
    names = names if names is not None else _dictionary_names()
    weak = sorted(
        (
            r
            for r in peers
            if r.indicator in topic.indicators
            and r.is_weak(rules.weak_z)
            and _in_window(r.period, as_of, rules.window)
        ),
        key=lambda r: (r.indicator, r.period, str(r.organ)),
    )
    if not weak:
        return None
    evidence = [_weak_evidence(r, names) for r in weak]
    codes = list(dict.fromkeys(r.indicator for r in weak))
    return Tag(
        WEAKNESS,
        f"{'、'.join(_name(names, c)[0] for c in codes)}处于同级较差一侧",
        f"on the worse side of its peers: {', '.join(_name(names, c)[1] for c in codes)}",
        tuple(evidence),
    )


def _weak_evidence(record: PeerRecord, names: Mapping[str, tuple[str, str]]) -> Evidence:
    name_zh, name_en = _name(names, record.indicator)
    z_zh = z_en = ""
    if record.z is not None:
        z_zh, z_en = f"（z = {record.z:.1f}）", f" (z = {record.z:.1f})"
    return Evidence(
        f"{name_zh} {record.period} 处于同级较差一侧{z_zh}",
        f"{name_en}: on the worse side of its peers in {record.period}{z_en}",
        record.period,
        _targets(record.ref),
        record.indicator,
        record.organ,
    )


def _targets(ref: Hashable) -> tuple[Hashable, ...]:
    return () if ref is None else (ref,)


@lru_cache(maxsize=1)
def _dictionary_names() -> Mapping[str, tuple[str, str]]:
    names = {spec.code: (spec.name_zh, spec.name_en) for spec in load_dictionary()}
    return MappingProxyType(names)

"""Common problems (共性问题) in plain Python: an indicator yellow or red in several of a
parent's children, at once or persistently, with its evidence and the form of
supervision it suggests (DOMAIN.md: common to city and districts → joint supervision;
focal → inquiry; severe and persistent → interpellation or special investigation).

Rules, for one indicator under one parent and a period P:

- *threshold* k = max(3, ⌈children / 4⌉): how many children make a problem common;
- *concurrent*: at least k children are yellow or red in P;
- *persistent*: at least k children were each yellow or red in at least m (3) of the
  last n (6) periods up to P;
- suggested form: red in at least k children in P **and** persistent → interpellation or
  special-investigation candidate (质询/特定问题调查); red in at least k children, or
  persistent with some red → inquiry candidate (询问); otherwise joint supervision
  (上下联动).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

MIN_CHILDREN = 3
SHARE = 0.25
PERSIST_M = 3
PERSIST_N = 6

FORM_NAMES = {
    "joint_supervision": ("联合监督（上下联动）", "joint supervision"),
    "inquiry": ("询问候选", "inquiry candidate"),
    "interpellation": (
        "质询或特定问题调查候选",
        "interpellation or special-investigation candidate",
    ),
}


@dataclass(frozen=True, slots=True)
class Signal:
    """One child's colour for the indicator in one period, and where it comes from.

    The reasons are given, or rendered by ``explain`` only when asked for
    (:meth:`reasons`): a stored rating's reasons are rendered from its inputs, and most
    signals never make it into a problem's evidence."""

    colour: str  # "red" | "yellow" (a problem's signals); "grey" | "green" too in a heat map
    value: float | None
    source: str  # "organ" (one of the child's own organs) | "rollup" (everything below it)
    detail: str  # the organ's name, or the roll-up's
    reason_zh: str = ""
    reason_en: str = ""
    explain: Callable[[], tuple[str, str]] | None = field(default=None, compare=False, repr=False)

    def reasons(self) -> tuple[str, str]:
        """(zh, en)."""
        if self.explain is not None:
            return self.explain()
        return self.reason_zh, self.reason_en


def threshold(n_children: int, minimum: int = MIN_CHILDREN, share: float = SHARE) -> int:
    return max(minimum, math.ceil(share * n_children))


# Worst first: a missing submission (grey) is worse than green, better than a warning.
SEVERITY = {"red": 3, "yellow": 2, "grey": 1, "green": 0}


def worse(a: Signal | None, b: Signal | None) -> Signal | None:
    """The more severe of two signals; on a tie, the first."""
    if a is None:
        return b
    if b is None:
        return a
    return b if SEVERITY.get(b.colour, -1) > SEVERITY.get(a.colour, -1) else a


@dataclass(frozen=True)
class Problem:
    period: str
    n_children: int
    threshold: int
    n_flagged: int
    n_red: int
    concurrent: bool
    persistent: bool
    suggested_form: str
    evidence: list[dict]
    reason_zh: str
    reason_en: str


def detect(
    period: str,
    window: Sequence[str],
    children: Mapping[str, str],
    signals: Mapping[tuple[str, str], Signal],
    *,
    minimum: int = MIN_CHILDREN,
    share: float = SHARE,
    persist_m: int = PERSIST_M,
) -> Problem | None:
    """``children``: code → name of every child; ``signals``: (child code, period) →
    its yellow/red signal; ``window``: the last n periods ending with ``period``."""
    k = threshold(len(children), minimum, share)
    now = {c: signals[(c, period)] for c in children if (c, period) in signals}
    history = {c: [p for p in window if (c, p) in signals] for c in children}
    persisting = {c for c, flagged in history.items() if len(flagged) >= persist_m}
    n_red = sum(1 for s in now.values() if s.colour == "red")
    concurrent = len(now) >= k
    persistent = len(persisting) >= k
    if not concurrent and not persistent:
        return None
    if n_red >= k and persistent:
        form = "interpellation"
    elif n_red >= k or (persistent and n_red > 0):
        form = "inquiry"
    else:
        form = "joint_supervision"
    concerned = sorted(set(now) | persisting)
    evidence = [_evidence(c, children[c], now.get(c), history[c]) for c in concerned]
    zh, en = _reason(len(children), k, len(now), n_red, len(persisting), persist_m, len(window))
    form_zh, form_en = FORM_NAMES[form]
    return Problem(
        period=period,
        n_children=len(children),
        threshold=k,
        n_flagged=len(now),
        n_red=n_red,
        concurrent=concurrent,
        persistent=persistent,
        suggested_form=form,
        evidence=evidence,
        reason_zh=f"{zh}；建议：{form_zh}",
        reason_en=f"{en}; suggested: {form_en}",
    )


def _evidence(code: str, name: str, now: Signal | None, flagged: list[str]) -> dict:
    reason_zh, reason_en = now.reasons() if now else ("", "")
    return {
        "code": code,
        "name": name,
        "colour": now.colour if now else None,
        "value": now.value if now else None,
        "source": now.source if now else None,
        "detail": now.detail if now else "",
        "reason_zh": reason_zh,
        "reason_en": reason_en,
        "periods_flagged": flagged,
    }


def _reason(n, k, flagged, reds, persisting, m, window) -> tuple[str, str]:
    zh = f"{n} 个下级中 {flagged} 个本期为黄或红（其中红 {reds} 个），共性界限 {k} 个"
    en = f"{flagged} of {n} children yellow or red this period ({reds} red); threshold {k}"
    if persisting:
        zh += f"；{persisting} 个在最近 {window} 期中至少 {m} 期为黄或红"
        en += f"; {persisting} flagged in at least {m} of the last {window} periods"
    return zh, en

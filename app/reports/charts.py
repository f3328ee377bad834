"""The micro-report's charts as PNG images, drawn on the server with matplotlib.

Chinese must never come out as boxes, so every text that may hold Chinese is drawn with
Noto Sans CJK (Debian's ``fonts-noto-cjk``) named by its file path — not looked up by
family name, which silently falls back to a Latin font — and the Simplified Chinese face
of the collection is chosen. Without the font the charts are not drawn at all
(:class:`FontMissing`). Only the Agg canvas is used (no pyplot, no display, no global
state), so drawing is safe in a web worker.
"""

from __future__ import annotations

import hashlib
import io
import math
import os
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

from app.analysis.portrait import Portrait
from app.reports.micro import COLOUR_ORDER, KeyFigure

# Where Debian's fonts-noto-cjk puts the font; CJK_FONT_FILE (environment) comes first.
FONT_FILES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Medium.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
)
FACE = "Noto Sans CJK SC"
COLOURS = {"green": "#2e7d32", "yellow": "#f2b705", "red": "#c62828", "grey": "#9e9e9e"}
INK = "#1f3a5f"
DPI = 130
KEPT = 16
_drawn: dict[str, dict[str, bytes]] = {}


class FontMissing(RuntimeError):
    """No CJK font file: the charts would draw Chinese as boxes, so none is drawn."""


def font_file() -> Path:
    """The CJK font file the charts use; FontMissing when there is none."""
    wanted = os.environ.get("CJK_FONT_FILE")
    for candidate in (wanted, *FONT_FILES):
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    raise FontMissing(
        "未找到中文字体(请安装 fonts-noto-cjk) / no CJK font found (install fonts-noto-cjk)"
    )


@lru_cache(maxsize=4)
def _font_properties(path: str):
    from matplotlib import font_manager, ft2font

    face = 0
    font = ft2font.FT2Font(path)
    for index in range(font.num_faces):
        if ft2font.FT2Font(path, face_index=index).family_name == FACE:
            face = index
            break
    # FontPath picks a face of a collection; a matplotlib without it opens the first face
    # (Japanese forms), which still has every Chinese character.
    font_path = getattr(font_manager, "FontPath", None)
    fname = font_path(path, face) if font_path is not None and face else path
    return font_manager.FontProperties(fname=fname)


def cjk_font():
    """``FontProperties`` for the CJK font, by file path (the SC face of a collection)."""
    return _font_properties(str(font_file()))


def _figure(width: float, height: float, layout: str | None = "constrained"):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width, height), dpi=DPI, layout=layout)
    FigureCanvasAgg(figure)
    return figure


def _png(figure) -> bytes:
    out = io.BytesIO()
    figure.savefig(out, format="png", dpi=DPI, facecolor="white")
    return out.getvalue()


def _sized(font, size: float):
    """The font at ``size`` (a legend takes its size from its ``prop``)."""
    sized = font.copy()
    sized.set_size(size)
    return sized


def _style(axes, font, size: float = 8) -> None:
    for side in ("top", "right"):
        if side in axes.spines:
            axes.spines[side].set_visible(False)
    axes.tick_params(labelsize=size, colors="#444444")
    for label in (*axes.get_xticklabels(), *axes.get_yticklabels()):
        label.set_fontproperties(font)
        label.set_fontsize(size)


# --- the charts ---------------------------------------------------------------------------
def trend_chart(figures: Sequence[KeyFigure], months: Sequence[str], title: str) -> bytes:
    """Small multiples: each monthly indicator's values month by month, its green and red
    bounds dashed, each point in the colour it was rated."""
    font = cjk_font()
    shown = [f for f in figures if f.trend and any(p.value is not None for p in f.trend)]
    columns = 3
    rows = max(1, math.ceil(len(shown) / columns))
    height = 0.7 + 1.9 * rows
    # A fixed layout: the constrained one measures every tick label, seconds for 16 charts.
    figure = _figure(9.6, height, layout=None)
    figure.subplots_adjust(
        left=0.05, right=0.98, top=1 - 0.8 / height, bottom=0.35 / height, hspace=0.55
    )
    figure.suptitle(title, fontproperties=font, fontsize=13, color=INK)
    grid = figure.subplots(rows, columns, squeeze=False)
    for index, axes in enumerate(grid.flat):
        if index >= len(shown):
            axes.set_axis_off()
            continue
        _small_trend(axes, shown[index], months, font)
    return _png(figure)


def _small_trend(axes, figure: KeyFigure, months: Sequence[str], font) -> None:
    xs = list(range(1, len(months) + 1))
    ys = [p.value if p.value is not None else float("nan") for p in figure.trend]
    axes.plot(xs, ys, color=INK, linewidth=1.2)
    for x, point in zip(xs, figure.trend, strict=True):
        if point.value is not None:
            colour = COLOURS.get(point.colour or "", "#607d8b")
            axes.scatter([x], [point.value], s=14, color=colour, zorder=3)
    for bound, key in ((figure.green, "green"), (figure.red, "red")):
        if bound is not None and not figure.peer_rated:
            axes.axhline(bound, color=COLOURS[key], linestyle="--", linewidth=0.8)
    axes.set_title(
        f"{figure.code} {figure.name_zh}（{figure.unit}）", fontproperties=font, fontsize=9
    )
    axes.set_xticks(xs, [f"{int(m[5:])}月" for m in months], fontproperties=font)
    _style(axes, font, 7)


def colour_chart(colour_by_month: Sequence[tuple[str, dict]], title: str) -> bytes:
    """A stacked bar per month: how many of the organ's indicators were rated each colour."""
    font = cjk_font()
    figure = _figure(9.6, 3.2)
    axes = figure.subplots()
    months = [m for m, _ in colour_by_month]
    xs = list(range(len(months)))
    bottom = [0] * len(months)
    labels = {"green": "绿", "yellow": "黄", "red": "红", "grey": "灰(未报送)"}
    for colour in reversed(COLOUR_ORDER):  # green at the bottom, red on top
        heights = [counts.get(colour, 0) for _, counts in colour_by_month]
        axes.bar(xs, heights, bottom=bottom, color=COLOURS[colour], label=labels[colour], width=0.7)
        bottom = [b + h for b, h in zip(bottom, heights, strict=True)]
    axes.set_xticks(xs, [f"{int(m[5:])}月" for m in months], fontproperties=font)
    axes.set_ylabel("指标数", fontproperties=font, fontsize=9)
    axes.set_title(title, fontproperties=font, fontsize=12, color=INK)
    handles, names = axes.get_legend_handles_labels()
    axes.legend(
        handles[::-1],
        names[::-1],
        prop=_sized(font, 8),
        ncols=4,
        loc="upper center",
        bbox_to_anchor=(0.5, -0.14),
    )
    _style(axes, font, 8)
    return _png(figure)


def portrait_chart(portrait: Portrait, title: str) -> bytes:
    """The portrait's dimension scores (0–100): a radar with three dimensions or more,
    horizontal bars otherwise."""
    font = cjk_font()
    scored = [(d.name_zh, d.score) for d in portrait.dimensions]
    if len(scored) >= 3:
        return _radar(scored, title, font)
    figure = _figure(6.4, 1.2 + 0.5 * len(scored))
    axes = figure.subplots()
    names = [name for name, _ in scored]
    values = [score or 0 for _, score in scored]
    axes.barh(range(len(names)), values, color=INK)
    axes.set_yticks(range(len(names)), names, fontproperties=font)
    axes.set_xlim(0, 100)
    axes.set_title(title, fontproperties=font, fontsize=12, color=INK)
    _style(axes, font, 9)
    return _png(figure)


def _radar(scored: list[tuple[str, float | None]], title: str, font) -> bytes:
    figure = _figure(5.6, 5.0)
    axes = figure.add_subplot(projection="polar")
    angles = [2 * math.pi * i / len(scored) for i in range(len(scored))]
    values = [score if score is not None else 0.0 for _, score in scored]
    axes.plot([*angles, angles[0]], [*values, values[0]], color=INK, linewidth=1.6)
    axes.fill([*angles, angles[0]], [*values, values[0]], color=INK, alpha=0.18)
    axes.set_theta_offset(math.pi / 2)  # the first dimension at the top, clockwise
    axes.set_theta_direction(-1)
    axes.set_ylim(0, 100)
    axes.set_yticks([20, 40, 60, 80, 100], ["20", "40", "60", "80", "100"])
    labels = [
        f"{name}\n{score:.0f}分" if score is not None else f"{name}\n无数据"
        for name, score in scored
    ]
    axes.set_xticks(angles, labels, fontproperties=font)
    axes.set_title(title, fontproperties=font, fontsize=12, color=INK, pad=18)
    _style(axes, font, 9)
    axes.spines["polar"].set_visible(True)
    return _png(figure)


def report_charts(report) -> dict[str, bytes]:
    """Every chart of a micro-report, by name (``trend``, ``colours``, ``portrait``);
    a chart with nothing to show is left out. Drawing takes a second or two, so the
    charts of the last few reports are kept, keyed by everything they show."""
    key = hashlib.sha256(
        repr((report.figures, report.months, report.colour_by_month, report.portrait)).encode()
    ).hexdigest()
    if key not in _drawn:
        _drawn[key] = _draw(report)
        while len(_drawn) > KEPT:
            _drawn.pop(next(iter(_drawn)))
    return dict(_drawn[key])


def _draw(report) -> dict[str, bytes]:
    font_file()  # FontMissing before anything is drawn
    charts = {}
    if report.months:
        charts["trend"] = trend_chart(report.figures, report.months, "主要指标月度走势")
        charts["colours"] = colour_chart(report.colour_by_month, "各月指标评级颜色分布")
    if report.portrait is not None and report.portrait.overall is not None:
        charts["portrait"] = portrait_chart(report.portrait, "机关画像(维度得分)")
    return charts

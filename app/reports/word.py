"""The micro-report as a Word (DOCX) file, in Chinese, with its charts as PNG images."""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from datetime import date

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from app.datamart.documents import category_label
from app.reports.micro import (
    COLOUR_LABELS,
    PRIVACY_NOTE_ZH,
    TIMELINESS_LABELS,
    VERDICT_LABELS,
    MicroReport,
    reading,
)
from app.tickets.states import STATUS_LABELS

BODY_FONT, HEADING_FONT = "宋体", "黑体"
SHADES = {"green": "C8E6C9", "yellow": "FFF3C4", "red": "FFCDD2", "grey": "E0E0E0"}
CHART_WIDTH = Cm(16)
SECTIONS = ("一", "二", "三", "四", "五", "六")


def micro_docx(report: MicroReport, charts: Mapping[str, bytes], generated: date) -> bytes:
    """The report as DOCX bytes; ``charts`` are the PNGs of ``charts.report_charts``."""
    document = Document()
    _fonts(document)
    _title(document, report, generated)
    numbers = iter(SECTIONS)
    _overview(document, report, next(numbers))
    _figures(document, report, charts, next(numbers))
    _months(document, report, charts, next(numbers))
    _tickets(document, report, next(numbers))
    if report.portrait is not None:
        _portrait(document, report, charts, next(numbers))
    _notes(document, report, next(numbers))
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


# --- layout helpers -----------------------------------------------------------------------
def _east_asian(style_or_run, name: str) -> None:
    """Chinese text takes the ``eastAsia`` font; python-docx sets only the Latin one."""
    properties = style_or_run.element.get_or_add_rPr()
    fonts = properties.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        properties.append(fonts)
    fonts.set(qn("w:eastAsia"), name)


def _fonts(document) -> None:
    normal = document.styles["Normal"]
    normal.font.size = Pt(10.5)
    _east_asian(normal, BODY_FONT)
    for name in ("Title", "Heading 1", "Heading 2"):
        _east_asian(document.styles[name], HEADING_FONT)


def _heading(document, text: str, level: int = 1) -> None:
    document.add_heading(text, level=level)


def _table(document, head: Sequence[str], rows: Sequence[Sequence[str]], shade_column=None):
    """A table with a bold header row; ``shade_column``: (index, colours per row) to tint
    the colour cells."""
    table = document.add_table(rows=1, cols=len(head))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, head, strict=True):
        cell.text = ""
        run = cell.paragraphs[0].add_run(text)
        run.bold = True
    for position, row in enumerate(rows):
        cells = table.add_row().cells
        for cell, text in zip(cells, row, strict=True):
            cell.text = text
        if shade_column is not None:
            index, colours = shade_column
            _shade(cells[index], colours[position])
    return table


def _shade(cell, colour: str | None) -> None:
    if colour not in SHADES:
        return
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), SHADES[colour])
    cell._tc.get_or_add_tcPr().append(shading)


def _chart(document, charts: Mapping[str, bytes], name: str, width=CHART_WIDTH) -> None:
    if name in charts:
        document.add_picture(io.BytesIO(charts[name]), width=width)
        document.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER


def _colour(code: str | None) -> str:
    return COLOUR_LABELS[code][0] if code in COLOUR_LABELS else "—"


# --- the sections -------------------------------------------------------------------------
def _title(document, report: MicroReport, generated: date) -> None:
    document.add_heading(f"{report.organ.name_zh} {report.year}年度 两院微报告", level=0)
    facts = document.add_paragraph()
    span = f"{report.months[0]} 至 {report.through}" if report.months else "本年度尚无月度数据"
    facts.add_run(
        f"监督机关：{report.organ.tenant_name_zh}人大常委会　统计期间：{span}　"
        f"生成日期：{generated:%Y-%m-%d}"
    ).font.color.rgb = RGBColor(0x55, 0x55, 0x55)


def _overview(document, report: MicroReport, number: str) -> None:
    _heading(document, f"{number}、概况")
    for sentence in report.summary_zh:
        document.add_paragraph(sentence, style="List Bullet")


def _figures(document, report: MicroReport, charts, number: str) -> None:
    _heading(document, f"{number}、主要指标")
    head = ("指标", "年度数值", "计算方法", "评级", "最近月份", "最近月值", "各月红/黄/绿")
    rows = [
        (
            f"{f.code} {f.name_zh}",
            f"{reading(f.value)}{f.unit if f.value is not None else ''}",
            f.rule_zh,
            _colour(f.colour),
            f.latest_period or "—",
            reading(f.latest_value) if f.latest_period else "—",
            "/".join(str(f.colour_months.get(c, 0)) for c in ("red", "yellow", "green")),
        )
        for f in report.figures
    ]
    _table(document, head, rows, (3, [f.colour for f in report.figures]))
    document.add_paragraph(
        "年度数值按指标字典的汇总规则由各月报送数据计算：比率和平均值为 Σ分子 ÷ Σ分母"
        "（比率再乘以100），件数为各月之和，不取各月比率的平均数；年度指标取年度报送值。"
    )
    _chart(document, charts, "trend")


def _months(document, report: MicroReport, charts, number: str) -> None:
    _heading(document, f"{number}、各月评级与研判")
    _chart(document, charts, "colours")
    verdicts = dict(report.verdict_by_month)
    rows = [
        (
            month,
            *(str(counts.get(c, 0)) for c in ("red", "yellow", "green", "grey")),
            VERDICT_LABELS[verdicts[month]][0] if verdicts.get(month) in VERDICT_LABELS else "—",
        )
        for month, counts in report.colour_by_month
    ]
    _table(document, ("月份", "红", "黄", "绿", "灰(未报送)", "研判结论"), rows)


def _tickets(document, report: MicroReport, number: str) -> None:
    _heading(document, f"{number}、反馈工单办理情况")
    summary = report.tickets
    if not summary.total:
        document.add_paragraph("本年度没有反馈工单。")
        return
    counts = "，".join(
        f"{TIMELINESS_LABELS[key][0]} {n} 件" for key, n in summary.by_timeliness.items() if n
    )
    document.add_paragraph(f"共 {summary.total} 件：{counts}。")
    rows = [
        (
            f"{line.facts.indicator_code} {line.name_zh}",
            line.facts.period,
            _colour(line.facts.colour),
            STATUS_LABELS.get(line.facts.status, (line.facts.status,))[0],
            f"{line.facts.deadline:%Y-%m-%d}",
            f"{line.facts.answered_on:%Y-%m-%d}" if line.facts.answered_on else "—",
            TIMELINESS_LABELS[line.timeliness][0],
        )
        for line in summary.lines
    ]
    head = ("指标", "期间", "颜色", "状态", "反馈期限", "首次反馈", "办理时效")
    _table(document, head, rows, (2, [line.facts.colour for line in summary.lines]))


def _portrait(document, report: MicroReport, charts, number: str) -> None:
    portrait = report.portrait
    _heading(document, f"{number}、机关画像")
    overall = "—" if portrait.overall is None else f"{portrait.overall:.1f} 分"
    basis = f"截至 {report.portrait_as_of} 的画像" if report.portrait_as_of else "按年度数值评分"
    document.add_paragraph(f"{basis}，总体得分：{overall}。")
    _chart(document, charts, "portrait", Cm(11))
    rows = [
        (d.name_zh, "—" if d.score is None else f"{d.score:.1f}", str(len(d.indicators)))
        for d in portrait.dimensions
    ]
    _table(document, ("维度", "得分", "指标数"), rows)
    if portrait.attention:
        names = "、".join(f"{i.code} {i.name_zh}" for i in portrait.attention)
        document.add_paragraph(f"得分低于60分、需关注的指标：{names}。")


def _notes(document, report: MicroReport, number: str) -> None:
    _heading(document, f"{number}、说明")
    if report.documents:
        counts = "，".join(
            f"{category_label(code)} {n} 件" for code, n in sorted(report.documents.items())
        )
        document.add_paragraph(f"数据集市中与本机关有关的本年度资料：{counts}。")
    document.add_paragraph(
        "颜色由指标界限、同级比较和连续趋势三类规则评定；同级比较指标的年度数值不评色，"
        "以各月评级为准。画像按指标字典的评分方法计算（0–100分）。"
    )
    document.add_paragraph(PRIVACY_NOTE_ZH)

"""The server's chart images draw Chinese with a real CJK font — never as boxes."""

from __future__ import annotations

import io
import warnings
from datetime import date
from pathlib import Path

import pytest

from app.reports import charts
from tests.reports.test_micro import report

PNG = b"\x89PNG\r\n\x1a\n"


def _missing_glyphs(caught) -> list[str]:
    return [str(w.message) for w in caught if "missing from font" in str(w.message)]


def _pixels(png: bytes):
    import numpy as np
    from PIL import Image

    return np.asarray(Image.open(io.BytesIO(png)).convert("L"))


def _draw_text(text: str, font=None) -> bytes:
    figure = charts._figure(1.2, 1.0, layout=None)
    figure.text(0.1, 0.2, text, fontproperties=font, fontsize=40)
    return charts._png(figure)


def test_the_font_is_debians_noto_sans_cjk_by_file_path():
    from matplotlib.font_manager import fontManager, get_font

    path = charts.font_file()
    assert path.is_file()
    assert path.name.startswith("NotoSansCJK")
    font = charts.cjk_font()
    assert Path(font.get_file()) == path
    # The Simplified Chinese face of the collection is the one matplotlib opens.
    assert get_font(fontManager._find_fonts_by_props(font)).family_name == "Noto Sans CJK SC"


def test_chinese_is_drawn_as_real_glyphs_without_missing_glyph_warnings():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        xi, hu = _draw_text("西", charts.cjk_font()), _draw_text("湖", charts.cjk_font())
    assert _missing_glyphs(caught) == []
    xi_ink, hu_ink = _pixels(xi) < 128, _pixels(hu) < 128
    assert xi_ink.sum() > 50 and hu_ink.sum() > 50  # something was drawn
    assert (xi_ink != hu_ink).sum() > 50  # and two characters look different


def test_the_default_font_would_draw_boxes_and_is_caught():
    """What the tests above guard against: matplotlib's default font has no Chinese, says
    so in a warning, and draws the same box for every character."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        xi, hu = _draw_text("西"), _draw_text("湖")
    assert _missing_glyphs(caught)
    assert ((_pixels(xi) < 128) != (_pixels(hu) < 128)).sum() == 0


def test_every_chart_of_a_report_is_a_png_drawn_without_missing_glyphs(monkeypatch):
    monkeypatch.setattr(charts, "_drawn", {})
    made = report(tickets=[], verdicts={"2026-10": "warning"}, today=date(2026, 11, 22))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        drawn = charts.report_charts(made)
    assert _missing_glyphs(caught) == []
    assert set(drawn) == {"trend", "colours", "portrait"}
    for png in drawn.values():
        assert png.startswith(PNG)
        assert (_pixels(png) < 200).sum() > 1000


def test_without_the_font_no_chart_is_drawn(monkeypatch):
    monkeypatch.setattr(charts, "_drawn", {})
    monkeypatch.setattr(charts, "FONT_FILES", ("/nonexistent/NotoSansCJK-Regular.ttc",))
    monkeypatch.delenv("CJK_FONT_FILE", raising=False)
    with pytest.raises(charts.FontMissing):
        charts.report_charts(report())

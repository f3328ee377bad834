"""Generated reports: the micro-report on a court or procuratorate (两院微报告).

``micro`` composes the report from loaded data (pure), ``service`` loads that data,
``charts`` draws its pictures (matplotlib, Agg, a CJK font by file path) and ``word``
writes it as a DOCX file.
"""

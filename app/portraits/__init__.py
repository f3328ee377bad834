"""Organ portraits (画像) drawn from the stored values: the database side of
:mod:`app.analysis.portrait`."""

"""Data analysis (数据分析) and judgement and portrait (研判画像), as pure functions.

Trend (趋势分析), correlation (关联分析) and heat (热力分析) analysis, the organ portrait
(画像) and data collision (数据碰撞) into focus issues (焦点问题). Nothing here imports Flask or
SQLAlchemy: the callers read the database and pass plain values in.
"""

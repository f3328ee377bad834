"""Federation across the tenant tree: exact roll-ups from township to province,
comparison across siblings, common problems, joint supervision (上下联动).

The roll-up rules are the dictionary's (``app.indicators.dictionary``: ratio of sums,
sum, weighted mean); the tree's ancestry is the materialized path on ``Tenant``.
"""

"""Dashboards: ECharts options built with pyecharts by RQ jobs whenever their inputs
change, stored as versioned snapshots, and served as stored (with an ETag) — never built
during a request."""

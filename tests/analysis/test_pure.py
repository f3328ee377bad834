"""The analysis modules are pure: data in, data out, no web framework and no database."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import app.analysis

PACKAGE = Path(app.analysis.__file__).parent
# Pure modules of other areas that the analyses build on.
ALLOWED_APP_MODULES = {"app.indicators.dictionary", "app.ratings.rules"}


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("path", sorted(PACKAGE.glob("*.py")), ids=lambda p: p.name)
def test_no_flask_or_sqlalchemy(path):
    for name in imported_modules(path):
        root = name.split(".")[0]
        assert root not in ("flask", "flask_login", "sqlalchemy", "werkzeug"), name
        if root in ("app", "tenants", "federation", "workers"):
            assert name.startswith("app.analysis") or name in ALLOWED_APP_MODULES, name

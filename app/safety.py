"""Start-up checks that protect production from a dangerous deployment."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Flask

from config import ConfigError


def check_runtime_role(app: Flask) -> None:
    """Refuse to serve when the app's own database role could bypass row-level security:
    a superuser, a role with BYPASSRLS, or the owner of any of our tables."""
    engine = app.extensions["judsup.db"].engine
    if engine.dialect.name != "postgresql":
        return
    with engine.connect() as conn:
        role = conn.execute(
            sa.text(
                "SELECT rolname, rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user"
            )
        ).one()
        owned = conn.execute(
            sa.text(
                "SELECT count(*) FROM pg_tables WHERE schemaname = current_schema() "
                "AND tableowner = current_user"
            )
        ).scalar_one()
    if role.rolsuper or role.rolbypassrls:
        raise ConfigError(
            f"数据库角色 {role.rolname} 是超级用户或可绕过行级安全,生产模式拒绝启动 / "
            f"the database role {role.rolname} is a superuser or bypasses row-level security; "
            "connect as the app role (see DATABASE_APP_ROLE)"
        )
    if owned:
        raise ConfigError(
            f"数据库角色 {role.rolname} 拥有 {owned} 张表,行级安全对其无效 / the database role "
            f"{role.rolname} owns {owned} tables, so row-level security would not bind it; "
            "run migrations as the owner (DATABASE_OWNER_URL) and serve as the app role"
        )

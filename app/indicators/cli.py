"""``flask indicators install|publish``: the dictionary from the command line."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from app.audit.recorder import Actor, acting_as
from app.db import db
from app.indicators.dictionary import DictionaryError, load_dictionary_text
from app.indicators.service import VersionConflict, install_bundled, install_version
from tenants.scoping import system_scope


@click.group("indicators")
def indicators_cli() -> None:
    """The unified indicator dictionary."""


@indicators_cli.command("install")
@with_appcontext
def install() -> None:
    """Install the dictionary shipped with the code, if the database has none as new."""
    with system_scope(), acting_as(Actor("cli")):
        version = install_bundled(db.session)
        db.session.commit()
    click.echo(f"installed version {version.version}" if version else "already current")


@indicators_cli.command("publish")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--by", "published_by", default="cli", help="who publishes it")
@with_appcontext
def publish(path: Path, published_by: str) -> None:
    """Publish the dictionary in PATH (TOML) as a new version."""
    source = path.read_bytes()
    try:
        dictionary = load_dictionary_text(source.decode("utf-8"))
        with system_scope(), acting_as(Actor(published_by)):
            version = install_version(db.session, dictionary, source, published_by)
            db.session.commit()
    except (DictionaryError, VersionConflict, UnicodeDecodeError) as err:
        raise click.ClickException(str(err)) from err
    click.echo(f"published version {version.version} ({len(version.indicators)} indicators)")

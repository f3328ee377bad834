"""Storing and reading dictionary versions."""

from __future__ import annotations

import hashlib
from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.orm import Session, selectinload

from app.db import db
from app.indicators.dictionary import Dictionary, IndicatorSpec, load_dictionary
from app.indicators.models import DictionaryVersion, Indicator

DICTIONARY_FILE = Path(__file__).resolve().parent / "data" / "dictionary.toml"

_SPEC_TO_ROW = {"min": "min_value", "max": "max_value"}


class VersionConflict(ValueError):
    """The version being published is not newer than the one in force."""


def spec_of(row: Indicator) -> IndicatorSpec:
    """The pure-Python spec of a stored indicator (bands, colours, value formula)."""
    fields = IndicatorSpec.__dataclass_fields__
    values = {name: getattr(row, _SPEC_TO_ROW.get(name, name)) for name in fields}
    values["levels"] = tuple(values["levels"])
    return IndicatorSpec(**values)


def _row_of(spec: IndicatorSpec) -> dict:
    values = {_SPEC_TO_ROW.get(k, k): getattr(spec, k) for k in IndicatorSpec.__dataclass_fields__}
    values["levels"] = list(spec.levels)
    return values


def install_version(
    session: Session, dictionary: Dictionary, source: bytes, published_by: str
) -> DictionaryVersion:
    """Store a dictionary as a new version and put it in force; the old ones stay."""
    newest = session.scalar(
        select(DictionaryVersion.version).order_by(DictionaryVersion.version.desc()).limit(1)
    )
    if newest is not None and dictionary.version <= newest:
        raise VersionConflict(
            f"版本 {dictionary.version} 不新于现行版本 {newest} / version {dictionary.version} "
            f"is not newer than version {newest} in force"
        )
    session.execute(update(DictionaryVersion).values(is_current=False))
    session.info.pop(SPECS_KEPT, None)
    version = DictionaryVersion(
        version=dictionary.version,
        published_on=dictionary.published,
        published_by=published_by,
        note_zh=dictionary.note_zh,
        note_en=dictionary.note_en,
        source_sha256=hashlib.sha256(source).hexdigest(),
        is_current=True,
    )
    version.indicators = [Indicator(**_row_of(spec)) for spec in dictionary.indicators]
    session.add(version)
    session.flush()
    return version


def install_bundled(session: Session, published_by: str = "system") -> DictionaryVersion | None:
    """Install the dictionary shipped with the code if the database has none newer."""
    source = DICTIONARY_FILE.read_bytes()
    dictionary = load_dictionary(DICTIONARY_FILE)
    newest = session.scalar(
        select(DictionaryVersion.version).order_by(DictionaryVersion.version.desc()).limit(1)
    )
    if newest is not None and newest >= dictionary.version:
        return None
    return install_version(session, dictionary, source, published_by)


def version_named(number: int | None, session: Session | None = None) -> DictionaryVersion | None:
    stmt = select(DictionaryVersion).options(selectinload(DictionaryVersion.indicators))
    if number is None:
        stmt = stmt.where(DictionaryVersion.is_current)
    else:
        stmt = stmt.where(DictionaryVersion.version == number)
    return (session or db.session).scalar(stmt)


SPECS_KEPT = "judsup.specs_by_version"


def specs_of_version(session: Session | None, version: int) -> dict[str, IndicatorSpec]:
    """code → spec of a dictionary version, kept for the session: stored ratings name
    their version and are explained with its specs when read. Versions do not change
    once published (installing one forgets what the session kept)."""
    session = session or db.session
    kept = session.info.setdefault(SPECS_KEPT, {})
    if version not in kept:
        row = version_named(version, session)
        kept[version] = {r.code: spec_of(r) for r in row.indicators} if row else {}
    return kept[version]


def current_indicators() -> tuple[DictionaryVersion | None, list[Indicator]]:
    version = version_named(None)
    return version, (version.indicators if version else [])


def serialisable(row: Indicator) -> dict:
    """The stored row with what the API adds: its bands and its version number."""
    spec = spec_of(row)
    data = {k: getattr(row, k) for k in row.__table__.columns.keys()}  # noqa: SIM118
    data["bands"] = [band.__dict__ for band in spec.bands()]
    data["version"] = row.version.version
    return data

"""Argon2id password hashing, its cost taken from the app's settings."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app


def hasher() -> PasswordHasher:
    conf = current_app.config
    return PasswordHasher(
        time_cost=conf["ARGON2_TIME_COST"],
        memory_cost=conf["ARGON2_MEMORY_COST"],
        parallelism=conf["ARGON2_PARALLELISM"],
    )


def hash_password(password: str) -> str:
    return hasher().hash(password)


def verify_password(stored: str, password: str) -> tuple[bool, str | None]:
    """(matches, new hash if the stored one used weaker parameters than today's)."""
    ph = hasher()
    try:
        ph.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False, None
    return True, ph.hash(password) if ph.check_needs_rehash(stored) else None


# A hash to verify against when the username is unknown, so that the answer takes as
# long as for a real user and does not reveal which usernames exist.
_DUMMY: dict[str, str] = {}


def burn_time(password: str) -> None:
    ph = hasher()
    key = f"{ph.time_cost}:{ph.memory_cost}"
    if key not in _DUMMY:
        _DUMMY[key] = ph.hash("not-a-password")
    verify_password(_DUMMY[key], password)

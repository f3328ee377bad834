"""Uploaded files, kept as received: content-addressed by SHA-256, under a generated name.

The bytes go to ``FILE_STORE_DIR/<sha[:2]>/<sha[2:4]>/<sha>`` while being hashed (never
held whole in memory); the ``StoredFile`` row records the tenant, size, detected type,
the uploader and the name the uploader gave it (shown, never used as a path).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from pathlib import Path
from typing import BinaryIO

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.datamart.files import sniff
from app.datamart.models import StoredFile

CHUNK = 1024 * 1024


def store_root() -> Path:
    root = current_app.config.get("FILE_STORE_DIR") or os.path.join(
        current_app.root_path, os.pardir, "instance", "files"
    )
    return Path(root).resolve()


def path_of(stored: StoredFile) -> Path:
    return store_root() / stored.storage_key


def _copy_hashing(source: BinaryIO, target: BinaryIO) -> tuple[str, int, bytes]:
    digest, size, head = hashlib.sha256(), 0, b""
    while chunk := source.read(CHUNK):
        if not head:
            head = chunk[:8192]
        digest.update(chunk)
        target.write(chunk)
        size += len(chunk)
    return digest.hexdigest(), size, head


def save_upload(
    session: Session,
    stream: BinaryIO,
    original_name: str,
    uploaded_by: str,
    *,
    check_type: bool = True,
    check=None,
) -> StoredFile:
    """Store the stream and return its row (the existing one if the tenant already has
    these bytes). With ``check_type`` the content must be a spreadsheet (xlsx or csv), and
    ``check(fp, detected_type)`` may refuse it further: ``FileRejected`` then, and nothing
    is kept."""
    root = store_root()
    root.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=root, delete=False) as tmp:
        sha, size, head = _copy_hashing(stream, tmp)
    try:
        detected = sniff(head) if check_type else _loose_type(head)
        if check is not None:
            with open(tmp.name, "rb") as fp:
                check(fp, detected)
        stored = session.scalar(select(StoredFile).where(StoredFile.sha256 == sha))
        key = f"{sha[:2]}/{sha[2:4]}/{sha}"
        final = root / key
        if not final.exists():
            final.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(tmp.name, final)
    finally:
        Path(tmp.name).unlink(missing_ok=True)
    if stored is None:
        stored = StoredFile(
            sha256=sha,
            size=size,
            detected_type=detected,
            storage_key=key,
            original_name=(original_name or "")[:200],
            uploaded_by=uploaded_by,
        )
        session.add(stored)
        session.flush()
    return stored


def _loose_type(head: bytes) -> str:
    """For attachments: a label for the content, not a gate."""
    if head.startswith(b"%PDF"):
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return "zip"
    return "binary" if b"\x00" in head else "text"

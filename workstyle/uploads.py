"""Holding an uploaded file between its preview and the confirmation that applies it.

Small files stay in the session; larger ones go to file storage (MEDIA_ROOT, never served) and the session
keeps the path. Every import page with a preview step uses these.
"""

from __future__ import annotations

import base64
import uuid

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils.translation import gettext as _

from workstyle.errors import DomainError

SESSION_MAX_BYTES = 1_000_000


def read_upload(upload) -> tuple[bytes, str]:
    """The bytes and name of an uploaded CSV, refused before reading when over the size limit."""
    if upload.size > settings.CSV_UPLOAD_MAX_BYTES:
        raise DomainError(_("The file is too large."), code="too_large")
    return upload.read(), upload.name


def stash(session, key: str, data: bytes, name: str, **extra) -> None:
    """Keep ``data`` for a later confirmation, replacing whatever was stashed under ``key``."""
    drop(session, key)
    if len(data) <= SESSION_MAX_BYTES:
        entry = {"name": name, "data": base64.b64encode(data).decode()}
    else:
        entry = {"name": name, "path": default_storage.save(f"pending-imports/{uuid.uuid4().hex}.csv", ContentFile(data))}
    session[key] = {**extra, **entry}


def unstash(session, key: str) -> tuple[bytes, dict] | None:
    """The stashed bytes and their entry (name and extras), or None when the preview has expired."""
    entry = session.get(key)
    if not entry:
        return None
    if "data" in entry:
        return base64.b64decode(entry["data"]), entry
    if default_storage.exists(entry["path"]):
        with default_storage.open(entry["path"], "rb") as fh:
            return fh.read(), entry
    return None


def drop(session, key: str) -> None:
    entry = session.pop(key, None)
    if entry and entry.get("path") and default_storage.exists(entry["path"]):
        default_storage.delete(entry["path"])

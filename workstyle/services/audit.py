"""Writing audit events. Every service calls ``log_event`` inside its transaction."""

from __future__ import annotations

from typing import Any

from django.db import models

from workstyle.middleware import client_address
from workstyle.models import AuditEvent


def log_event(
    *,
    actor,
    action: str,
    obj: models.Model | None = None,
    subject=None,
    details: dict[str, Any] | None = None,
    object_type: str | None = None,
    object_id: str | None = None,
    object_repr: str | None = None,
) -> AuditEvent:
    """Append an audit event. ``subject`` is the person whose record is concerned (for personal-data reads)."""
    if obj is not None:
        object_type = object_type or f"{obj._meta.app_label}.{obj._meta.model_name}"
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)[:255]
    actor_obj = actor if getattr(actor, "is_authenticated", False) else None
    return AuditEvent.objects.create(
        actor=actor_obj,
        actor_label=(actor_obj.username if actor_obj else (str(actor) if actor else "system"))[:150],
        action=action,
        object_type=object_type or "",
        object_id=object_id or "",
        object_repr=(object_repr or "")[:255],
        subject=subject if getattr(subject, "pk", None) else None,
        details=details or {},
        client_address=client_address.get(),
    )


def log_personal_read(*, actor, subject, what: str, obj: models.Model | None = None) -> AuditEvent | None:
    """Reading another person's personal record is logged (APPI). Reading one's own is not."""
    if actor is not None and subject is not None and getattr(actor, "pk", None) == getattr(subject, "pk", None):
        return None
    return log_event(actor=actor, action="personal_record.read", obj=obj, subject=subject, details={"what": what})

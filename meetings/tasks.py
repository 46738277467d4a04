"""Background tasks: they only call services."""

from __future__ import annotations

from django_tasks import task


@task()
def process_upload_task(upload_id: int) -> str:
    from meetings.services import process_upload

    return process_upload(upload_id=upload_id).status


@task()
def notify_due_materials_task() -> int:
    from meetings.services import notify_due_materials

    return notify_due_materials()


@task()
def cleanup_stale_uploads_task() -> int:
    from meetings.services import cleanup_stale_uploads

    return cleanup_stale_uploads()

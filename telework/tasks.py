"""Background tasks: they only call services."""

from django_tasks import task


@task()
def flag_pending_at_start_task():
    from telework.services import flag_pending_at_start

    return flag_pending_at_start()

"""Background tasks: they only call services."""

from django_tasks import task


@task()
def release_no_shows_task():
    from .services import release_no_shows

    return release_no_shows()

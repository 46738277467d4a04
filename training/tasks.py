"""Background tasks: they only call services."""

from __future__ import annotations

from django_tasks import task

from training import services


@task()
def daily_training_upkeep() -> dict:
    """Expiry reminders and the leader transfer/term rules."""
    return {"reminders": services.send_expiry_reminders(), "leaders_closed": services.apply_leader_rules()}

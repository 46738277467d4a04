"""Enqueue the registered periodic tasks on their period (a tiny cron for the task worker)."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand

from workstyle import registry


class Command(BaseCommand):
    help = "Enqueue periodic tasks (e.g. releasing desk no-shows) for the background worker."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Enqueue every periodic task once and exit.")

    def handle(self, *args, **opts):
        last: dict[str, float] = {}
        while True:
            now = time.monotonic()
            for key, (task, every) in registry.periodic_tasks().items():
                if opts["once"] or now - last.get(key, -1e9) >= every:
                    task.enqueue()
                    last[key] = now
            if opts["once"]:
                return
            time.sleep(5)

"""Extract translatable strings of one app into <app>/locale/<lang>/LC_MESSAGES/django.po.

An app's strings are those in its package and in templates/<app>/; the core app (workstyle) also
takes every template that belongs to no other app. Needs GNU gettext (a development tool only:
`make run` and `make test` compile the .po files with Babel, which is pure Python).
"""

from __future__ import annotations

import os

from django.apps import apps
from django.conf import settings
from django.core.management.commands import makemessages


class Command(makemessages.Command):
    help = "makemessages for one app, writing to that app's own locale directory."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--app", required=True)

    def handle(self, *args, **options):
        self.app_label = options.pop("app")
        config = apps.get_app_config(self.app_label)
        self.app_dir = os.path.abspath(config.path)
        self.templates_dir = os.path.abspath(os.path.join(settings.BASE_DIR, "templates"))
        self.other_apps = {
            c.label for c in apps.get_app_configs()
            if os.path.abspath(c.path).startswith(str(settings.BASE_DIR)) and c.label != self.app_label
        }
        os.makedirs(os.path.join(self.app_dir, "locale"), exist_ok=True)
        options.setdefault("ignore_patterns", [])
        options["ignore_patterns"] += [".venv", "tests", "benchmarks", "staticfiles", "media", "node_modules"]
        super().handle(*args, **options)

    def _belongs(self, path: str) -> bool:
        path = os.path.abspath(path)
        if path.startswith(self.app_dir + os.sep):
            return True
        if path.startswith(self.templates_dir + os.sep):
            rel = os.path.relpath(path, self.templates_dir).split(os.sep)
            if rel[0] == self.app_label:
                return True
            return self.app_label == "workstyle" and rel[0] not in self.other_apps
        if self.app_label == "workstyle" and path.startswith(os.path.join(str(settings.BASE_DIR), "static") + os.sep):
            return True
        return False

    def find_files(self, root):
        files = [f for f in super().find_files(root) if self._belongs(f.path)]
        locale_dir = os.path.join(self.app_dir, "locale")
        for f in files:
            f.locale_dir = locale_dir
        return files

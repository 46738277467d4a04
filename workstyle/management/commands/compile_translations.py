"""Compile every app's .po files to .mo with Babel (no GNU gettext needed)."""

from __future__ import annotations

from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Compile the project's translations (.po → .mo) without GNU gettext."

    def handle(self, *args, **opts):
        base = Path(settings.BASE_DIR).resolve()
        count = 0
        for config in apps.get_app_configs():
            path = Path(config.path).resolve()
            if base not in path.parents or any(part.startswith(".") or part == "site-packages" for part in path.parts):
                continue
            for po in (path / "locale").glob("*/LC_MESSAGES/*.po"):
                mo = po.with_suffix(".mo")
                if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
                    continue
                with po.open("rb") as fh:
                    catalog = read_po(fh, locale=po.parent.parent.name)
                with mo.open("wb") as fh:
                    write_mo(fh, catalog, use_fuzzy=False)
                count += 1
        self.stdout.write(f"compiled {count} translation file(s)")

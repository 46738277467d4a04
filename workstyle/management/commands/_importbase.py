"""A thin base for import commands: read the file, call the service, print the report or the line errors."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from workstyle.csvfiles import format_errors
from workstyle.errors import DomainError, ImportRejected


class ImportCommand(BaseCommand):
    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="Show what would change; change nothing.")

    def read_file(self, path: Path) -> bytes:
        if not path.exists():
            raise CommandError(f"{path}: no such file")
        return path.read_bytes()

    def run_import(self, fn, **kwargs):
        try:
            return fn(**kwargs)
        except ImportRejected as exc:
            for line in format_errors(exc.errors, limit=1000):
                self.stderr.write(line)
            raise CommandError(str(exc.message))
        except DomainError as exc:
            raise CommandError(str(exc.message))

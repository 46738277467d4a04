from paper_metrics.services import import_print_log, summary_of
from workstyle.management.commands._importbase import ImportCommand


class Command(ImportCommand):
    help = "Import a printer log (PaperCut Print Logger CSV, CUPS page_log, or another CSV through a saved column mapping)."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--format", choices=["papercut", "cups", "mapped"], default="papercut")
        parser.add_argument("--source", default="", help="Source name (for --format mapped: the saved column mapping).")
        parser.add_argument("--strict", action="store_true", help="Refuse the file if any row maps to no section.")

    def handle(self, *args, **opts):
        path = opts["file"]
        if opts["dry_run"]:
            self.stderr.write("--dry-run is not supported for print logs; nothing was done.")
            return
        if not path.exists():
            from django.core.management.base import CommandError

            raise CommandError(f"{path}: no such file")
        batch = self.run_import(import_print_log, actor=None, fmt=opts["format"], path=path, file_name=path.name,
                                source=opts["source"], strict=opts["strict"])
        self.stdout.write(summary_of(batch))
        for line, reason in batch.unmapped[:50]:
            self.stdout.write(f"  unmapped line {line}: {reason}")
        if batch.unmapped_count > 50:
            self.stdout.write(f"  … and {batch.unmapped_count - 50} more unmapped rows (see import #{batch.pk}).")

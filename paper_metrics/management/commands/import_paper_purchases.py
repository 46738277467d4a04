from paper_metrics.services import import_paper_purchases, summary_of
from workstyle.management.commands._importbase import ImportCommand


class Command(ImportCommand):
    help = "Import paper purchases: CSV with columns date,section_code,paper_size,packs,sheets_per_pack."

    def handle(self, *args, **opts):
        batch = self.run_import(import_paper_purchases, actor=None, data=self.read_file(opts["file"]),
                                file_name=opts["file"].name)
        self.stdout.write(summary_of(batch))

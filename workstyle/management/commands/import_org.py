from workstyle.management.commands._importbase import ImportCommand
from workstyle.services.org import import_org


class Command(ImportCommand):
    help = "Import organisation units from a CSV file with columns code,name,kind,parent_code."

    def handle(self, *args, **opts):
        report = self.run_import(
            import_org, data=self.read_file(opts["file"]), actor=None, file_name=opts["file"].name, dry_run=opts["dry_run"]
        )
        self.stdout.write(report.summary())

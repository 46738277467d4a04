from workstyle.management.commands._importbase import ImportCommand
from workstyle.services.org import import_staff


class Command(ImportCommand):
    help = (
        "Import staff from a CSV file with columns "
        "employee_number,name,name_kana,email,section_code,title,employment_type,is_manager. "
        "Active staff absent from the file are deactivated unless --partial is given."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--partial", action="store_true", help="Do not deactivate staff missing from the file.")

    def handle(self, *args, **opts):
        report = self.run_import(
            import_staff, data=self.read_file(opts["file"]), actor=None, file_name=opts["file"].name,
            dry_run=opts["dry_run"], full=not opts["partial"],
        )
        self.stdout.write(report.summary())

"""Import course completions: employee_number,course_code,completed_on,score[,evidence]."""

from training.services import import_completions
from workstyle.management.commands._importbase import ImportCommand


class Command(ImportCommand):
    help = "Import course completions (employee_number,course_code,completed_on,score). All or nothing; idempotent."

    def handle(self, *args, **opts):
        data = self.read_file(opts["file"])
        report = self.run_import(import_completions, data=data, actor=None, file_name=opts["file"].name,
                                 dry_run=opts["dry_run"])
        self.stdout.write(report.summary())

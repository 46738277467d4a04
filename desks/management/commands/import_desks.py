"""python manage.py import_desks FILE.csv — columns building,floor,zone,desk_code,x,y,width,height,amenities."""

from workstyle.management.commands._importbase import ImportCommand


class Command(ImportCommand):
    help = "Create or update desks from a CSV file (idempotent, atomic, line-numbered errors)."

    def handle(self, *args, **opts):
        from desks.services import import_desks

        data = self.read_file(opts["file"])
        report = self.run_import(import_desks, data=data, actor="import_desks", name=str(opts["file"]),
                                 dry_run=opts["dry_run"])
        self.stdout.write(
            "desks: {created} created, {updated} updated, {unchanged} unchanged; "
            "{buildings} buildings, {floors} floors, {zones} zones created".format(**report)
            + (" (dry run, nothing saved)" if opts["dry_run"] else "")
        )

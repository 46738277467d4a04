import time

from django.core.management.base import BaseCommand

from workstyle import registry


class Command(BaseCommand):
    help = "Build a realistic demo city (idempotent). --small builds a small one for tests."

    def add_arguments(self, parser):
        parser.add_argument("--small", action="store_true")
        parser.add_argument("--only", help="Comma-separated loader keys (e.g. workstyle,desks).")
        parser.add_argument("--if-empty", action="store_true", help="Do nothing if staff already exist.")

    def handle(self, *args, **opts):
        from workstyle.models import StaffProfile

        if opts["if_empty"] and StaffProfile.objects.exists():
            self.stdout.write("Demo data already present; skipping.")
            from workstyle.demo import print_accounts

            print_accounts(self.stdout)
            return
        from django.test.utils import override_settings

        only = set(opts["only"].split(",")) if opts.get("only") else None
        # Demo notifications and invitations are stored in-app but not e-mailed to the console.
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
            for key, fn in registry.demo_loaders():
                if only and key not in only:
                    continue
                start = time.monotonic()
                fn(small=opts["small"], stdout=self.stdout)
                self.stdout.write(f"  {key}: {time.monotonic() - start:.1f}s")
        from workstyle.demo import print_accounts

        print_accounts(self.stdout)

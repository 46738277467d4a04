import io
import time

from django.core.management import call_command

from telework.models import TaskItem, TeleworkRequest, TeleworkRule, WorkLog


def test_small_demo_loads_fast_and_is_idempotent(db):
    call_command("load_demo", "--small", "--only", "workstyle", stdout=io.StringIO())
    t0 = time.monotonic()
    call_command("load_demo", "--small", "--only", "telework", stdout=io.StringIO())
    elapsed = time.monotonic() - t0
    assert TeleworkRule.objects.filter(is_default=True).count() == 1
    n = TeleworkRequest.objects.count()
    assert n > 100 and TaskItem.objects.exists() and WorkLog.objects.exists()
    assert TeleworkRequest.objects.filter(days__isnull=False).distinct().count() == n
    call_command("load_demo", "--small", "--only", "telework", stdout=io.StringIO())
    assert TeleworkRequest.objects.count() == n
    assert elapsed < 6  # budget 2 s on an idle machine; the CI box is shared

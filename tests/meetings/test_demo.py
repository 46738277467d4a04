"""The demo loader: fast, idempotent, and its meetings open for the demo employee."""

import time

from django.core.management import call_command

from meetings.models import MaterialVersion, Meeting
from workstyle.models import User


def test_small_demo_loads_fast_and_is_idempotent(db, client_for):
    call_command("load_demo", "--small", "--only", "workstyle", stdout=open("/dev/null", "w"))
    started = time.monotonic()
    call_command("load_demo", "--small", "--only", "meetings", stdout=open("/dev/null", "w"))
    assert time.monotonic() - started < 4
    count = Meeting.objects.count()
    assert count >= 2
    call_command("load_demo", "--small", "--only", "meetings", stdout=open("/dev/null", "w"))
    assert Meeting.objects.count() == count
    employee = User.objects.get(username="10000001")
    c = client_for(employee)
    live = Meeting.objects.get(status="in_progress")
    assert c.get(f"/meetings/{live.pk}/").status_code == 200
    v = MaterialVersion.objects.filter(material__item__meeting=live).first()
    assert v.page_count == 3
    r = c.get(f"/meetings/versions/{v.pk}/pages/2/full/")
    assert r.status_code == 200
    assert "第12回 変革推進会議" in c.get("/").content.decode()

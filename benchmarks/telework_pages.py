"""Benchmark: telework pages against a trivial view (/healthz) in the same run, with query counts.

- the approval queue of a chief with --rows pending requests (default 500),
- the team presence week view of a --people person section (default 60),
- a personal calendar feed holding a year of telework days.

Query counts are also measured at a tenth of the size: they must not grow with the rows.
Runs on a fresh SQLite file (or DATABASE_URL if set) with the Django test client, in-process.
Usage: .venv/bin/python benchmarks/telework_pages.py [--rows 500] [--people 60] [--repeat 15]
Prints one JSON line.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=500)
    ap.add_argument("--people", type=int, default=60)
    ap.add_argument("--repeat", type=int, default=15)
    args = ap.parse_args()

    tmp = tempfile.mkdtemp(prefix="twbench-")
    os.environ.setdefault("SQLITE_PATH", os.path.join(tmp, "bench.sqlite3"))
    os.environ.setdefault("DEBUG", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "workstyle.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.ALLOWED_HOSTS = ["*"]
    call_command("migrate", verbosity=0)

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from telework.models import TeleworkDay, TeleworkRequest
    from workstyle import dates
    from workstyle.models import OrgUnit, StaffProfile, User
    from workstyle.services.accounts import issue_feed_token
    from workstyle.services.org import recompute_tree

    today = dates.today()

    def build(tag: str, rows: int, people: int):
        b = OrgUnit.objects.create(code=f"{tag}B", name="財政・変革局", kind="bureau")
        d = OrgUnit.objects.create(code=f"{tag}D", name="変革推進部", kind="department", parent=b)
        s = OrgUnit.objects.create(code=f"{tag}S", name="変革推進課", kind="section", parent=d)
        recompute_tree()
        s.refresh_from_db()
        users = User.objects.bulk_create([User(username=f"{tag}u{i}", email=f"{tag}u{i}@x.jp") for i in range(people)])
        users = list(User.objects.filter(username__startswith=f"{tag}u").order_by("id"))
        StaffProfile.objects.bulk_create([
            StaffProfile(user=u, employee_number=u.username, name=f"職員 {i}", name_kana=f"ショクイン {i}",
                         section=s, is_manager=(i == 0), title="課長" if i == 0 else "主事")
            for i, u in enumerate(users)])
        chief, members = users[0], users[1:]
        future = [d_ for d_ in dates.working_days(today + dt.timedelta(days=1), today + dt.timedelta(days=400))]
        reqs, used = [], set()
        i = 0
        while len(reqs) < rows:
            u = members[i % len(members)]
            day = future[(i // len(members)) % len(future)]
            i += 1
            if (u.pk, day) in used:
                continue
            used.add((u.pk, day))
            reqs.append(TeleworkRequest(user=u, approver=chief, section=s, start_date=day, end_date=day,
                                        planned_tasks="資料作成", warnings=[{"rule": "month_cap", "mode": "warn",
                                        "params": {"cap": "12", "month": "2026-06", "days": "13"}}]))
        reqs = TeleworkRequest.objects.bulk_create(reqs)
        TeleworkDay.objects.bulk_create([TeleworkDay(request=r, user_id=r.user_id, date=r.start_date, slot=sl)
                                         for r in reqs for sl in ("am", "pm")])
        # one person with a year of telework days (past 120 days to ~245 days ahead) for the feed
        owner = members[0]
        year = dates.working_days(today - dt.timedelta(days=120), today + dt.timedelta(days=245))
        mine = TeleworkRequest.objects.bulk_create([
            TeleworkRequest(user=owner, approver=chief, section=s, start_date=d_, end_date=d_, status="approved",
                            planned_tasks="資料作成") for d_ in year if (owner.pk, d_) not in used])
        TeleworkDay.objects.bulk_create([TeleworkDay(request=r, user_id=owner.pk, date=r.start_date, slot=sl)
                                         for r in mine for sl in ("am", "pm")])
        token = issue_feed_token(user=owner)
        n_feed = TeleworkDay.objects.filter(user=owner).values("request_id", "date").distinct().count()
        return chief, s, token, n_feed

    big = build("L", args.rows, args.people)
    small = build("S", max(args.rows // 10, 5), max(args.people // 10, 3))

    def measure(client, url, repeat):
        client.get(url)  # warm
        times = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            resp = client.get(url)
            times.append((time.perf_counter() - t0) * 1000)
            assert resp.status_code == 200, (url, resp.status_code)
        with CaptureQueriesContext(connection) as ctx:
            client.get(url)
        return statistics.median(times), len(ctx)

    def pages(chief, section, token):
        c = Client()
        c.force_login(chief)
        week = dates.week_start(today + dt.timedelta(days=7)).isoformat()
        return {
            "queue": ("/telework/queue/", c),
            "presence_week": (f"/telework/presence/{section.code}/?week={week}", c),
            "personal_feed": (f"/feeds/{token}/calendar.ics", Client()),
        }

    trivial_ms, trivial_q = measure(Client(), "/healthz", args.repeat)
    out = {"benchmark": "telework_pages", "rows": args.rows, "people": args.people, "feed_events": big[3],
           "trivial_ms": round(trivial_ms, 2), "trivial_queries": trivial_q}
    small_pages = pages(*small[:3])
    for name, (url, client) in pages(*big[:3]).items():
        ms, q = measure(client, url, args.repeat)
        _sms, sq = measure(small_pages[name][1], small_pages[name][0], 3)
        out[f"{name}_ms"] = round(ms, 2)
        out[f"{name}_queries"] = q
        out[f"{name}_queries_at_tenth"] = sq
        out[f"{name}_ratio"] = round(ms / trivial_ms, 1)
    print(json.dumps(out))


if __name__ == "__main__":
    main()

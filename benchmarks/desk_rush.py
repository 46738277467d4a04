"""The 8:30 rush: desk booking against uvicorn and PostgreSQL, compared with a trivial one-row write view
served by the same server in the same run; and the floor map for 500 desks against a trivial read view.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/wsdesks .venv/bin/python benchmarks/desk_rush.py
        [--clients 300] [--p95-clients 100] [--workers 2] [--map-requests 200] [--map-concurrency 20]

A scratch database ``<name>_bench`` is created (and dropped at the end). uvicorn runs as a subprocess
with a small psycopg connection pool per worker (``?pool=true``). Prints ONE JSON line.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
CSRF = "b" * 32


def pct(values, p):
    if not values:
        return None
    xs = sorted(values)
    k = (len(xs) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (k - lo)


def free_port():
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def scratch_db(url: str) -> str:
    import psycopg

    u = urlparse(url)
    name = (u.path.lstrip("/") or "workstyle") + "_bench"
    admin = urlunparse(u._replace(path="/postgres", query=""))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return urlunparse(u._replace(path="/" + name, query=""))


def drop_db(url: str) -> None:
    import psycopg

    u = urlparse(url)
    admin = urlunparse(u._replace(path="/postgres", query=""))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{u.path.lstrip("/")}" WITH (FORCE)')


def setup_data(n_users: int):

    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from desks.models import Building, Desk, Floor, Zone
    from workstyle import dates
    from workstyle.models import User

    b = Building.objects.create(code="HQ", name="本庁舎", max_days_ahead=30)
    floors = {}
    for name, n in (("R", 400), ("M", 500)):
        f = Floor.objects.create(building=b, name=name, level=1, plan_width=1500, plan_height=1000)
        z = Zone.objects.create(floor=f, name=f"zone-{name}")
        Desk.objects.bulk_create([
            Desk(floor=f, zone=z, code=f"{name}-{i:03d}", x=10 + (i % 25) * 58, y=10 + (i // 25) * 40, width=50,
                 height=30, amenities=",monitor," if i % 2 else "")
            for i in range(n)
        ])
        floors[name] = f
    User.objects.bulk_create([User(username=f"bench{i:04d}", password="!") for i in range(n_users)])
    sessions = []
    for u in User.objects.filter(username__startswith="bench").order_by("username"):
        s = SessionStore()
        s[SESSION_KEY] = str(u.pk)
        s[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
        s[HASH_SESSION_KEY] = u.get_session_auth_hash()
        s.create()
        sessions.append(s.session_key)
    today = dates.today()
    days = [dates.add_working_days(today, k) for k in (2, 3, 4, 5)]
    # the map floor: a third of its desks booked on the map day
    from desks.services import book_desk

    users = list(User.objects.filter(username__startswith="bench").order_by("username")[:150])
    map_desks = list(floors["M"].desks.order_by("code")[:150])
    for u, d in zip(users, map_desks, strict=True):
        book_desk(user=u, desk=d, day=days[3], slot="day", now=None)
    rush_desks = list(floors["R"].desks.order_by("code").values_list("pk", flat=True))
    return {"sessions": sessions, "days": [d.isoformat() for d in days], "rush_desks": rush_desks,
            "map_floor": floors["M"].pk, "cookie": settings.SESSION_COOKIE_NAME,
            "csrf_cookie": settings.CSRF_COOKIE_NAME}


async def run_phase(base, jobs, concurrency):
    """jobs: list of (method, path, session, form). Returns (latencies_ms, statuses, wall_seconds)."""
    import httpx

    sem = asyncio.Semaphore(concurrency)
    limits = httpx.Limits(max_connections=concurrency + 10, max_keepalive_connections=concurrency + 10)
    async with httpx.AsyncClient(base_url=base, timeout=120, limits=limits) as client:
        async def one(job):
            method, path, session, form = job
            headers = {"Cookie": f"{DATA['cookie']}={session}; {DATA['csrf_cookie']}={CSRF}",
                       "X-CSRFToken": CSRF, "Accept": "application/json"}
            async with sem:
                t0 = time.perf_counter()
                try:
                    r = await client.request(method, path, data=form, headers=headers)
                    status = r.status_code
                except httpx.HTTPError:
                    status = 599
                return (time.perf_counter() - t0) * 1000, status

        t0 = time.perf_counter()
        results = await asyncio.gather(*(one(j) for j in jobs))
        wall = time.perf_counter() - t0
    return [r[0] for r in results], [r[1] for r in results], wall


def summary(lat, statuses, wall, ok=(200, 201)):
    return {
        "requests": len(statuses),
        "ok": sum(1 for s in statuses if s in ok),
        "refused": sum(1 for s in statuses if s == 409),
        "errors": sum(1 for s in statuses if s >= 500 or s in (400, 403, 404)),
        "per_s": round(len(statuses) / wall, 1),
        "p50_ms": round(pct(lat, 50), 1),
        "p95_ms": round(pct(lat, 95), 1),
    }


DATA: dict = {}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--clients", type=int, default=300)
    ap.add_argument("--p95-clients", type=int, default=100)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--map-requests", type=int, default=200)
    ap.add_argument("--map-concurrency", type=int, default=20)
    ap.add_argument("--keep-db", action="store_true")
    args = ap.parse_args()

    base_url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/wsdesks")
    if not base_url.startswith("postgres"):
        sys.exit("desk_rush needs PostgreSQL: set DATABASE_URL=postgres://…")
    db_url = scratch_db(base_url)
    os.environ.update({"DATABASE_URL": db_url, "DJANGO_SETTINGS_MODULE": "workstyle.settings", "TESTING": "1",
                       "DEBUG": "0"})
    n_users = max(args.clients, args.p95_clients, 150)
    DATA.update(setup_data(n_users))
    from django.db import connections

    connections.close_all()

    port = free_port()
    env = {**os.environ, "DATABASE_URL": db_url + "?pool=true"}
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "uvicorn"), "workstyle.asgi:application", "--host", "127.0.0.1",
         "--port", str(port), "--workers", str(args.workers), "--log-level", "error", "--lifespan", "off",
         "--no-access-log"],
        env=env, cwd=str(ROOT), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        import httpx

        deadline = time.monotonic() + 90
        while True:
            try:
                if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit("uvicorn did not start")
            time.sleep(0.3)
        s = DATA["sessions"]
        d1, d2, d3, map_day = DATA["days"]
        desks = DATA["rush_desks"]
        book = "/desks/book/"
        trivial = "/desks/_bench/trivial-write/"
        map_path = f"/desks/floors/{DATA['map_floor']}/?day={map_day}&slot=day"
        ref_read = "/desks/_bench/trivial-read/"
        # warm up every endpoint in every worker
        warm = [("POST", trivial, s[i % len(s)], {}) for i in range(20)] + \
               [("GET", map_path, s[i % len(s)], None) for i in range(10)] + \
               [("GET", ref_read, s[i % len(s)], None) for i in range(10)] + \
               [("POST", book, s[0], {"desk": desks[-1], "day": d3, "slot": "pm"}) for _ in range(10)]
        asyncio.run(run_phase(base, warm, 10))

        c = args.clients
        rush = asyncio.run(run_phase(base, [("POST", book, s[i], {"desk": desks[i], "day": d1, "slot": "day"})
                                            for i in range(c)], c))
        ref = asyncio.run(run_phase(base, [("POST", trivial, s[i], {}) for i in range(c)], c))
        one_desk = asyncio.run(run_phase(base, [("POST", book, s[i], {"desk": desks[0], "day": d2, "slot": "day"})
                                                for i in range(c)], c))
        k = args.p95_clients
        rush100 = asyncio.run(run_phase(base, [("POST", book, s[i], {"desk": desks[i], "day": d3, "slot": "am"})
                                               for i in range(k)], k))
        ref100 = asyncio.run(run_phase(base, [("POST", trivial, s[i], {}) for i in range(k)], k))
        n, mc = args.map_requests, args.map_concurrency
        fmap = asyncio.run(run_phase(base, [("GET", map_path, s[i % len(s)], None) for i in range(n)], mc))
        fref = asyncio.run(run_phase(base, [("GET", ref_read, s[i % len(s)], None) for i in range(n)], mc))
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()

    from django.db import connection
    from django.db.models import Count

    from desks.models import Booking, DeskOccupancy

    connection.close()
    held = DeskOccupancy.objects.filter(booking__status="active")
    double_desk = held.values("desk", "day", "half").annotate(n=Count("id")).filter(n__gt=1).count()
    double_person = held.values("user", "day", "half").annotate(n=Count("id")).filter(n__gt=1).count()
    one_desk_winners = Booking.objects.filter(desk_id=desks[0], day=d2, status="active").count()
    connections.close_all()
    if not args.keep_db:
        drop_db(db_url)

    rush_s, ref_s = summary(*rush), summary(*ref)
    out = {
        "benchmark": "desk_rush",
        "server": f"uvicorn x{args.workers} workers, PostgreSQL (psycopg pool), same run",
        "clients": c,
        "booking_rush_distinct_desks": rush_s,
        "trivial_write_view": ref_s,
        "booking_vs_trivial_write_ratio": round(rush_s["per_s"] / ref_s["per_s"], 2) if ref_s["per_s"] else None,
        "all_clients_one_desk": {**summary(*one_desk), "bookings_made": one_desk_winners},
        f"booking_at_{k}_clients": summary(*rush100),
        f"trivial_write_at_{k}_clients": summary(*ref100),
        "floor_map_500_desks": summary(*fmap),
        "trivial_read_view": summary(*fref),
        "floor_map_vs_trivial_read_ratio": round(summary(*fmap)["per_s"] / summary(*fref)["per_s"], 2),
        "double_bookings": {"desk": double_desk, "person": double_person},
        "cpu_count": os.cpu_count(),
        "load_avg_1m": round(os.getloadavg()[0], 1),
    }
    print(json.dumps(out, ensure_ascii=False))


if __name__ == "__main__":
    main()

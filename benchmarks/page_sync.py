"""Page-sync benchmark: 100 WebSocket followers over two uvicorn processes sharing Redis, 50 page turns.

    REDIS_URL=redis://127.0.0.1:6379/0 .venv/bin/python benchmarks/page_sync.py [--clients 100] [--turns 50]

For each turn: the time from the presenter sending "goto" until the LAST follower has the new page
(p50, p95, max), against a raw Redis publish/subscribe round trip to the same number of subscribers
(one publish until the last subscriber has it) measured in the same run. Uses a throw-away SQLite
database and media folder; one JSON line on stdout. Goal: p95 under 100 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

BASE = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(BASE))


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    k = max(0, min(len(values) - 1, round(q * (len(values) - 1))))
    return values[k]


def setup_data(clients: int) -> tuple[int, dict, list[dict]]:
    import datetime

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client
    from django.utils import timezone

    from meetings import services
    from meetings.pdfsimple import text_pdf
    from workstyle.models import OrgUnit, StaffProfile, User
    from workstyle.services.org import recompute_tree

    call_command("migrate", verbosity=0)
    b = OrgUnit.objects.create(code="B03", name="財政・変革局", kind="bureau")
    d = OrgUnit.objects.create(code="B03-D02", name="変革推進部", kind="department", parent=b)
    s = OrgUnit.objects.create(code="B03-D02-S01", name="変革推進課", kind="section", parent=d)
    recompute_tree()
    s.refresh_from_db()
    users = User.objects.bulk_create([User(username=f"u{i:05d}", email=f"u{i}@city.example.jp") for i in range(clients + 1)])
    StaffProfile.objects.bulk_create([StaffProfile(user=u, employee_number=u.username, name=f"職員 {i}", section=s)
                                      for i, u in enumerate(users)])
    presenter, followers = users[0], users[1:]
    start = timezone.now() - datetime.timedelta(minutes=5)
    m = services.create_meeting(actor=presenter, title="ベンチマーク会議", section=s, starts_at=start,
                                ends_at=start + datetime.timedelta(hours=2))
    services.add_attendee(actor=presenter, meeting=m, section=s)
    item = services.add_agenda_item(actor=presenter, meeting=m, title="議題")
    mat = services.add_material(actor=presenter, item=item, title="資料")
    version = services.store_trusted_version(actor=presenter, material=mat, data=text_pdf("Bench", 60), filename="b.pdf")
    services.change_status(actor=presenter, meeting=m, to="published")
    services.change_status(actor=presenter, meeting=m, to="in_progress")

    def cookie(u):
        c = Client()
        c.force_login(u)
        return f"{settings.SESSION_COOKIE_NAME}={c.cookies[settings.SESSION_COOKIE_NAME].value}"

    return m.pk, {"cookie": cookie(presenter), "version": version.pk}, [{"cookie": cookie(u)} for u in followers]


async def ws_connect(port: int, meeting_id: int, cookie: str):
    import websockets

    return await websockets.connect(
        f"ws://127.0.0.1:{port}/ws/meetings/{meeting_id}/live/", max_size=2**20,
        additional_headers={"Cookie": cookie, "Origin": f"http://127.0.0.1:{port}"}, open_timeout=30)


async def bench_sync(ports, meeting_id, presenter, followers, turns) -> list[float]:
    conns = []
    for i, f in enumerate(followers):
        conns.append(await ws_connect(ports[i % 2], meeting_id, f["cookie"]))
    pres = await ws_connect(ports[0], meeting_id, presenter["cookie"])
    latest: dict[int, float] = {}
    arrivals: dict[int, int] = {}
    done: dict[int, asyncio.Event] = {}

    async def reader(ws):
        async for raw in ws:
            msg = json.loads(raw)
            if msg.get("type") == "state" and msg.get("presenting"):
                page = msg["page"]
                now = time.perf_counter()
                latest[page] = max(latest.get(page, 0), now)
                arrivals[page] = arrivals.get(page, 0) + 1
                if arrivals[page] == len(conns) and page in done:
                    done[page].set()

    async def drain(ws):
        async for _ in ws:
            pass

    tasks = [asyncio.create_task(reader(c)) for c in conns] + [asyncio.create_task(drain(pres))]
    await asyncio.sleep(1.0)  # let the presence traffic of 100 joins settle
    results = []
    for t in range(turns + 1):
        page = 2 + t
        done[page] = asyncio.Event()
        sent = time.perf_counter()
        await pres.send(json.dumps({"type": "goto", "version": presenter["version"], "page": page}))
        await asyncio.wait_for(done[page].wait(), 30)
        if t > 0:  # the first turn warms up the server's code paths
            results.append(latest[page] - sent)
        await asyncio.sleep(0.05)
    for task in tasks:
        task.cancel()
    for c in [*conns, pres]:
        await c.close()
    return results


async def bench_redis(url: str, clients: int, turns: int) -> list[float]:
    import redis.asyncio as aioredis

    channel = f"bench-{uuid.uuid4().hex}"
    subs = []
    for _ in range(clients):
        r = aioredis.from_url(url)
        ps = r.pubsub()
        await ps.subscribe(channel)
        await ps.get_message(timeout=1)
        subs.append((r, ps))
    pub = aioredis.from_url(url)
    results = []
    for t in range(turns + 1):
        sent = time.perf_counter()
        await pub.publish(channel, json.dumps({"page": t}))

        async def wait_one(ps):
            while True:
                m = await ps.get_message(ignore_subscribe_messages=True, timeout=5)
                if m is not None:
                    return time.perf_counter()

        times = await asyncio.gather(*(wait_one(ps) for _r, ps in subs))
        if t > 0:
            results.append(max(times) - sent)
        await asyncio.sleep(0.05)
    for r, ps in subs:
        await ps.unsubscribe(channel)
        await ps.aclose()
        await r.aclose()
    await pub.aclose()
    return results


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--clients", type=int, default=100)
    ap.add_argument("--turns", type=int, default=50)
    ap.add_argument("--redis", default=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"))
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="page_sync-")
    prefix = f"bench{uuid.uuid4().hex[:8]}"
    env = {"SQLITE_PATH": f"{tmp}/db.sqlite3", "MEDIA_ROOT": f"{tmp}/media", "REDIS_URL": args.redis,
           "CHANNEL_PREFIX": prefix, "CACHE_PREFIX": prefix, "TESTING": "1", "EMAIL_BACKEND": "locmem", "DJANGO_SETTINGS_MODULE": "workstyle.settings"}
    os.environ.update(env)
    os.environ.pop("DATABASE_URL", None)
    meeting_id, presenter, followers = setup_data(args.clients)

    from tests.meetings.servers import start_uvicorn, stop

    a, port_a = start_uvicorn(env)
    b, port_b = start_uvicorn(env)
    try:
        ours = asyncio.run(bench_sync((port_a, port_b), meeting_id, presenter, followers, args.turns))
        raw = asyncio.run(bench_redis(args.redis, args.clients, args.turns))
    finally:
        stop(a)
        stop(b)
    ms = lambda v: round(v * 1000, 2)  # noqa: E731
    print(json.dumps({
        "benchmark": "page_sync", "followers": args.clients, "processes": 2, "turns": len(ours),
        "ours_p50_ms": ms(statistics.median(ours)), "ours_p95_ms": ms(pct(ours, 0.95)), "ours_max_ms": ms(max(ours)),
        "redis_pubsub_p50_ms": ms(statistics.median(raw)), "redis_pubsub_p95_ms": ms(pct(raw, 0.95)),
        "redis_pubsub_max_ms": ms(max(raw)),
        "ratio_p95": round(pct(ours, 0.95) / pct(raw, 0.95), 2), "goal": "ours_p95_ms < 100",
    }))


if __name__ == "__main__":
    main()

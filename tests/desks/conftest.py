"""Fixtures for the desks tests: a building with a floor, zones and desks; a fixed 'now'."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest

TZ = zoneinfo.ZoneInfo("Asia/Tokyo")
# Tuesday 1 December 2026, 07:00 in Tokyo: before the morning slot.
NOW = dt.datetime(2026, 12, 1, 7, 0, tzinfo=TZ)
TUE = dt.date(2026, 12, 1)
WED = dt.date(2026, 12, 2)
THU = dt.date(2026, 12, 3)


def make_floor(n_desks: int = 6, *, building=None, name="3F", zone_names=("A",), code_prefix=None):
    from desks.models import Building, Desk, Floor, Zone

    building = building or Building.objects.get_or_create(code="HQ", defaults={"name": "本庁舎"})[0]
    floor = Floor.objects.create(building=building, name=name, level=int("".join(c for c in name if c.isdigit()) or 1),
                                 plan_width=1200, plan_height=800)
    zones = [Zone.objects.create(floor=floor, name=z) for z in zone_names]
    prefix = code_prefix or name
    Desk.objects.bulk_create([
        Desk(floor=floor, zone=zones[i % len(zones)], code=f"{prefix}-{i + 1:03d}", x=10 + (i % 20) * 55,
             y=10 + (i // 20) * 35, width=50, height=30, amenities=",monitor," if i % 2 == 0 else "")
        for i in range(n_desks)
    ])
    return floor


@pytest.fixture
def floor(db):
    return make_floor(6)


@pytest.fixture
def desks(floor):
    return list(floor.desks.order_by("code"))


@pytest.fixture
def freeze(monkeypatch):
    """freeze(datetime) makes django.utils.timezone.now() return that instant (for view tests)."""
    from django.utils import timezone

    def set_now(value):
        monkeypatch.setattr(timezone, "now", lambda: value)

    return set_now


def make_users(n: int, prefix: str = "rush"):
    """n plain users (no password hashing) and a logged-in session cookie value for each."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from workstyle.models import User

    users = User.objects.bulk_create([User(username=f"{prefix}{i:04d}", password="!") for i in range(n)])
    users = list(User.objects.filter(username__startswith=prefix).order_by("username"))
    cookies = []
    for u in users:
        s = SessionStore()
        s[SESSION_KEY] = str(u.pk)
        s[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
        s[HASH_SESSION_KEY] = u.get_session_auth_hash()
        s.create()
        cookies.append(s.session_key)
    return users, cookies


class UvicornProcess:
    """The project's ASGI app in uvicorn worker processes, against the current (test) database."""

    def __init__(self, workers: int = 4):
        import os
        import subprocess
        import sys

        from django.conf import settings

        from tests.conftest import free_port

        db = settings.DATABASES["default"]
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "TESTING": "1", "DEBUG": "0",
               "DATABASE_URL": f"postgres://{db['USER']}:{db.get('PASSWORD') or ''}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
               # a small connection pool per process: waiting requests queue for a connection instead of
               # each opening its own (PostgreSQL's max_connections is 100)
               "?pool=true"}
        self.proc = subprocess.Popen(
            [os.path.join(os.path.dirname(sys.executable), "uvicorn"), "workstyle.asgi:application",
             "--host", "127.0.0.1", "--port", str(self.port), "--workers", str(workers), "--log-level", "warning",
             "--lifespan", "off"],
            env=env, cwd=str(settings.BASE_DIR),
        )

    def wait(self, timeout: float = 30):
        import time

        import httpx

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if httpx.get(self.url + "/healthz", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError("uvicorn did not start")

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=15)
        except Exception:  # noqa: BLE001
            self.proc.kill()

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

"""Demo: the main building (本庁舎) with floors of free-address desks in zones per department, and twelve
weeks of booking history (fewer people on Mondays and Fridays, about one booking in ten a no-show).

Idempotent (does nothing when the building already has desks) and fast (bulk inserts only).
"""

from __future__ import annotations

import datetime as dt
import random

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from workstyle import dates
from workstyle.models import OrgUnit, StaffProfile, User

from .models import TZ, Booking, Building, Desk, DeskOccupancy, Favourite, Floor, Zone

FLOORS = ["3F", "4F", "5F", "6F", "7F", "8F", "9F", "10F"]
PLAN_W, PLAN_H = 1200, 800
# weekday → share of desks in use (Mon and Fri are quieter: telework and leave)
ATTENDANCE = {0: 0.55, 1: 0.78, 2: 0.74, 3: 0.76, 4: 0.50}
AMENITY_CYCLE = ["monitor", "monitor;dock", "dual_monitor;dock", "monitor", "", "monitor;standing"]

ZONE_AREAS = [(40, 60), (620, 60), (40, 440), (620, 440)]  # top-left corners of four zone areas


def _zone_desk_positions(ox: int, oy: int, n: int) -> list[tuple[int, int]]:
    """Islands of six desks (two rows of three) inside a 540×300 area."""
    out = []
    island = 0
    while len(out) < n:
        ix, iy = island % 3, island // 3
        bx, by = ox + 20 + ix * 175, oy + 40 + iy * 90
        for row in range(2):
            for col in range(3):
                if len(out) < n:
                    out.append((bx + col * 52, by + row * 32))
        island += 1
    return out


def _plan_svg(floor_name: str, zone_names: list[str]) -> bytes:
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {PLAN_W} {PLAN_H}" width="{PLAN_W}" height="{PLAN_H}">',
        f'<rect x="5" y="5" width="{PLAN_W - 10}" height="{PLAN_H - 10}" fill="#fdfdfb" stroke="#444" stroke-width="6"/>',
        '<rect x="560" y="300" width="80" height="200" fill="#e2e2e2" stroke="#888"/>',
        '<text x="600" y="405" font-size="14" text-anchor="middle" fill="#555">EV / 階段</text>',
        f'<text x="20" y="40" font-size="22" fill="#333">本庁舎 {floor_name}</text>',
    ]
    for (ox, oy), name in zip(ZONE_AREAS, zone_names, strict=False):
        parts.append(f'<rect x="{ox}" y="{oy}" width="540" height="300" fill="none" stroke="#9ab" '
                     f'stroke-dasharray="8 4" stroke-width="2"/>')
        parts.append(f'<text x="{ox + 10}" y="{oy + 24}" font-size="16" fill="#357">{name}</text>')
    parts.append("</svg>")
    return "\n".join(parts).encode()


def _departments(n: int) -> list[OrgUnit]:
    deps = list(
        OrgUnit.objects.filter(kind="department", is_active=True, top__kind="bureau").select_related("top")
        .order_by("code")
    )
    # the finance/reform bureau's reform department (the model department) first
    deps.sort(key=lambda d: (0 if d.code.startswith("B03") else 1, d.code))
    return deps[:n]


@transaction.atomic
def load(*, small: bool = False, stdout=None) -> None:
    building, _created = Building.objects.get_or_create(code="HQ", defaults={"name": "本庁舎"})
    if Desk.objects.filter(floor__building=building).exists():
        if stdout is not None:
            stdout.write("  desks: demo building already present")
        return
    rng = random.Random(20260401)
    floor_names = FLOORS[:2] if small else FLOORS
    zones_per_floor = 2 if small else 4
    desks_per_zone = 12 if small else 31
    deps = _departments(len(floor_names) * zones_per_floor)
    if not deps:
        return
    desks: list[Desk] = []
    zone_of_dep: dict[int, Zone] = {}
    di = 0
    for fi, fname in enumerate(floor_names):
        floor = Floor.objects.create(building=building, name=fname, level=int(fname[:-1]), plan_width=PLAN_W,
                                     plan_height=PLAN_H)
        zone_names = []
        for zi in range(zones_per_floor):
            dep = deps[di % len(deps)]
            di += 1
            label = f"{dep.top.name} {dep.name}"
            zone = Zone.objects.create(floor=floor, name=label)
            zone.reserved_for.add(dep)
            zone_of_dep[dep.pk] = zone
            zone_names.append(label)
            ox, oy = ZONE_AREAS[zi]
            for k, (x, y) in enumerate(_zone_desk_positions(ox, oy, desks_per_zone)):
                amen = AMENITY_CYCLE[(k + zi) % len(AMENITY_CYCLE)].split(";")
                if k == 0:
                    amen.append("accessible")
                desks.append(Desk(floor=floor, zone=zone, code=f"{fname}-{chr(65 + zi)}{k + 1:02d}", x=x, y=y,
                                  width=48, height=28, amenities=Desk.encode_amenities(amen),
                                  bookable=not (k == desks_per_zone - 1 and fi % 3 == 2)))
        floor.plan.save(f"demo-{fname}.svg", ContentFile(_plan_svg(fname, zone_names)), save=True)
    desks = Desk.objects.bulk_create(desks, batch_size=1000)
    staff_by_dep = _history(rng, building, desks, zone_of_dep, weeks=2 if small else 12)
    _opt_in(rng, staff_by_dep)
    if stdout is not None:
        stdout.write(f"  desks: {len(desks)} desks on {len(floor_names)} floors, "
                     f"{Booking.objects.count()} bookings")


def _history(rng, building, desks, zone_of_dep, *, weeks: int) -> None:
    today = timezone.localdate()
    start = today - dt.timedelta(weeks=weeks)
    future = dates.add_working_days(today, 5)
    days = dates.working_days(start, future)
    by_zone: dict[int, list[Desk]] = {}
    for d in desks:
        if d.bookable:
            by_zone.setdefault(d.zone_id, []).append(d)
    staff_by_dep: dict[int, list[int]] = {}
    dep_paths = {dep_id: OrgUnit.objects.get(pk=dep_id).path for dep_id in zone_of_dep}
    for uid, path in StaffProfile.objects.filter(is_active=True).values_list("user_id", "section__path"):
        for dep_id, dpath in dep_paths.items():
            if path.startswith(dpath):
                staff_by_dep.setdefault(dep_id, []).append(uid)
                break
    demo_user = User.objects.filter(username="10000001").first()
    demo_id = demo_user.pk if demo_user else None
    rows: dict[tuple[int, dt.date], tuple] = {}  # (desk, day) → booking row
    for day in days:
        past = day < today
        rate = ATTENDANCE[day.weekday()] * (1 if day <= today else 0.55)
        for dep_id, zone in zone_of_dep.items():
            zone_desks = by_zone.get(zone.pk, [])
            people = [p for p in staff_by_dep.get(dep_id, []) if p != demo_id]
            if not zone_desks or not people:
                continue
            n = min(len(zone_desks), len(people), max(0, round(len(zone_desks) * (rate + rng.uniform(-0.08, 0.08)))))
            for desk, uid in zip(rng.sample(zone_desks, n), rng.sample(people, n), strict=True):
                r = rng.random()
                slot = "day" if r < 0.8 else ("am" if r < 0.9 else "pm")
                start_dt = dt.datetime.combine(day, dt.time(8, 30) if slot != "pm" else dt.time(12, 45), tzinfo=TZ)
                created = dt.datetime.combine(day - dt.timedelta(days=rng.randint(1, 7)), dt.time(9, 0), tzinfo=TZ)
                no_show = past and rng.random() < 0.10
                checked = start_dt + dt.timedelta(minutes=rng.randint(-25, 50)) if past and not no_show else None
                rows[(desk.pk, day)] = (uid, desk.pk, day, slot, "no_show" if no_show else "active", "single",
                                        checked, created, start_dt + dt.timedelta(hours=1) if no_show else None,
                                        "no check-in" if no_show else "")
    # the demo employee: a usual desk, a favourite and bookings today and on the next working days
    if demo_user is not None:
        profile = getattr(demo_user, "staff", None)
        dep_id = profile.section.parent_id if profile else None
        zone = zone_of_dep.get(dep_id) or next(iter(zone_of_dep.values()))
        mine = by_zone[zone.pk][2]
        Favourite.objects.get_or_create(user=demo_user, desk=mine, defaults={"is_usual": True})
        Favourite.objects.get_or_create(user=demo_user, desk=by_zone[zone.pk][5])
        for day in [d for d in days if d >= today][:3]:
            rows[(mine.pk, day)] = (demo_id, mine.pk, day, "day", "active", "single", None, timezone.now(), None, "")
    _bulk_insert(building, list(rows.values()))
    return staff_by_dep


def _bulk_insert(building, rows: list[tuple]) -> None:
    """Plain executemany: the ORM's per-object overhead would take most of the time budget."""
    from django.db import connection

    ops = connection.ops
    qn = connection.ops.quote_name

    def dtv(v):
        return ops.adapt_datetimefield_value(v) if v is not None else None

    booking_cols = ["user_id", "desk_id", "day", "slot", "status", "source", "checked_in_at", "created_at",
                    "ended_at", "end_reason"]
    with connection.cursor() as cur:
        cur.executemany(
            f"INSERT INTO {qn(Booking._meta.db_table)} ({', '.join(qn(c) for c in booking_cols)}) "
            f"VALUES ({', '.join(['%s'] * len(booking_cols))})",
            [(u, d, ops.adapt_datefield_value(day), slot, st, src, dtv(ci), dtv(cr), dtv(en), er)
             for (u, d, day, slot, st, src, ci, cr, en, er) in rows],
        )
    occ = []
    for pk, uid, desk_id, day, slot, status in Booking.objects.filter(desk__floor__building=building).values_list(
            "pk", "user_id", "desk_id", "day", "slot", "status"):
        for half in (("am", "pm") if slot == "day" else (slot,)):
            occ.append((pk, desk_id, uid, ops.adapt_datefield_value(day), half, status == "active"))
    occ_cols = ["booking_id", "desk_id", "user_id", "day", "half", "active"]
    with connection.cursor() as cur:
        cur.executemany(
            f"INSERT INTO {qn(DeskOccupancy._meta.db_table)} ({', '.join(qn(c) for c in occ_cols)}) "
            f"VALUES ({', '.join(['%s'] * len(occ_cols))})",
            occ,
        )


def _opt_in(rng, staff_by_dep) -> None:
    # about one person in five lets colleagues find them
    ids = [uid for people in staff_by_dep.values() for uid in people]
    User.objects.filter(pk__in=rng.sample(ids, len(ids) // 5)).update(locate_opt_in=True)

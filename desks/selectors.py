"""Reads of the desks app, with access control built in. Other apps use only this module and services."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import Q
from django.http import Http404
from django.utils import timezone

from workstyle.roles import has_role
from workstyle.services.audit import log_personal_read

from .models import HALVES, TZ, Booking, Building, Desk, DeskOccupancy, Favourite, Floor, RecurringBooking

FACILITIES_ROLES = ("facilities", "admin")
UTILIZATION_ROLES = ("facilities", "admin", "dx_office", "executive")


def can_manage_space(user) -> bool:
    return has_role(user, *FACILITIES_ROLES)


def can_see_utilization(user) -> bool:
    return has_role(user, *UTILIZATION_ROLES)


# --- cross-app interface -------------------------------------------------------------------------


def has_booking(user, day: dt.date) -> bool:
    return Booking.objects.filter(user=user, day=day, status=Booking.Status.ACTIVE).exists()


def bookings_for_users(user_ids, start: dt.date, end: dt.date) -> dict[tuple[int, dt.date], list[dict]]:
    """Active bookings of these people from start to end (inclusive), in one query."""
    out: dict[tuple[int, dt.date], list[dict]] = defaultdict(list)
    rows = (
        Booking.objects.filter(user_id__in=list(user_ids), day__gte=start, day__lte=end, status=Booking.Status.ACTIVE)
        .order_by("day", "slot")
        .values_list("user_id", "day", "slot", "desk__code", "desk__floor__name", "checked_in_at")
    )
    for uid, day, slot, code, floor, checked in rows:
        out[(uid, day)].append({"slot": slot, "desk_code": code, "floor": floor, "checked_in": checked is not None})
    return dict(out)


# --- space ---------------------------------------------------------------------------------------


def buildings():
    return Building.objects.prefetch_related("floors").order_by("code")


def floor_for_user(user, floor_id: int) -> Floor:
    floor = Floor.objects.select_related("building").filter(pk=floor_id).first()
    if floor is None or not user.is_authenticated:
        raise Http404
    return floor


def desk_for_user(user, desk_id: int) -> Desk:
    desk = Desk.objects.select_related("zone", "floor__building").filter(pk=desk_id).first()
    if desk is None or not user.is_authenticated:
        raise Http404
    return desk


def own_booking(user, booking_id: int) -> Booking:
    booking = Booking.objects.select_related("desk__floor__building").filter(pk=booking_id).first()
    if booking is None or (booking.user_id != user.pk and not can_manage_space(user)):
        raise Http404
    return booking


def floor_map(user, floor: Floor, day: dt.date, slot: str, *, zone_id: int | None = None,
              amenity: str | None = None) -> dict:
    """Desks of a floor with their state for a day and slot; a fixed number of queries for any size.

    state: "mine", "checked_in" (someone is there), "taken", "free", "unavailable" (not bookable).
    """
    desks = list(Desk.objects.filter(floor=floor).select_related("zone").order_by("code"))
    zones = {}
    for d in desks:
        zones[d.zone_id] = d.zone
    occ = list(
        DeskOccupancy.objects.filter(desk__floor=floor, day=day, active=True, half__in=HALVES[slot])
        .values_list("desk_id", "user_id", "booking__checked_in_at", "booking_id")
    )
    by_desk: dict[int, list] = defaultdict(list)
    for desk_id, uid, checked, booking_id in occ:
        by_desk[desk_id].append((uid, checked, booking_id))
    favs = set(Favourite.objects.filter(user=user, desk__floor=floor).values_list("desk_id", flat=True))
    items = []
    for d in desks:
        holders = by_desk.get(d.pk, [])
        mine = next((h for h in holders if h[0] == user.pk), None)
        if not d.bookable:
            state = "unavailable"
        elif mine:
            state = "mine"
        elif any(h[1] for h in holders):
            state = "checked_in"
        elif holders:
            state = "taken"
        else:
            state = "free"
        shown = (zone_id is None or d.zone_id == zone_id) and (not amenity or amenity in d.amenity_list)
        items.append({"desk": d, "state": state, "favourite": d.pk in favs, "shown": shown,
                      "booking_id": mine[2] if mine else None})
    counts = defaultdict(int)
    for it in items:
        counts[it["state"]] += 1
    return {"items": items, "zones": sorted(zones.values(), key=lambda z: z.name), "counts": dict(counts)}


def floor_states(user, floor: Floor, day: dt.date, slot: str) -> dict[int, str]:
    data = floor_map(user, floor, day, slot)
    return {it["desk"].pk: it["state"] for it in data["items"]}


# --- my bookings ---------------------------------------------------------------------------------


def upcoming_bookings(user, today: dt.date | None = None):
    today = today or timezone.localdate()
    return (
        Booking.objects.filter(user=user, day__gte=today, status=Booking.Status.ACTIVE)
        .select_related("desk__floor__building", "desk__zone")
        .order_by("day", "slot")
    )


def recent_bookings(user, today: dt.date | None = None, limit: int = 20):
    today = today or timezone.localdate()
    return (
        Booking.objects.filter(user=user)
        .filter(Q(day__lt=today) | ~Q(status=Booking.Status.ACTIVE))
        .select_related("desk__floor__building")
        .order_by("-day", "-id")[:limit]
    )


def favourites(user):
    return Favourite.objects.filter(user=user).select_related("desk__floor__building", "desk__zone").order_by(
        "-is_usual", "desk__code")


def usual_desk(user) -> Desk | None:
    fav = Favourite.objects.filter(user=user, is_usual=True).select_related("desk__floor").first()
    return fav.desk if fav else None


def series_of(user):
    return RecurringBooking.objects.filter(user=user).select_related("desk__floor").order_by("-created_at")[:10]


def series_for_user(user, series_id: int) -> RecurringBooking:
    series = RecurringBooking.objects.select_related("desk__floor").filter(pk=series_id, user=user).first()
    if series is None:
        raise Http404
    return series


def todays_bookings(user, day: dt.date | None = None):
    day = day or timezone.localtime(timezone.now(), TZ).date()
    return list(
        Booking.objects.filter(user=user, day=day, status=Booking.Status.ACTIVE)
        .select_related("desk__floor__building", "desk__zone").order_by("slot")
    )


def booking_for_desk_now(user, desk: Desk, now: dt.datetime | None = None) -> Booking | None:
    """The user's active booking of this desk today, if any."""
    now = now or timezone.now()
    day = timezone.localtime(now, TZ).date()
    return Booking.objects.filter(user=user, desk=desk, day=day, status=Booking.Status.ACTIVE).order_by("slot").first()


def desk_holder_now(desk: Desk, now: dt.datetime | None = None) -> bool:
    now = now or timezone.now()
    day = timezone.localtime(now, TZ).date()
    half = desk.floor.building.current_slot(now)
    if half is None:
        return False
    return DeskOccupancy.objects.filter(desk=desk, day=day, half=half, active=True).exists()


# --- find a colleague ----------------------------------------------------------------------------


def find_colleagues(viewer, query: str, day: dt.date | None = None, limit: int = 20) -> list[dict]:
    """Where opted-in people sit today. Only people with ``locate_opt_in`` are ever shown."""
    from workstyle.models import User

    query = (query or "").strip()
    if len(query) < 1:
        return []
    day = day or timezone.localtime(timezone.now(), TZ).date()
    people = list(
        User.objects.filter(locate_opt_in=True, is_active=True)
        .filter(Q(staff__name__icontains=query) | Q(staff__name_kana__icontains=query) | Q(username=query))
        .select_related("staff__section").order_by("staff__name_kana")[:limit]
    )
    bookings = bookings_for_users([p.pk for p in people], day, day)
    out = []
    for person in people:
        items = bookings.get((person.pk, day), [])
        log_personal_read(actor=viewer, subject=person, what="desks.location")
        out.append({"user": person, "bookings": items})
    return out

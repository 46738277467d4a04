"""Every state change of the desks app: one function each, keyword-only, one transaction, audited.

Double bookings are refused by the database (``DeskOccupancy`` unique constraints); the checks made
here before writing only produce friendlier messages. An ``IntegrityError`` from a concurrent writer
is caught and turned into a DomainError naming the conflict.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from workstyle import dates
from workstyle.errors import DomainError, PermissionDenied
from workstyle.roles import has_role
from workstyle.services.audit import log_event
from workstyle.services.notifications import notify

from .models import (
    HALVES,
    TZ,
    Booking,
    Building,
    Desk,
    DeskOccupancy,
    Favourite,
    Floor,
    RecurringBooking,
    Zone,
)

log = logging.getLogger(__name__)

# ---------------------------------------------------------------------------------------------
# Guards registered by other apps (telework refuses desks on approved telework days).

_guards: list[Callable] = []


def register_booking_guard(fn: Callable) -> None:
    """``fn(*, user, day, slot) -> str | None``; a returned (translated) message refuses the booking."""
    if fn not in _guards:
        _guards.append(fn)


def _check_guards(*, user, day: dt.date, slot: str) -> None:
    for guard in list(_guards):
        message = guard(user=user, day=day, slot=slot)
        if message:
            raise DomainError(message, code="guard")


# ---------------------------------------------------------------------------------------------
# Helpers


def slot_label(slot: str) -> str:
    return {"am": _("the morning"), "pm": _("the afternoon"), "day": _("the whole day")}.get(slot, slot)


def floor_group(floor_id: int, day: dt.date) -> str:
    return f"desks.floor.{floor_id}.{day.isoformat()}"


def _broadcast(floor_id: int, day: dt.date, desk_id: int) -> None:
    """After commit, tell everyone viewing that floor and day that a desk changed."""

    def send():
        layer = get_channel_layer()
        if layer is None:
            return
        try:
            async_to_sync(layer.group_send)(
                floor_group(floor_id, day), {"type": "desk.changed", "desk": desk_id, "day": day.isoformat()}
            )
        except Exception:  # noqa: BLE001 - a push must never break the write that caused it
            log.warning("desk broadcast failed", exc_info=True)

    transaction.on_commit(send)


def _person_label(user) -> str:
    if getattr(user, "locate_opt_in", False):
        return user.display_name()
    return _("another person")


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or timezone.now()


def user_may_use_zone(user, zone: Zone, reserved_paths: list[str] | None = None) -> bool:
    if reserved_paths is None:
        reserved_paths = [u.path for u in zone.reserved_for.all()]
    if not reserved_paths:
        return True
    profile = getattr(user, "staff", None)
    if profile is None:
        return False
    path = profile.section.path
    return any(path.startswith(p) for p in reserved_paths)


def _conflict_message(*, user, desk: Desk, day: dt.date, halves: Iterable[str]) -> str | None:
    """Name the first conflict: the desk is taken, or the person already holds a desk."""
    rows = list(
        DeskOccupancy.objects.filter(Q(desk=desk) | Q(user=user), day=day, half__in=list(halves), active=True)
        .select_related("desk", "user", "user__staff")
    )
    for occ in rows:
        if occ.desk_id == desk.pk and occ.user_id != user.pk:
            return _("Desk %(desk)s is already booked by %(who)s for %(slot)s on %(day)s.") % {
                "desk": desk.code, "who": _person_label(occ.user), "slot": slot_label(occ.half), "day": day}
    for occ in rows:
        if occ.user_id == user.pk:
            if occ.desk_id == desk.pk:
                return _("You have already booked desk %(desk)s for %(slot)s on %(day)s.") % {
                    "desk": desk.code, "slot": slot_label(occ.half), "day": day}
            return _("You already hold desk %(desk)s for %(slot)s on %(day)s; one person holds at most one desk per slot.") % {
                "desk": occ.desk.code, "slot": slot_label(occ.half), "day": day}
    return None


# ---------------------------------------------------------------------------------------------
# Booking


def _validate_booking(*, user, desk: Desk, building: Building, day: dt.date, slot: str, now: dt.datetime,
                      walk_up: bool = False) -> None:
    if slot not in HALVES:
        raise DomainError(_("Unknown slot."), code="slot")
    if not desk.bookable:
        raise DomainError(_("Desk %(desk)s is not bookable.") % {"desk": desk.code}, code="not_bookable")
    reason = dates.non_working_reason(day)
    if reason:
        raise DomainError(_("%(day)s is not a working day (%(reason)s); desks cannot be booked.") % {
            "day": day, "reason": reason}, code="non_working_day")
    start, end = building.slot_bounds(day, slot)
    if walk_up:
        if now >= end:
            raise DomainError(_("This slot has already ended."), code="past")
    elif now >= start:
        raise DomainError(_("%(slot)s of %(day)s has already started; book a later slot.") % {
            "slot": slot_label(slot), "day": day}, code="past")
    today = timezone.localtime(now, TZ).date()
    last = today + dt.timedelta(days=building.max_days_ahead)
    if day > last:
        raise DomainError(_("Bookings open %(n)s days ahead in %(building)s; the last bookable date is %(last)s.") % {
            "n": building.max_days_ahead, "building": building.name, "last": last}, code="window")
    if not user_may_use_zone(user, desk.zone):
        raise DomainError(_("Zone %(zone)s is reserved for other organisation units.") % {"zone": desk.zone.name},
                          code="zone")
    week0 = dates.week_start(day)
    # One person's bookings are serialised (a row lock on their user row, held until the booking commits) so
    # that two simultaneous requests cannot both pass the weekly limit. Different people never wait on it.
    if transaction.get_connection().in_atomic_block:
        get_user_model().objects.select_for_update().filter(pk=user.pk).values_list("pk", flat=True).first()
    in_week = Booking.objects.filter(
        user=user, status__in=[Booking.Status.ACTIVE, Booking.Status.NO_SHOW],
        day__gte=week0, day__lt=week0 + dt.timedelta(days=7), desk__floor__building=building,
    ).count()
    if in_week >= building.max_bookings_per_week:
        raise DomainError(_("You already have %(n)s bookings in the week of %(week)s; the limit in %(building)s is %(max)s.") % {
            "n": in_week, "week": week0, "building": building.name, "max": building.max_bookings_per_week},
            code="weekly_limit")
    _check_guards(user=user, day=day, slot=slot)


def _write_booking(*, user, desk: Desk, day: dt.date, slot: str, source: str, series=None,
                   checked_in_at=None, now: dt.datetime, then: Callable | None = None) -> Booking:
    """Insert the booking and its occupancy rows (and run ``then(booking)``, e.g. the audit event) in one
    transaction, or a savepoint when called inside one."""
    halves = HALVES[slot]
    # No check-then-write: the database decides. A refused insert is explained afterwards.
    try:
        with transaction.atomic():
            booking = Booking.objects.create(user=user, desk=desk, day=day, slot=slot, source=source, series=series,
                                             checked_in_at=checked_in_at, created_at=now)
            DeskOccupancy.objects.bulk_create(
                [DeskOccupancy(booking=booking, desk=desk, user=user, day=day, half=h) for h in halves]
            )
            if then is not None:
                then(booking)
    except IntegrityError:
        # The desk half or the person's half is already held (perhaps by a concurrent request).
        message = _conflict_message(user=user, desk=desk, day=day, halves=halves)
        raise DomainError(message or _("Desk %(desk)s was just booked by someone else.") % {"desk": desk.code},
                          code="conflict")
    return booking


def _with_space(desk: Desk) -> Desk:
    """The desk with its zone, floor and building loaded (one query unless the caller already did)."""
    cache = desk._state.fields_cache
    if "zone" in cache and "floor" in cache and "building" in desk.floor._state.fields_cache:
        return desk
    return Desk.objects.select_related("zone", "floor__building").get(pk=desk.pk)


def book_desk(*, user, desk: Desk, day: dt.date, slot: str, actor=None, now: dt.datetime | None = None) -> Booking:
    """Book a desk for a working day and slot (am, pm or day)."""
    now = _now(now)
    desk = _with_space(desk)
    building = desk.floor.building
    # The rule checks only read; the write and its audit event are one transaction, and the database
    # (not these checks) guarantees one booking per desk half and one desk per person and half.
    def audit(booking):
        log_event(actor=actor or user, action="desks.booking.create", obj=booking, subject=user,
                  details={"desk": desk.code, "day": day.isoformat(), "slot": slot})
        _broadcast(desk.floor_id, day, desk.pk)

    with transaction.atomic():
        _validate_booking(user=user, desk=desk, building=building, day=day, slot=slot, now=now)
        return _write_booking(user=user, desk=desk, day=day, slot=slot, source=Booking.Source.SINGLE, now=now,
                              then=audit)


def walk_up(*, user, desk: Desk, now: dt.datetime | None = None) -> Booking:
    """Book a free desk for now (the rest of today) and check in at once."""
    now = _now(now)
    desk = _with_space(desk)
    building = desk.floor.building
    day = timezone.localtime(now, TZ).date()
    current = building.current_slot(now)
    if current is None:
        raise DomainError(_("The working day is over; book a desk for another day."), code="past")
    candidates = ["day", "am"] if current == "am" else ["pm"]
    with transaction.atomic():
        last_error = None
        for slot in candidates:
            try:
                with transaction.atomic():
                    _validate_booking(user=user, desk=desk, building=building, day=day, slot=slot, now=now,
                                      walk_up=True)
                    booking = _write_booking(user=user, desk=desk, day=day, slot=slot,
                                             source=Booking.Source.WALK_UP, checked_in_at=now, now=now)
                break
            except DomainError as exc:
                last_error = exc
        else:
            raise last_error
        log_event(actor=user, action="desks.booking.walk_up", obj=booking, subject=user,
                  details={"desk": desk.code, "day": day.isoformat(), "slot": booking.slot})
        _broadcast(desk.floor_id, day, desk.pk)
    return booking


def _end_booking(booking: Booking, *, status: str, reason: str, now: dt.datetime) -> None:
    Booking.objects.filter(pk=booking.pk).update(status=status, ended_at=now, end_reason=reason[:200])
    DeskOccupancy.objects.filter(booking=booking).update(active=False)
    booking.status, booking.ended_at, booking.end_reason = status, now, reason[:200]
    _broadcast(booking.desk.floor_id, booking.day, booking.desk_id)


def cancel_booking(*, booking: Booking, actor, now: dt.datetime | None = None) -> Booking:
    """Cancel one's own booking until its slot starts (facilities may cancel any)."""
    now = _now(now)
    with transaction.atomic():
        booking = Booking.objects.select_for_update().select_related("desk__floor__building").get(pk=booking.pk)
        if booking.user_id != actor.pk and not has_role(actor, "facilities", "admin"):
            raise PermissionDenied(_("You may only cancel your own bookings."))
        if booking.status != Booking.Status.ACTIVE:
            raise DomainError(_("This booking is no longer active."), code="inactive")
        start, _end = booking.desk.floor.building.slot_bounds(booking.day, booking.slot)
        if now >= start:
            raise DomainError(_("Bookings can be cancelled until the slot starts (%(start)s).") % {
                "start": timezone.localtime(start, TZ).strftime("%Y-%m-%d %H:%M")}, code="started")
        _end_booking(booking, status=Booking.Status.CANCELLED, reason="cancelled", now=now)
        log_event(actor=actor, action="desks.booking.cancel", obj=booking, subject=booking.user,
                  details={"desk": booking.desk.code, "day": booking.day.isoformat(), "slot": booking.slot})
    return booking


def check_in(*, booking: Booking, actor, now: dt.datetime | None = None) -> Booking:
    """Check in from 30 minutes (configurable) before the slot until the grace period after its start."""
    now = _now(now)
    with transaction.atomic():
        booking = Booking.objects.select_for_update().select_related("desk__floor__building").get(pk=booking.pk)
        if booking.user_id != actor.pk:
            raise PermissionDenied(_("You may only check in to your own booking."))
        if booking.status != Booking.Status.ACTIVE:
            raise DomainError(_("This booking is no longer active."), code="inactive")
        if booking.checked_in_at:
            raise DomainError(_("You have already checked in."), code="already")
        opens, closes = booking.desk.floor.building.checkin_window(booking.day, booking.slot)
        if now < opens:
            raise DomainError(_("Check-in opens at %(time)s.") % {
                "time": timezone.localtime(opens, TZ).strftime("%Y-%m-%d %H:%M")}, code="too_early")
        if now > closes:
            raise DomainError(_("Check-in closed at %(time)s.") % {
                "time": timezone.localtime(closes, TZ).strftime("%Y-%m-%d %H:%M")}, code="too_late")
        Booking.objects.filter(pk=booking.pk).update(checked_in_at=now)
        booking.checked_in_at = now
        log_event(actor=actor, action="desks.booking.check_in", obj=booking, subject=booking.user)
        _broadcast(booking.desk.floor_id, booking.day, booking.desk_id)
    return booking


def release_no_shows(*, now: dt.datetime | None = None) -> int:
    """Release every active booking not checked in by the end of its grace period; kept as a no-show."""
    now = _now(now)
    today = timezone.localtime(now, TZ).date()
    released = 0
    with transaction.atomic():
        candidates = (
            Booking.objects.select_for_update(of=("self",))
            .filter(status=Booking.Status.ACTIVE, checked_in_at__isnull=True, day__lte=today)
            .select_related("desk__floor__building")
        )
        for booking in candidates:
            _opens, closes = booking.desk.floor.building.checkin_window(booking.day, booking.slot)
            if now <= closes:
                continue
            _end_booking(booking, status=Booking.Status.NO_SHOW, reason="no check-in", now=now)
            log_event(actor=None, action="desks.booking.no_show", obj=booking, subject=booking.user)
            released += 1
    return released


def release_bookings_for_day(*, user, day: dt.date, actor, reason: str, slots: list[str] | None = None) -> int:
    """Release a person's active bookings on a day (all, or those touching the given halves); notify them."""
    wanted = set(slots or ["am", "pm"])
    now = timezone.now()
    count = 0
    with transaction.atomic():
        bookings = list(
            Booking.objects.select_for_update(of=("self",)).select_related("desk__floor__building")
            .filter(user=user, day=day, status=Booking.Status.ACTIVE)
        )
        released = [b for b in bookings if wanted & set(HALVES[b.slot])]
        for booking in released:
            _end_booking(booking, status=Booking.Status.RELEASED, reason=reason, now=now)
            log_event(actor=actor, action="desks.booking.release", obj=booking, subject=user,
                      details={"reason": reason, "desk": booking.desk.code, "day": day.isoformat()})
            count += 1
        if released:
            codes = ", ".join(sorted({b.desk.code for b in released}))
            notify(
                recipients=[user],
                title=_("Your desk booking on %(day)s was released") % {"day": day},
                body=_("Desk %(desks)s on %(day)s was released: %(reason)s") % {"desks": codes, "day": day,
                                                                                "reason": reason},
                url=reverse("desks:mine"), kind="desks.released",
            )
    return count


# ---------------------------------------------------------------------------------------------
# Recurring bookings, favourites, the usual desk


def book_recurring(*, user, desk: Desk, weekday: int, slot: str, until: dt.date, start: dt.date | None = None,
                   now: dt.datetime | None = None) -> RecurringBooking:
    """Book the desk every given weekday until a date; the series keeps a per-date report."""
    now = _now(now)
    today = timezone.localtime(now, TZ).date()
    start = max(start or today, today)
    if weekday not in range(5):
        raise DomainError(_("Choose a weekday from Monday to Friday."), code="weekday")
    if slot not in HALVES:
        raise DomainError(_("Unknown slot."), code="slot")
    if until < start:
        raise DomainError(_("The end date is before the start date."), code="until")
    if (until - start).days > 366:
        raise DomainError(_("A series may run for at most one year."), code="until")
    desk = Desk.objects.select_related("zone", "floor__building").get(pk=desk.pk)
    building = desk.floor.building
    with transaction.atomic():
        series = RecurringBooking.objects.create(user=user, desk=desk, weekday=weekday, slot=slot, start=start,
                                                 until=until, created_at=now)
        report = []
        day = start + dt.timedelta(days=(weekday - start.weekday()) % 7)
        while day <= until:
            try:
                with transaction.atomic():
                    _validate_booking(user=user, desk=desk, building=building, day=day, slot=slot, now=now)
                    booking = _write_booking(user=user, desk=desk, day=day, slot=slot,
                                             source=Booking.Source.RECURRING, series=series, now=now)
                report.append({"day": day.isoformat(), "booked": True, "reason": "", "booking": booking.pk})
                _broadcast(desk.floor_id, day, desk.pk)
            except DomainError as exc:
                report.append({"day": day.isoformat(), "booked": False, "reason": str(exc.message)})
            day += dt.timedelta(days=7)
        series.report = report
        series.save(update_fields=["report"])
        log_event(actor=user, action="desks.recurring.create", obj=series, subject=user,
                  details={"desk": desk.code, "weekday": weekday, "slot": slot, "until": until.isoformat(),
                           "booked": sum(1 for r in report if r["booked"]), "refused": sum(1 for r in report if not r["booked"])})
    return series


def set_favourite(*, user, desk: Desk, favourite: bool = True) -> None:
    with transaction.atomic():
        if favourite:
            Favourite.objects.get_or_create(user=user, desk=desk)
        else:
            Favourite.objects.filter(user=user, desk=desk).delete()
        log_event(actor=user, action="desks.favourite." + ("add" if favourite else "remove"), obj=desk)


def set_usual_desk(*, user, desk: Desk | None) -> None:
    with transaction.atomic():
        Favourite.objects.filter(user=user, is_usual=True).update(is_usual=False)
        if desk is not None:
            fav, _created = Favourite.objects.get_or_create(user=user, desk=desk)
            fav.is_usual = True
            fav.save(update_fields=["is_usual"])
        log_event(actor=user, action="desks.usual.set", object_type="desks.desk",
                  object_id=str(desk.pk) if desk else "", object_repr=desk.code if desk else "")


def book_usual_desk(*, user, day: dt.date, slot: str, now: dt.datetime | None = None) -> Booking:
    fav = Favourite.objects.filter(user=user, is_usual=True).select_related("desk").first()
    if fav is None:
        raise DomainError(_("You have not chosen a usual desk yet."), code="no_usual")
    return book_desk(user=user, desk=fav.desk, day=day, slot=slot, now=now)


# ---------------------------------------------------------------------------------------------
# Space management (facilities)


def _require_facilities(actor) -> None:
    if not has_role(actor, "facilities", "admin"):
        raise PermissionDenied(_("Only facilities staff may change buildings, floors and desks."))


PLAN_MAX_BYTES = 5 * 1024 * 1024


def validate_plan(data: bytes, name: str) -> tuple[str, int, int]:
    """Return (kind, width, height) of a PNG or SVG floor plan, or refuse it with the reason."""
    if len(data) > PLAN_MAX_BYTES:
        raise DomainError(_("The plan image is larger than 5 MB."), code="plan")
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        from io import BytesIO

        from PIL import Image

        try:
            with Image.open(BytesIO(data)) as img:
                img.verify()
            with Image.open(BytesIO(data)) as img:
                width, height = img.size
        except Exception:  # noqa: BLE001
            raise DomainError(_("The PNG file is damaged."), code="plan")
        return "png", width, height
    head = data[:2048].lstrip()
    if head.startswith(b"<?xml") or head.startswith(b"<svg") or b"<svg" in head:
        import re
        import xml.etree.ElementTree as ET

        text = data.decode("utf-8", errors="replace")
        if "<!DOCTYPE" in text or "<!ENTITY" in text:
            raise DomainError(_("SVG plans with a DOCTYPE or entities are not accepted."), code="plan")
        try:
            root = ET.fromstring(data)
        except ET.ParseError:
            raise DomainError(_("The SVG file is not well-formed XML."), code="plan")
        if not root.tag.endswith("svg"):
            raise DomainError(_("The file is not an SVG image."), code="plan")
        lowered = text.lower()
        if "<script" in lowered or re.search(r"\son[a-z]+\s*=", lowered) or "javascript:" in lowered:
            raise DomainError(_("SVG plans may not contain scripts."), code="plan")
        width = height = 0
        view_box = root.get("viewBox")
        if view_box:
            try:
                parts = [float(p) for p in view_box.replace(",", " ").split()]
                width, height = int(parts[2]), int(parts[3])
            except (ValueError, IndexError):
                width = height = 0
        if not width:
            try:
                width = int(float(root.get("width", "0").rstrip("px")))
                height = int(float(root.get("height", "0").rstrip("px")))
            except ValueError:
                width = height = 0
        if width <= 0 or height <= 0:
            raise DomainError(_("The SVG plan needs a viewBox or a width and height."), code="plan")
        return "svg", width, height
    raise DomainError(_("The floor plan must be a PNG or SVG image."), code="plan")


def save_building(*, actor, building: Building | None = None, **fields) -> Building:
    _require_facilities(actor)
    with transaction.atomic():
        building = building or Building()
        for key, value in fields.items():
            setattr(building, key, value)
        if not (building.am_start < building.midday < building.pm_end):
            raise DomainError(_("Slot times must be in order: morning start, afternoon start, afternoon end."))
        building.save()
        log_event(actor=actor, action="desks.building.save", obj=building)
    return building


def save_floor(*, actor, building: Building, name: str, level: int, floor: Floor | None = None,
               plan_data: bytes | None = None, plan_name: str = "") -> Floor:
    _require_facilities(actor)
    from django.core.files.base import ContentFile

    with transaction.atomic():
        floor = floor or Floor(building=building)
        floor.name, floor.level = name, level
        if plan_data is not None:
            kind, width, height = validate_plan(plan_data, plan_name)
            floor.plan.save(f"floor-{building.code}-{name}.{kind}", ContentFile(plan_data), save=False)
            floor.plan_width, floor.plan_height = width, height
        floor.save()
        log_event(actor=actor, action="desks.floor.save", obj=floor)
    return floor


def save_desk(*, actor, desk: Desk, **fields) -> Desk:
    _require_facilities(actor)
    with transaction.atomic():
        for key, value in fields.items():
            setattr(desk, key, value)
        if desk.zone.floor_id != desk.floor_id:
            raise DomainError(_("The zone is on another floor."))
        desk.save()
        log_event(actor=actor, action="desks.desk.save", obj=desk)
        _broadcast(desk.floor_id, dates.today(), desk.pk)
    return desk


def save_zone(*, actor, zone: Zone, name: str, reserved_codes: list[str]) -> Zone:
    """Rename a zone and set the organisation units it is reserved for (by unit code; empty: everyone)."""
    from workstyle.models import OrgUnit

    _require_facilities(actor)
    codes = sorted({c.strip() for c in reserved_codes if c.strip()})
    units = list(OrgUnit.objects.filter(code__in=codes))
    unknown = sorted(set(codes) - {u.code for u in units})
    if unknown:
        raise DomainError(_("Unknown organisation unit code: %(codes)s") % {"codes": ", ".join(unknown)})
    if not name.strip():
        raise DomainError(_("The zone needs a name."))
    with transaction.atomic():
        zone.name = name.strip()[:100]
        try:
            with transaction.atomic():
                zone.save()
        except IntegrityError:
            raise DomainError(_("Another zone on this floor is already called %(name)s.") % {"name": zone.name})
        zone.reserved_for.set(units)
        log_event(actor=actor, action="desks.zone.save", obj=zone, details={"reserved_for": codes})
    return zone


IMPORT_COLUMNS = ["building", "floor", "zone", "desk_code", "x", "y", "width", "height", "amenities"]


def import_desks(*, data: bytes, actor, name: str = "", dry_run: bool = False) -> dict:
    """Create or update desks from CSV (building,floor,zone,desk_code,x,y,width,height,amenities).

    Atomic (any bad line refuses the whole file, with line numbers) and idempotent (the same file twice
    changes nothing the second time). Buildings, floors and zones are created by name when missing;
    amenities are separated by ``;`` or ``|``.
    """
    from workstyle.csvfiles import read_csv
    from workstyle.errors import ImportRejected

    from .models import AMENITIES

    if actor is not None and not isinstance(actor, str):
        _require_facilities(actor)
    parsed = read_csv(data, name=name, required=IMPORT_COLUMNS[:4], optional=IMPORT_COLUMNS[4:])
    errors: list[tuple[int, str]] = []
    rows = []
    seen: dict[tuple[str, str, str], int] = {}
    for line, row in parsed.rows:
        if row.get("__extra__"):
            errors.append((line, _("more values than columns")))
            continue
        missing = [c for c in IMPORT_COLUMNS[:4] if not row.get(c)]
        if missing:
            errors.append((line, _("empty value in %(cols)s") % {"cols": ", ".join(missing)}))
            continue
        nums = {}
        for col, default in (("x", 0), ("y", 0), ("width", 40), ("height", 24)):
            raw = row.get(col, "")
            try:
                nums[col] = int(raw) if raw != "" else default
            except ValueError:
                errors.append((line, _("%(col)s must be a whole number, not “%(value)s”") % {"col": col, "value": raw}))
                break
            if nums[col] < 0 or (col in ("width", "height") and nums[col] == 0):
                errors.append((line, _("%(col)s must be positive") % {"col": col}))
                break
        else:
            amen = [a.strip() for a in row.get("amenities", "").replace("|", ";").split(";") if a.strip()]
            unknown = [a for a in amen if a not in AMENITIES]
            if unknown:
                errors.append((line, _("unknown amenity %(a)s (known: %(known)s)") % {
                    "a": ", ".join(unknown), "known": ", ".join(AMENITIES)}))
                continue
            key = (row["building"], row["floor"], row["desk_code"])
            if key in seen:
                errors.append((line, _("desk %(desk)s appears twice (also on line %(other)s)") % {
                    "desk": row["desk_code"], "other": seen[key]}))
                continue
            seen[key] = line
            rows.append((line, row, nums, Desk.encode_amenities(amen)))
    if errors:
        raise ImportRejected(_("The file was not imported: %(n)s lines have errors.") % {"n": len(errors)},
                             errors=errors)
    report = {"created": 0, "updated": 0, "unchanged": 0, "buildings": 0, "floors": 0, "zones": 0}
    with transaction.atomic():
        buildings = {b.name: b for b in Building.objects.all()}
        buildings.update({b.code: b for b in buildings.values()})
        floors = {(f.building_id, f.name): f for f in Floor.objects.all()}
        zones = {(z.floor_id, z.name): z for z in Zone.objects.all()}
        desks = {(d.floor_id, d.code): d for d in Desk.objects.all()}
        for _line, row, nums, amenities in rows:
            b = buildings.get(row["building"])
            if b is None:
                b = Building.objects.create(name=row["building"], code=row["building"][:32])
                buildings[b.name] = b
                report["buildings"] += 1
            f = floors.get((b.pk, row["floor"]))
            if f is None:
                level = int("".join(ch for ch in row["floor"] if ch.isdigit()) or 0)
                f = Floor.objects.create(building=b, name=row["floor"], level=level)
                floors[(b.pk, f.name)] = f
                report["floors"] += 1
            z = zones.get((f.pk, row["zone"]))
            if z is None:
                z = Zone.objects.create(floor=f, name=row["zone"])
                zones[(f.pk, z.name)] = z
                report["zones"] += 1
            d = desks.get((f.pk, row["desk_code"]))
            values = {"zone_id": z.pk, **nums, "amenities": amenities}
            if d is None:
                d = Desk.objects.create(floor=f, code=row["desk_code"], **values)
                desks[(f.pk, d.code)] = d
                report["created"] += 1
            elif any(getattr(d, k) != v for k, v in values.items()):
                for k, v in values.items():
                    setattr(d, k, v)
                d.save()
                report["updated"] += 1
            else:
                report["unchanged"] += 1
        log_event(actor=actor if not isinstance(actor, str) else None, action="desks.import",
                  object_type="desks.import", object_repr=name[:255], details={**report, "sha256": parsed.sha256})
        if dry_run:
            transaction.set_rollback(True)
    return report

"""Space (buildings, floors, zones, desks) and bookings.

Integrity lives in the database: every active booking writes one ``DeskOccupancy`` row per half day
("am"/"pm"; a whole-day booking writes two) and two conditional unique constraints forbid a second
active occupancy of the same desk half, or of the same person's half, on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from workstyle.models import OrgUnit

TZ = zoneinfo.ZoneInfo(settings.TIME_ZONE)


class Slot(models.TextChoices):
    AM = "am", _("Morning")
    PM = "pm", _("Afternoon")
    DAY = "day", _("Whole day")


HALVES = {"am": ("am",), "pm": ("pm",), "day": ("am", "pm")}

AMENITIES = {
    "monitor": _("Monitor"),
    "dual_monitor": _("Two monitors"),
    "dock": _("Docking station"),
    "standing": _("Standing desk"),
    "accessible": _("Accessible desk"),
    "quiet": _("Quiet area"),
}


class Building(models.Model):
    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100, unique=True)
    am_start = models.TimeField(_("morning starts"), default=dt.time(8, 30))
    midday = models.TimeField(_("afternoon starts"), default=dt.time(12, 45))
    pm_end = models.TimeField(_("afternoon ends"), default=dt.time(17, 15))
    max_days_ahead = models.PositiveSmallIntegerField(_("bookable days ahead"), default=14)
    max_bookings_per_week = models.PositiveSmallIntegerField(_("most bookings per person per week"), default=5)
    checkin_opens_minutes = models.PositiveSmallIntegerField(_("check-in opens (minutes before the slot)"), default=30)
    checkin_grace_minutes = models.PositiveSmallIntegerField(
        _("check-in grace period (minutes after the slot starts)"), default=60
    )

    class Meta:
        verbose_name = _("building")
        verbose_name_plural = _("buildings")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=Q(am_start__lt=models.F("midday")), name="building_am_before_midday"),
            models.CheckConstraint(condition=Q(midday__lt=models.F("pm_end")), name="building_midday_before_end"),
        ]

    def __str__(self) -> str:
        return self.name

    def slot_bounds(self, day: dt.date, slot: str) -> tuple[dt.datetime, dt.datetime]:
        """Aware start and end of a slot on a day, in the city's time zone."""
        start_t = self.midday if slot == "pm" else self.am_start
        end_t = self.midday if slot == "am" else self.pm_end
        return (dt.datetime.combine(day, start_t, tzinfo=TZ), dt.datetime.combine(day, end_t, tzinfo=TZ))

    def checkin_window(self, day: dt.date, slot: str) -> tuple[dt.datetime, dt.datetime]:
        start, _end = self.slot_bounds(day, slot)
        return (start - dt.timedelta(minutes=self.checkin_opens_minutes),
                start + dt.timedelta(minutes=self.checkin_grace_minutes))

    def current_slot(self, now: dt.datetime | None = None) -> str | None:
        """The half that is running now (or the morning before it starts); None after the day ends."""
        local = timezone.localtime(now or timezone.now(), TZ)
        if local.time() < self.midday:
            return "am"
        if local.time() < self.pm_end:
            return "pm"
        return None


class Floor(models.Model):
    building = models.ForeignKey(Building, verbose_name=_("building"), on_delete=models.CASCADE, related_name="floors")
    name = models.CharField(_("name"), max_length=50)
    level = models.SmallIntegerField(_("level"), default=1)
    plan = models.FileField(_("floor plan (PNG or SVG)"), upload_to="desks/plans/", blank=True)
    plan_width = models.PositiveIntegerField(_("plan width"), default=1000)
    plan_height = models.PositiveIntegerField(_("plan height"), default=600)

    class Meta:
        verbose_name = _("floor")
        verbose_name_plural = _("floors")
        ordering = ["building", "level"]
        constraints = [models.UniqueConstraint(fields=["building", "name"], name="floor_unique_name")]

    def __str__(self) -> str:
        return f"{self.building.name} {self.name}"


class Zone(models.Model):
    floor = models.ForeignKey(Floor, verbose_name=_("floor"), on_delete=models.CASCADE, related_name="zones")
    name = models.CharField(_("name"), max_length=100)
    reserved_for = models.ManyToManyField(
        OrgUnit, verbose_name=_("reserved for"), blank=True, related_name="+",
        help_text=_("Only staff of these units (and units below them) may book here. Empty: everyone."),
    )

    class Meta:
        verbose_name = _("zone")
        verbose_name_plural = _("zones")
        ordering = ["floor", "name"]
        constraints = [models.UniqueConstraint(fields=["floor", "name"], name="zone_unique_name")]

    def __str__(self) -> str:
        return self.name


class Desk(models.Model):
    floor = models.ForeignKey(Floor, verbose_name=_("floor"), on_delete=models.CASCADE, related_name="desks")
    zone = models.ForeignKey(Zone, verbose_name=_("zone"), on_delete=models.PROTECT, related_name="desks")
    code = models.CharField(_("desk code"), max_length=32)
    x = models.PositiveIntegerField(_("x"), default=0)
    y = models.PositiveIntegerField(_("y"), default=0)
    width = models.PositiveIntegerField(_("width"), default=40)
    height = models.PositiveIntegerField(_("height"), default=24)
    # Stored as ",monitor,dock," so one LIKE filter works on every database.
    amenities = models.CharField(_("amenities"), max_length=200, blank=True, default="")
    bookable = models.BooleanField(_("bookable"), default=True)

    class Meta:
        verbose_name = _("desk")
        verbose_name_plural = _("desks")
        ordering = ["floor", "code"]
        constraints = [
            models.UniqueConstraint(fields=["floor", "code"], name="desk_unique_code_per_floor"),
            models.CheckConstraint(condition=Q(width__gt=0, height__gt=0), name="desk_positive_size"),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def amenity_list(self) -> list[str]:
        return [a for a in self.amenities.split(",") if a]

    @property
    def amenity_labels(self) -> list[str]:
        return [str(AMENITIES.get(a, a)) for a in self.amenity_list]

    @staticmethod
    def encode_amenities(items) -> str:
        items = sorted({a.strip() for a in items if a and a.strip()})
        return f",{','.join(items)}," if items else ""


class RecurringBooking(models.Model):
    """A weekly series (e.g. every Tuesday until a date) and its per-date report."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    desk = models.ForeignKey(Desk, on_delete=models.CASCADE, related_name="+")
    weekday = models.PositiveSmallIntegerField(_("weekday"))
    slot = models.CharField(_("slot"), max_length=3, choices=Slot.choices)
    start = models.DateField(_("from"))
    until = models.DateField(_("until"))
    report = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(weekday__lte=4), name="recurring_weekday_mon_fri"),
            models.CheckConstraint(condition=Q(start__lte=models.F("until")), name="recurring_start_before_until"),
        ]

    def __str__(self) -> str:
        return f"{self.desk_id} weekly {self.weekday} {self.slot} until {self.until}"


class Booking(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Booked")
        CANCELLED = "cancelled", _("Cancelled")
        RELEASED = "released", _("Released")
        NO_SHOW = "no_show", _("No-show (released)")

    class Source(models.TextChoices):
        SINGLE = "single", _("Single booking")
        RECURRING = "recurring", _("Recurring booking")
        WALK_UP = "walk_up", _("Walk-up")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="desk_bookings")
    desk = models.ForeignKey(Desk, on_delete=models.PROTECT, related_name="bookings")
    day = models.DateField(_("date"))
    slot = models.CharField(_("slot"), max_length=3, choices=Slot.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.SINGLE)
    series = models.ForeignKey(RecurringBooking, null=True, blank=True, on_delete=models.SET_NULL, related_name="bookings")
    checked_in_at = models.DateTimeField(_("checked in"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = _("desk booking")
        verbose_name_plural = _("desk bookings")
        ordering = ["day", "slot"]
        indexes = [
            models.Index(fields=["day", "status"]),
            models.Index(fields=["user", "day"]),
            models.Index(fields=["desk", "day"]),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(slot__in=["am", "pm", "day"]), name="booking_slot_valid"),
            models.CheckConstraint(
                condition=Q(status__in=["active", "cancelled", "released", "no_show"]), name="booking_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.desk.code} {self.day} {self.slot}"

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE

    @property
    def halves(self) -> tuple[str, ...]:
        return HALVES[self.slot]


class DeskOccupancy(models.Model):
    """One half day (am/pm) held by a booking. The database refuses a second active holder."""

    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="occupancies")
    desk = models.ForeignKey(Desk, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    half = models.CharField(max_length=2)
    active = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["desk", "day", "half"], condition=Q(active=True),
                                    name="desk_one_active_booking_per_half"),
            models.UniqueConstraint(fields=["user", "day", "half"], condition=Q(active=True),
                                    name="person_one_desk_per_half"),
            models.CheckConstraint(condition=Q(half__in=["am", "pm"]), name="occupancy_half_valid"),
        ]
        indexes = [models.Index(fields=["day", "desk"])]

    def __str__(self) -> str:
        return f"{self.desk_id} {self.day} {self.half}"


class Favourite(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    desk = models.ForeignKey(Desk, on_delete=models.CASCADE, related_name="+")
    is_usual = models.BooleanField(_("my usual desk"), default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "desk"], name="favourite_unique"),
            models.UniqueConstraint(fields=["user"], condition=Q(is_usual=True), name="favourite_one_usual"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} ♥ {self.desk_id}"


class BenchmarkPing(models.Model):
    """One row written by the benchmark-only reference view (see benchmarks/desk_rush.py)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"ping {self.pk}"

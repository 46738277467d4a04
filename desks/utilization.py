"""Space utilization for facilities: aggregates only, never a per-person figure.

Definitions (also written on the page):
- desks: bookable desks in the chosen building / floor / zone.
- booked rate: booked half-days (bookings not cancelled or released; no-shows count as booked) ÷
  (desks × working half-days in the period).
- occupied rate: checked-in half-days ÷ (desks × working half-days).
- no-show rate: no-show half-days ÷ booked half-days.
- daily occupied desks: distinct desks checked in on a working day (0 on days without any).
- desks needed: the chosen percentile (default 95th, linear interpolation) of daily occupied desks over
  the last N working weeks up to the end of the period, plus a buffer, rounded up.
- space that could be freed: 1 − desks needed ÷ desks; the DX plan's target is 20%.
- desk-sharing ratio: desks ÷ staff of the units the zones are reserved for.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import math
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.utils import timezone

from workstyle import dates
from workstyle.models import StaffProfile

from .models import Booking, Building, Desk, DeskOccupancy, Floor, Zone

PLAN_TARGET = 0.20
BOOKED_STATUSES = [Booking.Status.ACTIVE, Booking.Status.NO_SHOW]


def percentile(values: list[float], p: float) -> float:
    """Linear-interpolation percentile (like numpy's default); 0 for no values."""
    if not values:
        return 0.0
    xs = sorted(values)
    if len(xs) == 1:
        return float(xs[0])
    rank = (len(xs) - 1) * p / 100.0
    lo = math.floor(rank)
    hi = math.ceil(rank)
    return float(xs[lo] + (xs[hi] - xs[lo]) * (rank - lo))


def desks_needed(daily: list[int], p: float, buffer_pct: float) -> int:
    return math.ceil(round(percentile(daily, p) * (1 + buffer_pct / 100.0), 9))


@dataclass
class Utilization:
    scope_label: str
    start: dt.date
    end: dt.date
    desks: int
    staff: int | None
    working_days: int
    booked_rate: float | None
    occupied_rate: float | None
    no_show_rate: float | None
    average_occupied: float | None
    peak_occupied: int
    percentile: float
    weeks: int
    buffer_pct: float
    desks_needed: int
    freed_share: float | None
    daily: list[dict] = field(default_factory=list)
    heatmap: dict = field(default_factory=dict)  # (weekday, half) -> occupied rate
    weekly: list[dict] = field(default_factory=list)

    @property
    def sharing_ratio(self) -> float | None:
        return (self.desks / self.staff) if self.staff else None

    @property
    def target_met(self) -> bool:
        return self.freed_share is not None and self.freed_share >= PLAN_TARGET


def compute(*, building: Building, floor: Floor | None = None, zone: Zone | None = None, start: dt.date,
            end: dt.date, pct: float = 95, weeks: int = 12, buffer_pct: float = 10) -> Utilization:
    desk_q = Q(floor__building=building, bookable=True)
    scope_label = building.name
    if floor is not None:
        desk_q &= Q(floor=floor)
        scope_label = str(floor)
    if zone is not None:
        desk_q &= Q(zone=zone)
        scope_label = f"{zone.floor} {zone.name}"
    n_desks = Desk.objects.filter(desk_q).count()
    occ_scope = Q(desk__floor__building=building, desk__bookable=True)
    if floor is not None:
        occ_scope &= Q(desk__floor=floor)
    if zone is not None:
        occ_scope &= Q(desk__zone=zone)

    today = timezone.localdate()
    need_start = end - dt.timedelta(weeks=weeks) + dt.timedelta(days=1)
    q_start = min(start, need_start)
    rows = (
        DeskOccupancy.objects.filter(occ_scope, day__gte=q_start, day__lte=end)
        .values("day", "half")
        .annotate(
            booked=Count("id", filter=Q(booking__status__in=BOOKED_STATUSES)),
            occupied=Count("id", filter=Q(booking__checked_in_at__isnull=False) & ~Q(booking__status="cancelled")),
            no_show=Count("id", filter=Q(booking__status=Booking.Status.NO_SHOW)),
        )
    )
    per_half: dict[tuple[dt.date, str], dict] = {}
    for r in rows:
        per_half[(r["day"], r["half"])] = r
    daily_desks = dict(
        DeskOccupancy.objects.filter(occ_scope, day__gte=q_start, day__lte=end,
                                     booking__checked_in_at__isnull=False)
        .exclude(booking__status="cancelled")
        .values("day").annotate(n=Count("desk", distinct=True)).values_list("day", "n")
    )

    last_day = min(end, today)
    period_days = dates.working_days(start, last_day) if start <= last_day else []
    daily = []
    tot_booked = tot_occ = tot_noshow = 0
    heat_sum: dict[tuple[int, str], list[float]] = defaultdict(list)
    weekly: dict[dt.date, dict] = {}
    for day in period_days:
        am = per_half.get((day, "am"), {})
        pm = per_half.get((day, "pm"), {})
        entry = {
            "day": day,
            "am_booked": am.get("booked", 0), "am_occupied": am.get("occupied", 0),
            "pm_booked": pm.get("booked", 0), "pm_occupied": pm.get("occupied", 0),
            "no_show": am.get("no_show", 0) + pm.get("no_show", 0),
            "occupied_desks": daily_desks.get(day, 0),
        }
        daily.append(entry)
        tot_booked += entry["am_booked"] + entry["pm_booked"]
        tot_occ += entry["am_occupied"] + entry["pm_occupied"]
        tot_noshow += entry["no_show"]
        if n_desks:
            heat_sum[(day.weekday(), "am")].append(entry["am_occupied"] / n_desks)
            heat_sum[(day.weekday(), "pm")].append(entry["pm_occupied"] / n_desks)
        wk = weekly.setdefault(dates.week_start(day), {"halves": 0, "booked": 0, "occupied": 0})
        wk["halves"] += 2
        wk["booked"] += entry["am_booked"] + entry["pm_booked"]
        wk["occupied"] += entry["am_occupied"] + entry["pm_occupied"]
    capacity = n_desks * 2 * len(period_days)
    need_days = dates.working_days(need_start, last_day) if need_start <= last_day else []
    need_values = [daily_desks.get(d, 0) for d in need_days]
    needed = desks_needed(need_values, pct, buffer_pct) if need_values else 0
    occupied_series = [e["occupied_desks"] for e in daily]
    reserved_units = list(
        Zone.objects.filter(desks__in=Desk.objects.filter(desk_q)).values_list("reserved_for__path", flat=True).distinct()
    )
    paths = sorted({p for p in reserved_units if p})
    staff = None
    if paths:
        cond = Q()
        for p in paths:
            cond |= Q(section__path__startswith=p)
        staff = StaffProfile.objects.filter(cond, is_active=True).count()
    return Utilization(
        scope_label=scope_label, start=start, end=end, desks=n_desks, staff=staff,
        working_days=len(period_days),
        booked_rate=(tot_booked / capacity) if capacity else None,
        occupied_rate=(tot_occ / capacity) if capacity else None,
        no_show_rate=(tot_noshow / tot_booked) if tot_booked else None,
        average_occupied=(sum(occupied_series) / len(occupied_series)) if occupied_series else None,
        peak_occupied=max(occupied_series, default=0),
        percentile=pct, weeks=weeks, buffer_pct=buffer_pct, desks_needed=needed,
        freed_share=(1 - needed / n_desks) if (n_desks and need_values and any(need_values)) else None,
        daily=daily,
        heatmap={k: sum(v) / len(v) for k, v in heat_sum.items()},
        weekly=[{"week": w, "booked_rate": (v["booked"] / (n_desks * v["halves"])) if n_desks else 0,
                 "occupied_rate": (v["occupied"] / (n_desks * v["halves"])) if n_desks else 0}
                for w, v in sorted(weekly.items())],
    )


WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri"]


@contextlib.contextmanager
def _quiet():
    import warnings

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Glyph .* missing")
        yield


def heatmap_svg(u: Utilization, weekday_labels: list[str], half_labels: list[str], title: str) -> str:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    from workstyle import fonts

    # Text stays text in the SVG (the browser draws it) but is measured with the Japanese font.
    with matplotlib.rc_context(fonts.svg_rc()), _quiet():
        data = [[u.heatmap.get((wd, h), 0) * 100 for wd in range(5)] for h in ("am", "pm")]
        fig, ax = plt.subplots(figsize=(6, 2.4))
        im = ax.imshow(data, cmap="Blues", vmin=0, vmax=100, aspect="auto")
        ax.set_xticks(range(5), weekday_labels)
        ax.set_yticks(range(2), half_labels)
        for i, row in enumerate(data):
            for j, v in enumerate(row):
                ax.text(j, i, f"{v:.0f}%", ha="center", va="center", color="black" if v < 60 else "white")
        ax.set_title(title)
        fig.colorbar(im, ax=ax, format="%d%%")
        fig.tight_layout()
        buf = io.StringIO()
        fig.savefig(buf, format="svg")
        plt.close(fig)
    return _strip_svg_header(buf.getvalue())


def trend_svg(u: Utilization, booked_label: str, occupied_label: str, title: str) -> str:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    from workstyle import fonts

    # Text stays text in the SVG (the browser draws it) but is measured with the Japanese font.
    with matplotlib.rc_context(fonts.svg_rc()), _quiet():
        fig, ax = plt.subplots(figsize=(7, 2.8))
        xs = [w["week"].strftime("%m/%d") for w in u.weekly]
        ax.plot(xs, [w["booked_rate"] * 100 for w in u.weekly], marker="o", label=booked_label)
        ax.plot(xs, [w["occupied_rate"] * 100 for w in u.weekly], marker="s", linestyle="--", label=occupied_label)
        ax.set_ylim(0, 100)
        ax.set_ylabel("%")
        ax.set_title(title)
        ax.legend(loc="upper left", fontsize="small")
        ax.tick_params(axis="x", labelrotation=45, labelsize="small")
        fig.tight_layout()
        buf = io.StringIO()
        fig.savefig(buf, format="svg")
        plt.close(fig)
    return _strip_svg_header(buf.getvalue())


def _strip_svg_header(svg: str) -> str:
    i = svg.find("<svg")
    return svg[i:] if i >= 0 else svg


def main_building() -> Building | None:
    return Building.objects.annotate(n=Count("floors__desks")).filter(n__gt=0).order_by("code").first()

"""Thin views: parse input, call a service or selector, render. DomainError → message (or 409 JSON)."""

from __future__ import annotations

import csv
import datetime as dt
import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import Http404, HttpResponse, HttpResponseForbidden, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from workstyle import dates
from workstyle.csvfiles import format_errors
from workstyle.errors import DomainError, ImportRejected

from . import selectors, services, utilization
from .models import AMENITIES, TZ, BenchmarkPing, Building, Desk, Floor, Slot, Zone

STATE_GLYPHS = {"free": "○", "mine": "★", "taken": "×", "checked_in": "●", "unavailable": "—"}


def state_labels() -> dict[str, str]:
    return {"free": _("free"), "mine": _("mine"), "taken": _("taken"), "checked_in": _("checked in"),
            "unavailable": _("not bookable")}


def _forbidden():
    return HttpResponseForbidden(_("You do not have access to this page."))


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "") or bool(request.headers.get("HX-Request"))


def _default_day(building: Building | None = None) -> dt.date:
    now = timezone.now()
    day = timezone.localtime(now, TZ).date()
    if building is not None and building.current_slot(now) is None:
        day += dt.timedelta(days=1)
    while not dates.is_working_day(day):
        day += dt.timedelta(days=1)
    return day


def _parse_day(value: str | None, default: dt.date) -> dt.date:
    try:
        return dt.date.fromisoformat(value) if value else default
    except ValueError:
        return default


def _parse_slot(value: str | None, default: str = "day") -> str:
    return value if value in ("am", "pm", "day") else default


def _safe_next(request, fallback: str) -> str:
    nxt = request.POST.get("next") or request.GET.get("next")
    if nxt and url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}):
        return nxt
    return fallback


@login_required
def index(request):
    buildings = list(selectors.buildings())
    today = timezone.localtime(timezone.now(), TZ).date()
    return render(request, "desks/index.html", {
        "buildings": buildings,
        "today_bookings": selectors.todays_bookings(request.user, today),
        "can_manage": selectors.can_manage_space(request.user),
        "can_utilize": selectors.can_see_utilization(request.user),
    })


@login_required
@require_GET
def floor_map(request, floor_id: int):
    floor = selectors.floor_for_user(request.user, floor_id)
    day = _parse_day(request.GET.get("day"), _default_day(floor.building))
    slot = _parse_slot(request.GET.get("slot"))
    try:
        zone_id = int(request.GET.get("zone") or 0) or None
    except ValueError:
        zone_id = None
    amenity = request.GET.get("amenity") if request.GET.get("amenity") in AMENITIES else None
    data = selectors.floor_map(request.user, floor, day, slot, zone_id=zone_id, amenity=amenity)
    labels = state_labels()
    for it in data["items"]:
        it["label"], it["glyph"] = labels[it["state"]], STATE_GLYPHS[it["state"]]
    floors = list(Floor.objects.filter(building=floor.building).order_by("level"))
    return render(request, "desks/floor.html", {
        "floor": floor, "floors": floors, "day": day, "slot": slot, "slots": Slot.choices,
        "zone_id": zone_id, "amenity": amenity, "amenities": AMENITIES.items(),
        "items": data["items"], "state_labels": {k: {"label": v, "glyph": STATE_GLYPHS[k]} for k, v in labels.items()}, "zones": data["zones"], "counts": data["counts"],
        "non_working": dates.non_working_reason(day),
        "prev_day": dates.add_working_days(day, -1), "next_day": dates.add_working_days(day, 1),
        "ws_path": f"/ws/desks/floor/{floor.pk}/{day.isoformat()}/",
        "states_url": reverse("desks:floor_states", args=[floor.pk]) + f"?day={day.isoformat()}&slot={slot}",
    })


@login_required
@require_GET
def floor_states(request, floor_id: int):
    floor = selectors.floor_for_user(request.user, floor_id)
    day = _parse_day(request.GET.get("day"), _default_day(floor.building))
    slot = _parse_slot(request.GET.get("slot"))
    data = selectors.floor_map(request.user, floor, day, slot)
    return JsonResponse({"day": day.isoformat(), "slot": slot,
                         "desks": {str(it["desk"].pk): {"state": it["state"], "booking": it["booking_id"]}
                                   for it in data["items"]}})


@login_required
@require_POST
def book(request):
    try:
        desk = selectors.desk_for_user(request.user, int(request.POST.get("desk", "0")))
    except ValueError:
        raise Http404
    day = _parse_day(request.POST.get("day"), _default_day())
    slot = _parse_slot(request.POST.get("slot"))
    fallback = reverse("desks:floor", args=[desk.floor_id]) + f"?day={day.isoformat()}&slot={slot}"
    try:
        booking = services.book_desk(user=request.user, desk=desk, day=day, slot=slot)
    except DomainError as exc:
        if _wants_json(request):
            return JsonResponse({"ok": False, "error": str(exc.message), "code": exc.code}, status=409)
        messages.error(request, exc.message)
        return redirect(_safe_next(request, fallback))
    text = _("Desk %(desk)s is booked for %(slot)s on %(day)s.") % {
        "desk": desk.code, "slot": services.slot_label(slot), "day": day}
    if _wants_json(request):
        return JsonResponse({"ok": True, "booking": booking.pk, "message": text}, status=201)
    messages.success(request, text)
    return redirect(_safe_next(request, fallback))


@login_required
@require_POST
def cancel(request, booking_id: int):
    booking = selectors.own_booking(request.user, booking_id)
    try:
        services.cancel_booking(booking=booking, actor=request.user)
    except DomainError as exc:
        if _wants_json(request):
            return JsonResponse({"ok": False, "error": str(exc.message)}, status=409)
        messages.error(request, exc.message)
    else:
        if _wants_json(request):
            return JsonResponse({"ok": True})
        messages.success(request, _("Your booking of desk %(desk)s on %(day)s was cancelled.") % {
            "desk": booking.desk.code, "day": booking.day})
    return redirect(_safe_next(request, reverse("desks:mine")))


@login_required
def mine(request):
    today = timezone.localtime(timezone.now(), TZ).date()
    return render(request, "desks/mine.html", {
        "upcoming": selectors.upcoming_bookings(request.user, today),
        "recent": selectors.recent_bookings(request.user, today),
        "favourites": selectors.favourites(request.user),
        "series": selectors.series_of(request.user),
        "next_day": _default_day(),
        "slots": Slot.choices,
        "weekdays": [(i, dates_weekday(i)) for i in range(5)],
    })


def dates_weekday(i: int) -> str:
    return [_("Monday"), _("Tuesday"), _("Wednesday"), _("Thursday"), _("Friday")][i]


@login_required
@require_POST
def favourite(request, desk_id: int):
    desk = selectors.desk_for_user(request.user, desk_id)
    action = request.POST.get("action", "add")
    if action == "usual":
        services.set_usual_desk(user=request.user, desk=desk)
        messages.success(request, _("Desk %(desk)s is now your usual desk.") % {"desk": desk.code})
    else:
        services.set_favourite(user=request.user, desk=desk, favourite=(action == "add"))
        messages.success(request, _("Favourites updated."))
    return redirect(_safe_next(request, reverse("desks:mine")))


@login_required
@require_POST
def book_usual(request):
    day = _parse_day(request.POST.get("day"), _default_day())
    slot = _parse_slot(request.POST.get("slot"))
    try:
        booking = services.book_usual_desk(user=request.user, day=day, slot=slot)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Desk %(desk)s is booked for %(slot)s on %(day)s.") % {
            "desk": booking.desk.code, "slot": services.slot_label(slot), "day": day})
    return redirect("desks:mine")


@login_required
@require_POST
def recurring(request):
    try:
        desk = selectors.desk_for_user(request.user, int(request.POST.get("desk", "0")))
        weekday = int(request.POST.get("weekday", "-1"))
        until = dt.date.fromisoformat(request.POST.get("until", ""))
    except (ValueError, Http404):
        messages.error(request, _("Choose a desk, a weekday and an end date."))
        return redirect("desks:mine")
    slot = _parse_slot(request.POST.get("slot"))
    try:
        series = services.book_recurring(user=request.user, desk=desk, weekday=weekday, slot=slot, until=until)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("desks:mine")
    return redirect("desks:series", series_id=series.pk)


@login_required
def series(request, series_id: int):
    s = selectors.series_for_user(request.user, series_id)
    rows = [{**r, "day": dt.date.fromisoformat(r["day"])} for r in s.report]
    return render(request, "desks/series.html", {"series": s, "rows": rows,
                                                 "booked": sum(1 for r in rows if r["booked"]),
                                                 "refused": sum(1 for r in rows if not r["booked"]),
                                                 "weekday": dates_weekday(s.weekday)})


@login_required
def checkin(request, desk_id: int):
    """The page a desk's QR code opens: check in to one's booking, or walk up to a free desk."""
    desk = selectors.desk_for_user(request.user, desk_id)
    if request.method == "POST":
        try:
            if request.POST.get("action") == "walk_up":
                booking = services.walk_up(user=request.user, desk=desk)
                messages.success(request, _("Desk %(desk)s is yours for %(slot)s; you are checked in.") % {
                    "desk": desk.code, "slot": services.slot_label(booking.slot)})
            else:
                booking = selectors.booking_for_desk_now(request.user, desk)
                if booking is None:
                    raise DomainError(_("You have no booking of desk %(desk)s today.") % {"desk": desk.code})
                services.check_in(booking=booking, actor=request.user)
                messages.success(request, _("Checked in at desk %(desk)s.") % {"desk": desk.code})
        except DomainError as exc:
            messages.error(request, exc.message)
        return redirect("desks:checkin", desk_id=desk.pk)
    booking = selectors.booking_for_desk_now(request.user, desk)
    window = None
    if booking:
        opens, closes = desk.floor.building.checkin_window(booking.day, booking.slot)
        window = (timezone.localtime(opens, TZ), timezone.localtime(closes, TZ))
    return render(request, "desks/checkin.html", {
        "desk": desk, "booking": booking, "window": window,
        "taken_now": selectors.desk_holder_now(desk) if booking is None else True,
        "open_now": desk.floor.building.current_slot() is not None and dates.is_working_day(timezone.localdate()),
    })


def _qr_svg(url: str) -> str:
    import segno

    buf = io.BytesIO()
    segno.make(url, error="m").save(buf, kind="svg", scale=4, xmldecl=False, svgns=True, border=2)
    return buf.getvalue().decode()


@login_required
def qr_sheet(request, floor_id: int):
    if not selectors.can_manage_space(request.user):
        return _forbidden()
    floor = selectors.floor_for_user(request.user, floor_id)
    base = request.build_absolute_uri("/")[:-1]
    desks = [
        {"desk": d, "svg": _qr_svg(base + reverse("desks:checkin", args=[d.pk]))}
        for d in Desk.objects.filter(floor=floor).select_related("zone").order_by("code")
    ]
    return render(request, "desks/qr_sheet.html", {"floor": floor, "desks": desks})


@login_required
def find(request):
    q = request.GET.get("q", "").strip()
    results = selectors.find_colleagues(request.user, q) if q else []
    return render(request, "desks/find.html", {"q": q, "results": results,
                                               "opted_in": request.user.locate_opt_in})


# --- utilization ---------------------------------------------------------------------------------


def _utilization_params(request):
    buildings = list(Building.objects.order_by("code"))
    building = None
    try:
        bid = int(request.GET.get("building") or 0)
    except ValueError:
        bid = 0
    building = next((b for b in buildings if b.pk == bid), None) or utilization.main_building() or (
        buildings[0] if buildings else None)
    if building is None:
        raise Http404
    floors = list(Floor.objects.filter(building=building).order_by("level"))
    floor = zone = None
    try:
        fid = int(request.GET.get("floor") or 0)
        zid = int(request.GET.get("zone") or 0)
    except ValueError:
        fid = zid = 0
    floor = next((f for f in floors if f.pk == fid), None)
    zones = list(Zone.objects.filter(floor=floor).order_by("name")) if floor else []
    zone = next((z for z in zones if z.pk == zid), None)
    today = timezone.localdate()
    end = _parse_day(request.GET.get("end"), today - dt.timedelta(days=1))
    start = _parse_day(request.GET.get("start"), end - dt.timedelta(weeks=12) + dt.timedelta(days=1))
    if start > end:
        start, end = end, start
    if (end - start).days > 366 * 2:
        start = end - dt.timedelta(days=366 * 2)

    def num(name, default, lo, hi):
        try:
            return min(max(float(request.GET.get(name, default)), lo), hi)
        except ValueError:
            return default

    pct = num("percentile", 95, 50, 100)
    weeks = int(num("weeks", 12, 1, 52))
    buffer_pct = num("buffer", 10, 0, 100)
    u = utilization.compute(building=building, floor=floor, zone=zone, start=start, end=end, pct=pct,
                            weeks=weeks, buffer_pct=buffer_pct)
    return {"u": u, "buildings": buildings, "building": building, "floors": floors, "floor": floor,
            "zones": zones, "zone": zone}


@login_required
def utilization_page(request):
    if not selectors.can_see_utilization(request.user):
        return _forbidden()
    ctx = _utilization_params(request)
    u = ctx["u"]
    wd_labels = [_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri")]
    ctx.update({
        "heatmap_svg": utilization.heatmap_svg(u, wd_labels, [_("Morning"), _("Afternoon")],
                                               _("Occupied rate by weekday and slot")),
        "trend_svg": utilization.trend_svg(u, _("Booked rate"), _("Occupied rate"), _("Weekly trend")),
        "heat_rows": [{"label": lbl, "cells": [u.heatmap.get((wd, h), None) for wd in range(5)]}
                      for h, lbl in (("am", _("Morning")), ("pm", _("Afternoon")))],
        "wd_labels": wd_labels,
        "target": utilization.PLAN_TARGET,
        "query": request.GET.urlencode(),
    })
    return render(request, "desks/utilization.html", ctx)


def _export_rows(u):
    header = [_("date"), _("weekday"), _("morning booked"), _("morning occupied"), _("afternoon booked"),
              _("afternoon occupied"), _("no-show half-days"), _("occupied desks")]
    rows = [[e["day"].isoformat(), e["day"].strftime("%a"), e["am_booked"], e["am_occupied"], e["pm_booked"],
             e["pm_occupied"], e["no_show"], e["occupied_desks"]] for e in u.daily]
    return header, rows


def _summary_rows(u):
    def pct(v):
        return "" if v is None else round(v * 100, 1)

    return [
        [_("scope"), u.scope_label], [_("from"), u.start.isoformat()], [_("to"), u.end.isoformat()],
        [_("desks"), u.desks], [_("staff of the reserved units"), u.staff if u.staff is not None else ""],
        [_("booked rate (%)"), pct(u.booked_rate)], [_("occupied rate (%)"), pct(u.occupied_rate)],
        [_("no-show rate (%)"), pct(u.no_show_rate)],
        [_("average occupied desks"), "" if u.average_occupied is None else round(u.average_occupied, 1)],
        [_("peak occupied desks"), u.peak_occupied],
        [_("desks needed"), u.desks_needed], [_("space that could be freed (%)"), pct(u.freed_share)],
        [_("plan target (%)"), 20],
    ]


@login_required
def utilization_export(request, fmt: str):
    if not selectors.can_see_utilization(request.user):
        return _forbidden()
    u = _utilization_params(request)["u"]
    header, rows = _export_rows(u)
    name = f"desk-utilization-{u.start.isoformat()}-{u.end.isoformat()}"
    if fmt == "csv":
        buf = io.StringIO()
        w = csv.writer(buf)
        for r in _summary_rows(u):
            w.writerow(r)
        w.writerow([])
        w.writerow(header)
        w.writerows(rows)
        resp = HttpResponse("\ufeff" + buf.getvalue(), content_type="text/csv; charset=utf-8")
        resp["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        return resp
    if fmt == "xlsx":
        from openpyxl import Workbook

        wb = Workbook()
        ws = wb.active
        ws.title = "summary"
        for r in _summary_rows(u):
            ws.append([str(c) if not isinstance(c, int | float) else c for c in r])
        ws2 = wb.create_sheet("daily")
        ws2.append([str(h) for h in header])
        for r in rows:
            ws2.append(r)
        ws3 = wb.create_sheet("weekly")
        ws3.append([_("week of"), _("booked rate (%)"), _("occupied rate (%)")])
        for wk in u.weekly:
            ws3.append([wk["week"].isoformat(), round(wk["booked_rate"] * 100, 1), round(wk["occupied_rate"] * 100, 1)])
        out = io.BytesIO()
        wb.save(out)
        resp = HttpResponse(out.getvalue(),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        resp["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
        return resp
    raise Http404


# --- space management (facilities) ---------------------------------------------------------------


@login_required
def manage(request):
    if not selectors.can_manage_space(request.user):
        return _forbidden()
    import_errors: list[str] = []
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "import":
                upload = request.FILES.get("file")
                if upload is None:
                    raise DomainError(_("Choose a CSV file."))
                report = services.import_desks(data=upload.read(), actor=request.user, name=upload.name)
                messages.success(request, _("Import done: %(created)s desks created, %(updated)s updated, %(unchanged)s unchanged.") % report)
            elif action == "plan":
                floor = selectors.floor_for_user(request.user, int(request.POST.get("floor", "0")))
                upload = request.FILES.get("plan")
                if upload is None:
                    raise DomainError(_("Choose a PNG or SVG file."))
                services.save_floor(actor=request.user, building=floor.building, floor=floor, name=floor.name,
                                    level=floor.level, plan_data=upload.read(), plan_name=upload.name)
                messages.success(request, _("The floor plan was saved."))
            elif action == "rules":
                building = Building.objects.get(pk=int(request.POST.get("building", "0")))
                fields = {}
                for name in ("max_days_ahead", "max_bookings_per_week", "checkin_opens_minutes", "checkin_grace_minutes"):
                    fields[name] = int(request.POST.get(name, getattr(building, name)))
                for name in ("am_start", "midday", "pm_end"):
                    fields[name] = dt.time.fromisoformat(request.POST.get(name) or getattr(building, name).isoformat())
                services.save_building(actor=request.user, building=building, **fields)
                messages.success(request, _("The booking rules were saved."))
            elif action == "desk":
                desk = selectors.desk_for_user(request.user, int(request.POST.get("desk", "0")))
                services.save_desk(actor=request.user, desk=desk, bookable=request.POST.get("bookable") == "1")
                messages.success(request, _("Desk %(desk)s was saved.") % {"desk": desk.code})
            return redirect(request.get_full_path())
        except ImportRejected as exc:
            messages.error(request, exc.message)
            import_errors = format_errors(exc.errors)
        except DomainError as exc:
            messages.error(request, exc.message)
        except (ValueError, Building.DoesNotExist):
            messages.error(request, _("Some values are not valid."))
    buildings = list(Building.objects.annotate(n_desks=Count("floors__desks")).order_by("code"))
    floors = list(Floor.objects.select_related("building").annotate(n_desks=Count("desks")).order_by("building", "level"))
    return render(request, "desks/manage.html", {"buildings": buildings, "floors": floors,
                                                 "import_errors": import_errors,
                                                 "columns": ",".join(services.IMPORT_COLUMNS)})


@login_required
def plan_image(request, floor_id: int):
    floor = selectors.floor_for_user(request.user, floor_id)
    if not floor.plan:
        raise Http404
    name = floor.plan.name
    content_type = "image/svg+xml" if name.endswith(".svg") else "image/png"
    with floor.plan.open("rb") as fh:
        data = fh.read()
    resp = HttpResponse(data, content_type=content_type)
    resp["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; sandbox"
    resp["X-Content-Type-Options"] = "nosniff"
    return resp


# --- benchmark only ------------------------------------------------------------------------------


@login_required
@require_POST
def bench_trivial_write(request):
    """Benchmark-only reference: writes one row, nothing else (benchmarks/desk_rush.py)."""
    BenchmarkPing.objects.create(user=request.user)
    return JsonResponse({"ok": True}, status=201)


@login_required
@require_GET
def bench_trivial_read(request):
    """Benchmark-only reference for the floor map: one small query and a tiny template."""
    n = Desk.objects.count()
    return render(request, "desks/bench_trivial.html", {"n": n})

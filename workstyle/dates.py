"""Fiscal years (April–March), Reiwa labels and working days (Japanese holidays, year-end closure)."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import holidays
from django.utils import timezone
from django.utils.translation import get_language

REIWA_OFFSET = 2018


def today() -> dt.date:
    return timezone.localdate()


def fiscal_year(day: dt.date) -> int:
    """The fiscal year a date falls in, named by the calendar year it starts in (FY2025 = 2025-04-01…2026-03-31)."""
    return day.year if day.month >= 4 else day.year - 1


def fiscal_year_range(fy: int) -> tuple[dt.date, dt.date]:
    """First and last day (inclusive) of fiscal year ``fy``."""
    return dt.date(fy, 4, 1), dt.date(fy + 1, 3, 31)


def fiscal_month_index(day: dt.date) -> int:
    """0 for April … 11 for March."""
    return (day.month - 4) % 12


def fiscal_year_label(fy: int, language: str | None = None) -> str:
    language = (language or get_language() or "ja")[:2]
    if language == "ja":
        reiwa = fy - REIWA_OFFSET
        if reiwa == 1:
            return "令和元年度"
        if reiwa >= 1:
            return f"令和{reiwa}年度"
        return f"平成{fy - 1988}年度"
    return f"FY{fy}"


@lru_cache(maxsize=64)
def _jp_holidays(year: int, language: str = "ja") -> dict[dt.date, str]:
    return dict(holidays.Japan(years=year, language=language))


def holiday_name(day: dt.date) -> str | None:
    """The holiday's name in the active language (Japanese, or English when the interface is English)."""
    language = "en_US" if (get_language() or "ja").startswith("en") else "ja"
    return _jp_holidays(day.year, language).get(day)


def is_year_end_closure(day: dt.date) -> bool:
    return (day.month == 12 and day.day >= 29) or (day.month == 1 and day.day <= 3)


def is_working_day(day: dt.date) -> bool:
    return day.weekday() < 5 and holiday_name(day) is None and not is_year_end_closure(day)


def non_working_reason(day: dt.date) -> str | None:
    """Why a date is not a working day (translated), or None if it is one."""
    from django.utils.translation import gettext as _

    if is_year_end_closure(day):
        return _("year-end closure (29 Dec – 3 Jan)")
    name = holiday_name(day)
    if name:
        return _("public holiday (%(name)s)") % {"name": name}
    if day.weekday() >= 5:
        return _("weekend")
    return None


def working_days(start: dt.date, end: dt.date) -> list[dt.date]:
    """Working days from start to end, both inclusive."""
    out = []
    day = start
    while day <= end:
        if is_working_day(day):
            out.append(day)
        day += dt.timedelta(days=1)
    return out


def add_working_days(day: dt.date, n: int) -> dt.date:
    """The n-th working day after ``day`` (n may be negative; n=0 returns ``day``)."""
    step = 1 if n >= 0 else -1
    remaining = abs(n)
    while remaining:
        day += dt.timedelta(days=step)
        if is_working_day(day):
            remaining -= 1
    return day


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Number of working days after ``start`` up to and including ``end`` (0 if end <= start)."""
    if end <= start:
        return 0
    return len(working_days(start + dt.timedelta(days=1), end))


def week_start(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())

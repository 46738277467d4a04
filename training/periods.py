"""Validity periods of awards (pure date arithmetic, property-tested)."""

from __future__ import annotations

import calendar
import datetime as dt


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later, clamped to the month's last day (31 Jan + 1 month = 28/29 Feb)."""
    total = day.year * 12 + (day.month - 1) + months
    year, month = divmod(total, 12)
    month += 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def valid_until(awarded_on: dt.date, months: int | None) -> dt.date | None:
    """Last valid day of an award made on ``awarded_on`` for ``months`` (None: no expiry)."""
    if not months:
        return None
    return add_months(awarded_on, months) - dt.timedelta(days=1)


def renewal_period(*, previous_until: dt.date | None, renewed_on: dt.date, months: int | None) -> dt.date | None:
    """New last valid day of a renewal. Renewed before expiry: the new period follows the old one without a gap
    (the anniversary is kept); renewed after expiry: a fresh period from the renewal day."""
    if not months:
        return None
    if previous_until is not None and renewed_on <= previous_until:
        return add_months(previous_until + dt.timedelta(days=1), months) - dt.timedelta(days=1)
    return valid_until(renewed_on, months)

"""The only door to the desks app (its fixed services/selectors interface), imported lazily.

While the desks app does not provide these functions yet, every call is a no-op or returns nothing,
so telework works on its own.
"""

from __future__ import annotations

import datetime as dt
import logging

log = logging.getLogger(__name__)


def _get(module: str, name: str):
    try:
        mod = __import__(f"desks.{module}", fromlist=[name])
        return getattr(mod, name)
    except (ImportError, AttributeError):
        return None


def available() -> bool:
    return _get("services", "release_bookings_for_day") is not None


def release_bookings_for_day(*, user, day: dt.date, actor, reason: str, slots: list[str] | None = None) -> int:
    fn = _get("services", "release_bookings_for_day")
    if fn is None:
        return 0
    return fn(user=user, day=day, actor=actor, reason=reason, slots=slots)


def register_booking_guard(guard) -> bool:
    fn = _get("services", "register_booking_guard")
    if fn is None:
        return False
    fn(guard)
    return True


def has_booking(user, day: dt.date) -> bool:
    fn = _get("selectors", "has_booking")
    return bool(fn(user, day)) if fn is not None else False


def bookings_for_users(user_ids, start: dt.date, end: dt.date) -> dict:
    """{(user_id, date): [{"slot", "desk_code", "floor", "checked_in"}, ...]} or {} without desks."""
    fn = _get("selectors", "bookings_for_users")
    if fn is None:
        return {}
    return fn(list(user_ids), start, end) or {}

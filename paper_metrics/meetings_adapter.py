"""The one door to the meetings app: sheets not printed thanks to paperless meetings.

Reads ``meetings.selectors.paper_saved_by_section_month`` lazily; while that app does not provide it,
the source is simply empty.
"""

from __future__ import annotations

import datetime as dt
import importlib


def paper_saved_by_section_month(*, start: dt.date, end: dt.date) -> list[tuple[int, dt.date, int]]:
    try:
        module = importlib.import_module("meetings.selectors")
        fn = module.paper_saved_by_section_month
    except (ImportError, AttributeError):
        return []
    return [(int(s), m, int(n)) for s, m, n in fn(start=start, end=end)]

import datetime as dt

import pytest

TODAY = dt.date(2026, 6, 1)  # a Monday; June 2026 has no public holiday


@pytest.fixture
def today(monkeypatch):
    from workstyle import dates

    monkeypatch.setattr(dates, "today", lambda: TODAY)
    return TODAY


@pytest.fixture
def city_rules(personas, today):
    from telework.models import TeleworkRule

    return TeleworkRule.objects.create(
        is_default=True, max_days_per_week=4, max_days_per_week_mode="block", max_days_per_month=12,
        max_days_per_month_mode="warn", min_notice_days=1, min_notice_days_mode="block",
        excluded_employment_types=["fiscal_year"], excluded_employment_types_mode="block",
        office_days_per_week=1, office_days_per_week_mode="block",
    )


def submit(user, start, **kw):
    from telework import services

    kw.setdefault("kind", "single")
    kw.setdefault("planned_tasks", "資料作成")
    return services.submit_request(user=user, start=start, **kw)

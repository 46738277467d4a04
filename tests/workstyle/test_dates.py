import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from workstyle import dates


def test_fiscal_year_edges():
    assert dates.fiscal_year(dt.date(2024, 3, 31)) == 2023
    assert dates.fiscal_year(dt.date(2024, 4, 1)) == 2024
    assert dates.fiscal_year_range(2023) == (dt.date(2023, 4, 1), dt.date(2024, 3, 31))


def test_fiscal_year_labels():
    assert dates.fiscal_year_label(2025, "ja") == "令和7年度"
    assert dates.fiscal_year_label(2019, "ja") == "令和元年度"
    assert dates.fiscal_year_label(2023, "en") == "FY2023"


def test_holidays_and_year_end_closure_are_not_working_days():
    assert not dates.is_working_day(dt.date(2026, 1, 12))  # 成人の日
    assert not dates.is_working_day(dt.date(2025, 12, 29))
    assert not dates.is_working_day(dt.date(2026, 1, 2))
    assert dates.is_working_day(dt.date(2026, 1, 5))
    assert not dates.is_working_day(dt.date(2026, 11, 28))  # Saturday
    assert dates.non_working_reason(dt.date(2026, 11, 3)).startswith("祝日") or "文化の日" in dates.non_working_reason(
        dt.date(2026, 11, 3))


def test_add_working_days_skips_the_closure():
    assert dates.add_working_days(dt.date(2025, 12, 26), 1) == dt.date(2026, 1, 5)
    assert dates.add_working_days(dt.date(2026, 1, 5), -1) == dt.date(2025, 12, 26)
    assert dates.working_days_between(dt.date(2025, 12, 26), dt.date(2026, 1, 6)) == 2


@given(st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2030, 12, 31)))
def test_fiscal_year_contains_its_date(day):
    start, end = dates.fiscal_year_range(dates.fiscal_year(day))
    assert start <= day <= end
    assert 0 <= dates.fiscal_month_index(day) < 12


@given(st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2030, 12, 31)), st.integers(0, 40))
def test_add_working_days_lands_on_working_days(day, n):
    target = dates.add_working_days(day, n)
    if n:
        assert dates.is_working_day(target)
        assert dates.working_days_between(day, target) == n


def test_holiday_names_follow_the_interface_language():
    from django.utils import translation

    with translation.override("ja"):
        assert dates.holiday_name(dt.date(2026, 11, 23)) == "勤労感謝の日"
    with translation.override("en"):
        assert dates.holiday_name(dt.date(2026, 11, 23)) == "Labor Thanksgiving Day"
        assert not dates.is_working_day(dt.date(2026, 11, 23))

"""Rule arithmetic across weeks, months, holidays and half days."""

import datetime as dt
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from telework import rules
from workstyle import dates

DAY0 = dt.date(2026, 4, 1)
day_st = st.integers(min_value=0, max_value=120).map(lambda n: DAY0 + dt.timedelta(days=n))
slot_st = st.tuples(day_st, st.sampled_from(["am", "pm"]))
slots_st = st.sets(slot_st, max_size=40)


@given(slots_st)
def test_week_units_are_half_days_summed_by_iso_week(slots):
    by_week = rules.units_by_week(slots)
    assert sum(by_week.values(), Decimal(0)) == Decimal(len(slots)) / 2
    for week, units in by_week.items():
        assert week.weekday() == 0
        brute = sum(Decimal("0.5") for d, _s in slots if d.isocalendar()[:2] == week.isocalendar()[:2])
        assert units == brute


@given(slots_st)
def test_month_units(slots):
    by_month = rules.units_by_month(slots)
    for (y, m), units in by_month.items():
        assert units == Decimal(sum(1 for d, _s in slots if (d.year, d.month) == (y, m))) / 2


@given(slots_st, slots_st, st.sampled_from(["1", "2.5", "4"]))
@settings(max_examples=60, deadline=None)
def test_week_cap_finding_iff_a_touched_week_exceeds(new, existing, cap):
    eff = rules.EffectiveRules(max_week=Decimal(cap))
    findings = [f for f in rules.check(eff, new=new, existing=existing, today=DAY0) if f.rule == "week_cap"]
    combined = new | existing
    expected = set()
    for d, _s in new:
        w = dates.week_start(d)
        total = Decimal(sum(1 for x, _y in combined if dates.week_start(x) == w)) / 2
        if total > Decimal(cap):
            expected.add(w.isoformat())
    assert {f.params["week"] for f in findings} == expected
    for f in findings:  # the message names the rule and the numbers
        assert cap.rstrip("0").rstrip(".") in f.message and f.params["days"] in f.message


@given(slots_st, st.sampled_from(["3", "8.5", "12"]))
@settings(max_examples=60, deadline=None)
def test_month_cap(new, cap):
    eff = rules.EffectiveRules(max_month=Decimal(cap))
    months = {f.params["month"] for f in rules.check(eff, new=new, existing=set(), today=DAY0)
              if f.rule == "month_cap"}
    expected = {f"{y}-{m:02d}" for (y, m), u in rules.units_by_month(new).items() if u > Decimal(cap)}
    assert months == expected


@given(st.sets(day_st, max_size=10), st.integers(min_value=1, max_value=3))
@settings(max_examples=60, deadline=None)
def test_office_days_half_days_still_count_as_office(days, required):
    half = {(d, "am") for d in days if dates.is_working_day(d)}
    eff = rules.EffectiveRules(office_days=required)
    assert not [f for f in rules.check(eff, new=half, existing=set(), today=DAY0) if f.rule == "office_days"]


@given(st.sets(day_st, min_size=1, max_size=10), st.integers(min_value=1, max_value=3))
@settings(max_examples=80, deadline=None)
def test_office_days_against_working_days_of_the_week(days, required):
    full = rules.slots_for([d for d in days if dates.is_working_day(d)], "day")
    eff = rules.EffectiveRules(office_days=required)
    flagged = {f.params["week"] for f in rules.check(eff, new=full, existing=set(), today=DAY0)
               if f.rule == "office_days"}
    for week in {dates.week_start(d) for d, _s in full}:
        working = [week + dt.timedelta(days=i) for i in range(7) if dates.is_working_day(week + dt.timedelta(days=i))]
        office = len([d for d in working if (d, "am") not in full])
        assert (week.isoformat() in flagged) == (office < min(required, len(working)))


@given(day_st, st.integers(min_value=0, max_value=60), st.sets(st.integers(0, 4), min_size=1))
def test_expand_days_skips_non_working_days(start, span, weekdays):
    end = start + dt.timedelta(days=span)
    rng = rules.expand_days(kind="range", start=start, end=end)
    assert all(dates.is_working_day(d) for d in rng)
    assert rng == [d for d in (start + dt.timedelta(days=i) for i in range(span + 1)) if dates.is_working_day(d)]
    pat = rules.expand_days(kind="pattern", start=start, end=end, weekdays=weekdays)
    assert pat == [d for d in rng if d.weekday() in weekdays]


def test_golden_week_and_year_end_are_skipped():
    gw = rules.expand_days(kind="range", start=dt.date(2026, 4, 27), end=dt.date(2026, 5, 8))
    assert dt.date(2026, 4, 29) not in gw and dt.date(2026, 5, 4) not in gw and dt.date(2026, 5, 6) not in gw
    ye = rules.expand_days(kind="range", start=dt.date(2026, 12, 24), end=dt.date(2027, 1, 8))
    assert all(not (d.month == 12 and d.day >= 29) and not (d.month == 1 and d.day <= 3) for d in ye)


@given(day_st, st.integers(min_value=0, max_value=5))
def test_min_notice(first, notice):
    eff = rules.EffectiveRules(min_notice=notice)
    found = [f for f in rules.check(eff, new={(first, "am")}, existing=set(), today=DAY0) if f.rule == "min_notice"]
    assert bool(found) == (dates.working_days_between(DAY0, first) < notice)


def test_half_days_sum_to_whole_days():
    d = dt.date(2026, 6, 2)
    eff = rules.EffectiveRules(max_week=Decimal("1"))
    assert not rules.check(eff, new={(d, "am")}, existing={(d, "pm")}, today=DAY0)
    found = rules.check(eff, new={(d + dt.timedelta(days=1), "am")}, existing={(d, "am"), (d, "pm")}, today=DAY0)
    assert found[0].rule == "week_cap" and found[0].params["days"] == "1.5"

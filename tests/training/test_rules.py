"""Tier evaluation: property tests over requirement combinations, and validity/renewal dates."""

import datetime as dt
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from training import periods, rules

COURSES = list(range(1, 9))
TIERS = ["bronze", "silver", "gold", "specialist"]

course_sets = st.frozensets(st.sampled_from(COURSES), max_size=6)
req = st.one_of(
    st.builds(rules.ReqSpec, kind=st.just("all_of"), course_ids=course_sets),
    st.builds(rules.ReqSpec, kind=st.just("any_n_of"), course_ids=course_sets, n=st.integers(1, 4)),
    st.builds(rules.ReqSpec, kind=st.just("previous_tier"), tier=st.sampled_from(TIERS)),
    st.builds(rules.ReqSpec, kind=st.just("project_report")),
    st.builds(rules.ReqSpec, kind=st.just("min_hours"), tier=st.sampled_from(TIERS),
              hours=st.integers(1, 40).map(Decimal)),
)
set_spec = st.builds(rules.SetSpec, tier=st.sampled_from(TIERS), reqs=st.lists(req, max_size=4).map(tuple))
facts = st.builds(
    rules.Facts,
    completed=st.frozensets(st.sampled_from(COURSES)),
    hours_by_tier=st.dictionaries(st.sampled_from(TIERS), st.integers(0, 50).map(Decimal)),
    held=st.sets(st.sampled_from(TIERS)),
    approved_report=st.booleans(),
)


def oracle(req: rules.ReqSpec, f: rules.Facts) -> bool:
    """An independent, literal reading of each requirement kind."""
    if req.kind == "all_of":
        return all(c in f.completed for c in req.course_ids)
    if req.kind == "any_n_of":
        return sum(1 for c in req.course_ids if c in f.completed) >= req.n
    if req.kind == "previous_tier":
        return req.tier in f.held
    if req.kind == "project_report":
        return f.approved_report
    return f.hours_by_tier.get(req.tier, 0) >= req.hours


@settings(max_examples=80, deadline=None)
@given(st.lists(set_spec, max_size=5), facts, st.sampled_from(TIERS))
def test_tier_met_is_any_set_with_all_requirements(sets, f, tier):
    expected = any(s.reqs and all(oracle(r, f) for r in s.reqs) for s in sets if s.tier == tier)
    assert rules.tier_met(sets, tier, f) == expected


@settings(max_examples=60, deadline=None)
@given(st.lists(set_spec, max_size=5), facts, st.frozensets(st.sampled_from(COURSES)), st.sampled_from(TIERS))
def test_more_completions_never_lose_a_tier(sets, f, extra, tier):
    more = rules.Facts(completed=f.completed | extra, hours_by_tier=f.hours_by_tier, held=f.held,
                       approved_report=f.approved_report)
    if rules.tier_met(sets, tier, f):
        assert rules.tier_met(sets, tier, more)


@settings(max_examples=60, deadline=None)
@given(st.lists(set_spec, max_size=5), set_spec, facts)
def test_adding_a_set_never_removes_a_tier(sets, extra, f):
    for tier in TIERS:
        if rules.tier_met(sets, tier, f):
            assert rules.tier_met([*sets, extra], tier, f)


@settings(max_examples=60, deadline=None)
@given(st.lists(set_spec, max_size=5), facts)
def test_missing_zero_exactly_when_met_and_best_set_agrees(sets, f):
    for s in sets:
        if s.reqs:
            assert (rules.set_missing(s, f) == 0) == rules.set_met(s, f)
    for tier in TIERS:
        best = rules.best_set(sets, tier, f)
        if best is not None:
            assert rules.set_met(best, f) == rules.tier_met(sets, tier, f)


@settings(max_examples=60, deadline=None)
@given(st.lists(set_spec, max_size=5), facts)
def test_newly_met_chains_in_order_and_skips_held(sets, f):
    order = ["bronze", "silver", "gold", "specialist"]
    new = rules.newly_met(sets, f, order, set(order))
    assert not (set(new) & f.held)
    held = set(f.held)
    for t in new:  # each new tier is met given the tiers held before it
        assert rules.tier_met(sets, t, rules.Facts(f.completed, f.hours_by_tier, held, f.approved_report))
        held.add(t)


def test_empty_set_is_never_met():
    assert not rules.tier_met([rules.SetSpec("bronze", ())], "bronze", rules.Facts())


def test_any_n_of_more_than_listed_can_never_be_met():
    s = rules.SetSpec("bronze", (rules.ReqSpec("any_n_of", frozenset({1, 2}), n=3),))
    assert not rules.tier_met([s], "bronze", rules.Facts(completed=frozenset({1, 2})))


@settings(max_examples=80, deadline=None)
@given(st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2035, 12, 31)), st.integers(1, 60))
def test_validity_period(day, months):
    until = periods.valid_until(day, months)
    assert until >= day
    assert periods.add_months(day, months) - dt.timedelta(days=1) == until
    # never more than the calendar months allow
    assert (until - day).days < months * 31


def test_validity_examples():
    assert periods.valid_until(dt.date(2025, 4, 1), 36) == dt.date(2028, 3, 31)
    assert periods.valid_until(dt.date(2024, 1, 31), 1) == dt.date(2024, 2, 28)  # clamp to 29 Feb, minus one day
    assert periods.add_months(dt.date(2024, 1, 31), 1) == dt.date(2024, 2, 29)
    assert periods.valid_until(dt.date(2025, 4, 1), None) is None


@settings(max_examples=80, deadline=None)
@given(st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2030, 12, 31)), st.integers(1, 48),
       st.integers(-400, 400))
def test_renewal_keeps_anniversary_or_restarts(awarded, months, offset):
    until = periods.valid_until(awarded, months)
    renewed_on = until + dt.timedelta(days=offset)
    new_until = periods.renewal_period(previous_until=until, renewed_on=renewed_on, months=months)
    if renewed_on <= until:
        # no gap and no overlap: the new period starts the day after the old one ends
        assert new_until == periods.add_months(until + dt.timedelta(days=1), months) - dt.timedelta(days=1)
        assert new_until > until
    else:
        assert new_until == periods.valid_until(renewed_on, months)
    assert new_until >= renewed_on


def test_romanize_kana_names():
    from training.credentials import romanize

    assert romanize("サトウ ショウタ") == "Sato Shota"
    assert romanize("ハットリ ケンイチ") == "Hattori Kenichi"

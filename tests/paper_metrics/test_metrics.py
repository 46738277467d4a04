import datetime as dt
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from paper_metrics.conversion import a4_sheets, a4_sheets_array, normalise_size
from paper_metrics.metrics import elapsed_months, evaluate, fiscal_months, target_pct_for


@given(pages=st.integers(0, 10_000), copies=st.integers(1, 500), duplex=st.booleans(),
       size=st.sampled_from(["A4", "A3", "B4", "B5", "A5", "iso_a3_297x420mm", "", "Letter"]))
def test_a4_sheets_rule(pages, copies, duplex, size):
    s = a4_sheets(pages=pages, copies=copies, duplex=duplex, size=size)
    physical = math.ceil(pages / 2) if duplex else pages
    assert s == physical * copies * {"A4": 1, "A3": 2, "B4": 1.5, "B5": 0.75, "A5": 0.5, "LETTER": 1}[normalise_size(size)]
    # duplex never costs more; one more copy costs exactly one more set
    assert a4_sheets(pages=pages, copies=copies, duplex=True, size=size) <= a4_sheets(pages=pages, copies=copies, size=size)
    assert math.isclose(a4_sheets(pages=pages, copies=copies + 1, duplex=duplex, size=size) - s,
                        physical * a4_sheets(pages=1, size=size))


@given(st.lists(st.tuples(st.integers(0, 5000), st.integers(1, 50), st.booleans(), st.sampled_from([0.5, 1.0, 1.5, 2.0])),
                min_size=1, max_size=50))
def test_vectorised_rule_matches_scalar(jobs):
    import numpy as np

    pages, copies, duplex, factor = (np.array(x) for x in zip(*jobs, strict=True))
    out = a4_sheets_array(pages, copies, duplex, factor)
    for (p, c, d, f), v in zip(jobs, out, strict=True):
        assert v == (math.ceil(p / 2) if d else p) * c * f


def test_sizes_normalised():
    assert normalise_size("iso_a4_210x297mm") == "A4"
    assert normalise_size("jis_b4_257x364mm") == "B4"
    assert normalise_size("na_letter_8.5x11in") == "LETTER"
    assert normalise_size(" a3 ") == "A3"
    assert normalise_size("") == "A4"


def test_fiscal_months_and_elapsed_edges():
    assert fiscal_months(2025)[0] == dt.date(2025, 4, 1) and fiscal_months(2025)[-1] == dt.date(2026, 3, 1)
    assert elapsed_months(2025, dt.date(2026, 3, 31)) == 11   # March itself is not complete
    assert elapsed_months(2025, dt.date(2026, 4, 1)) == 12    # 1 April: FY2025 is over
    assert elapsed_months(2026, dt.date(2026, 4, 1)) == 0
    assert elapsed_months(2025, dt.date(2025, 5, 1)) == 1
    assert elapsed_months(2027, dt.date(2025, 5, 1)) == 0


def test_target_steps():
    steps = {"2025": 30, "2026": 40, "2027": 50}
    assert target_pct_for(2023, steps) == 0
    assert target_pct_for(2025, steps) == 30
    assert target_pct_for(2028, steps) == 50


def test_same_period_comparison_and_forecast_known_answer():
    base = [100.0] * 12
    actual = [60.0] * 6 + [0.0] * 6
    y = evaluate(fy=2025, elapsed=6, actual=actual, baseline=base, target_pct=30)
    assert y.fytd == 360 and y.baseline_same == 600
    assert y.change_pct == pytest.approx(-40)
    assert y.forecast == pytest.approx(720)
    assert y.target_total == pytest.approx(840)
    assert y.status == "on_track"


def test_forecast_follows_seasonality():
    # FY2023: busy March (300), others 100 → 1,400. This year: half of FY2023 in April–June.
    base = [100.0] * 11 + [300.0]
    y = evaluate(fy=2026, elapsed=3, actual=[50, 50, 50] + [0] * 9, baseline=base, target_pct=40)
    assert y.change_pct == pytest.approx(-50)
    assert y.forecast == pytest.approx(150 + 0.5 * (800 + 300))  # 700
    assert y.status == "on_track"


@pytest.mark.parametrize("ratio,status", [(0.70, "on_track"), (0.74, "at_risk"), (0.76, "off_track")])
def test_status_bands(ratio, status):
    base = [100.0] * 12
    y = evaluate(fy=2025, elapsed=4, actual=[100 * ratio] * 4 + [0] * 8, baseline=base, target_pct=30, margin=5)
    assert y.status == status


def test_no_data():
    assert evaluate(fy=2025, elapsed=0, actual=[0] * 12, baseline=[1] * 12, target_pct=30).status == "no_data"
    assert evaluate(fy=2025, elapsed=5, actual=[1] * 12, baseline=[0] * 12, target_pct=30).status == "no_data"

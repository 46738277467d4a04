"""Pure arithmetic for the dashboards: same-period comparison, seasonal forecast, target and status.

A unit's year is twelve fiscal months (April = index 0 … March = 11). ``elapsed`` is the number of
complete months of the year that count (all twelve for a past year; for the current year the months
before the current one). The comparison is the fiscal-year-to-date total against the baseline (FY2023)
total of the same months. The forecast keeps that ratio for the rest of the year and follows the
baseline's seasonality: forecast = FYTD + (FYTD ÷ baseline same period) × baseline of the remaining months.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from workstyle import dates


def fiscal_months(fy: int) -> list[dt.date]:
    return [dt.date(fy + (1 if m < 4 else 0), m, 1) for m in (4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3)]


def month_first(day: dt.date) -> dt.date:
    return day.replace(day=1)


def elapsed_months(fy: int, today: dt.date | None = None) -> int:
    """Complete fiscal months of ``fy`` before ``today``'s month (0–12)."""
    today = today or dates.today()
    current = dates.fiscal_year(today)
    if fy < current:
        return 12
    if fy > current:
        return 0
    return dates.fiscal_month_index(today)


def target_pct_for(fy: int, steps: dict) -> float:
    """The reduction (in %) the plan asks for in ``fy``: the step of the latest year ≤ fy; 0 before the first."""
    best_year, best = None, 0.0
    for year, pct in steps.items():
        y = int(year)
        if y <= fy and (best_year is None or y > best_year):
            best_year, best = y, float(pct)
    return best


@dataclass
class UnitYear:
    fy: int
    elapsed: int
    actual: list[float | None]
    baseline: list[float]
    target_pct: float
    margin: float
    fytd: float = 0.0
    baseline_same: float = 0.0
    baseline_total: float = 0.0
    change_pct: float | None = None
    forecast: float | None = None
    target_total: float | None = None
    forecast_vs_target_pct: float | None = None
    status: str = "no_data"
    target_monthly: list[float] = field(default_factory=list)

    @property
    def months(self) -> list[dt.date]:
        return fiscal_months(self.fy)

    @property
    def has_baseline(self) -> bool:
        return self.baseline_total > 0


def evaluate(*, fy: int, elapsed: int, actual: list[float], baseline: list[float], target_pct: float,
             margin: float = 5.0) -> UnitYear:
    """``actual`` and ``baseline`` are 12 monthly totals (April first). Months ≥ elapsed are not counted."""
    assert len(actual) == 12 and len(baseline) == 12
    u = UnitYear(fy=fy, elapsed=elapsed, actual=[actual[i] if i < elapsed else None for i in range(12)],
                 baseline=list(baseline), target_pct=target_pct, margin=margin)
    u.baseline_total = sum(baseline)
    factor = 1 - target_pct / 100
    u.target_monthly = [b * factor for b in baseline]
    u.fytd = sum(actual[:elapsed])
    u.baseline_same = sum(baseline[:elapsed])
    if u.baseline_total > 0:
        u.target_total = u.baseline_total * factor
    if elapsed == 0 or u.baseline_same <= 0:
        return u
    ratio = u.fytd / u.baseline_same
    u.change_pct = (ratio - 1) * 100
    u.forecast = u.fytd + ratio * sum(baseline[elapsed:])
    u.forecast_vs_target_pct = (u.forecast / u.baseline_total - factor) * 100
    if u.forecast <= u.target_total + 1e-9:
        u.status = "on_track"
    elif u.forecast <= u.target_total + margin / 100 * u.baseline_total + 1e-9:
        u.status = "at_risk"
    else:
        u.status = "off_track"
    return u


def co2_kg(sheets: float, g_per_sheet: float) -> float:
    return sheets * g_per_sheet / 1000


def trees(sheets: float, sheets_per_tree: float) -> float:
    return sheets / sheets_per_tree if sheets_per_tree else 0.0

"""The DX plan's workstyle targets. Apps plug tiles into the dashboard under these keys
(``registry.register_kpi``); a target no app reports yet shows as 'no data yet'."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from workstyle.registry import KpiTile

PLAN_TARGETS = [
    ("paper", _("Paper use −50% against FY2023"), _("FY2023 (R5) use"), _("−50% by FY2027")),
    ("paperless_meetings", _("Paperless meetings"), _("Council and some meetings since 2021"), _("All meetings")),
    ("telework", _("Telework established"), _("Start of the fiscal year"), _("A normal way of working")),
    ("office_space", _("Office space freed in the main building"), _("Before the reform"), _("20% of space")),
    ("dx_talent", _("DX promotion leaders (silver or gold)"), _("About 690 leaders in FY2024"), _("One third of all staff")),
]


def placeholder_tiles(present_keys: set[str]) -> list[KpiTile]:
    return [
        KpiTile(key=key, title=title, unit="", baseline=None, target=None, current=None, status="no_data",
                baseline_label=str(base), target_label=str(target), order=500 + i)
        for i, (key, title, base, target) in enumerate(PLAN_TARGETS)
        if key not in present_keys
    ]

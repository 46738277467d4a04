"""The monthly chart: this year's bars, the FY2023 baseline line and the target line, as SVG."""

from __future__ import annotations

import io
import warnings

import matplotlib

matplotlib.use("Agg")
from django.utils.translation import gettext as _  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from workstyle import fonts  # noqa: E402


def monthly_svg(rep) -> str:
    # Text stays text (svg.fonttype none): the browser draws the Japanese labels with its own fonts; the
    # labels are measured with the Japanese font (workstyle.fonts) so legends and ticks get the right width.
    with matplotlib.rc_context(fonts.svg_rc()), warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Glyph .* missing from font")
        y = rep.year
        labels = [f"{m.month}" for m in rep.months]
        fig = Figure(figsize=(8, 3.2), dpi=96)
        ax = fig.add_subplot()
        fig.subplots_adjust(left=0.1, right=0.98, top=0.95, bottom=0.16)  # fixed: tight_layout costs ~100 ms
        xs = list(range(12))
        ax.bar(xs, [v or 0 for v in y.actual], color="#1f5fa8", label=_("This year (A4-equivalent sheets)"), hatch="")
        ax.plot(xs, y.baseline, color="#555555", linestyle="--", marker="o", label=_("FY2023 baseline"))
        ax.plot(xs, y.target_monthly, color="#b35900", linestyle=":", marker="s", label=_("Target"))
        ax.set_xticks(xs, labels)
        ax.set_xlabel(_("Month"))
        ax.ticklabel_format(axis="y", style="plain")
        ax.legend(loc="upper right", fontsize=8, frameon=False)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        buf = io.StringIO()
        fig.savefig(buf, format="svg")
    svg = buf.getvalue()
    return svg[svg.find("<svg"):]

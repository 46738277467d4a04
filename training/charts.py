"""Charts as SVG (matplotlib, Agg); the same numbers are always shown in a table next to the chart."""

from __future__ import annotations

import io
import warnings

import matplotlib

matplotlib.use("Agg")
from django.utils.translation import gettext as _  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from workstyle import fonts  # noqa: E402


def trend_svg(points, proj) -> str:
    # Text stays text in the SVG (the browser draws Japanese with its fonts), measured with the Japanese font.
    with matplotlib.rc_context(fonts.svg_rc()), warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Glyph .* missing")
        fig = Figure(figsize=(8, 3.6))
        ax = fig.add_subplot()
        xs = [p.month_end for p in points]
        ax.plot(xs, [p.bronze for p in points], marker="o", color="#8c5a2b", label=_("Bronze or higher"))
        ax.plot(xs, [p.silver_gold for p in points], marker="s", color="#1d4e89", label=_("Silver or gold"))
        ax.axhline(proj.target, color="#b91c1c", linestyle="--", label=_("Target: %(n)s") % {"n": proj.target})
        ax.set_ylabel(_("Staff"))
        ax.grid(alpha=0.3)
        ax.legend(loc="upper left", fontsize=8)
        fig.autofmt_xdate()
        buf = io.StringIO()
        fig.tight_layout()
        fig.savefig(buf, format="svg")
    svg = buf.getvalue()
    start = svg.find("<svg")
    title = _("Staff holding bronze or higher and silver or gold, month by month")
    return svg[start:].replace("<svg ", f'<svg role="img" aria-label="{title}" ', 1)

"""CSV and Excel exports of a report (unit totals, months, ranking) — no per-person data."""

from __future__ import annotations

import csv
import io

from django.utils.translation import gettext as _


def _rows(rep):
    head = [_("Month"), _("This year"), _("FY2023 baseline"), _("Target"), _("Purchased"), _("Saved by paperless meetings")]
    body = [[r["month"].strftime("%Y-%m"), r["actual"], round(r["baseline"], 1), round(r["target"], 1),
             r["purchased"], r["meetings"]] for r in rep.monthly_rows]
    rank_head = [_("Unit"), _("Code"), _("FYTD sheets"), _("Baseline same period"), _("Change %"), _("Forecast"),
                 _("Target"), _("Status"), _("Sheets per staff member")]
    rank = [[r.unit.name, r.unit.code, round(r.year.fytd, 1), round(r.year.baseline_same, 1),
             None if r.year.change_pct is None else round(r.year.change_pct, 1),
             None if r.year.forecast is None else round(r.year.forecast, 1),
             None if r.year.target_total is None else round(r.year.target_total, 1), r.year.status,
             None if r.per_staff is None else round(r.per_staff, 1)] for r in rep.children]
    return head, body, rank_head, rank


def to_csv(rep) -> bytes:
    head, body, rank_head, rank = _rows(rep)
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(head)
    w.writerows(body)
    w.writerow([])
    w.writerow(rank_head)
    w.writerows(rank)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(rep) -> bytes:
    from openpyxl import Workbook

    head, body, rank_head, rank = _rows(rep)
    wb = Workbook()
    ws = wb.active
    ws.title = _("Months")[:31]
    ws.append(head)
    for r in body:
        ws.append(r)
    ws2 = wb.create_sheet(_("Ranking")[:31])
    ws2.append(rank_head)
    for r in rank:
        ws2.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()

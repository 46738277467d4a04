"""Demo paper data: a printer fleet per floor, FY2023 as the baseline, then every month up to last month
with seasonality and a downward trend (some sections lag behind), a few manual entries and purchases.

Roll-ups are generated directly (they stand for several hundred thousand print jobs); a sample of raw job
rows for one month is stored under a demo import so the audit page has something to show.
"""

from __future__ import annotations

import datetime as dt
import random

from django.db import connection, transaction
from django.utils import timezone

from paper_metrics.metrics import fiscal_months
from paper_metrics.models import ImportBatch, MonthlyUsage, PaperSettings, Printer, PrinterMonthly, PrintJob
from workstyle import dates
from workstyle.models import OrgUnit, StaffProfile

DEMO_SHA = "demo-paper-metrics-v1"
# April … March: busy at the start of the year, at budget time (Feb) and at the year end (March)
SEASON = [1.12, 0.95, 1.02, 0.98, 0.85, 0.97, 1.03, 0.99, 0.90, 0.94, 1.08, 1.17]
TREND = {2023: 1.0, 2024: 0.84, 2025: 0.70, 2026: 0.60, 2027: 0.52}
MAKERS = ["RICOH", "FUJIFILM", "Canon", "SHARP", "KYOCERA"]
SHEETS_PER_STAFF_MONTH = 780


def _insert(model, cols: list[str], rows: list[tuple]) -> None:
    """Plain executemany: the ORM's per-object work would cost most of the demo's time budget."""
    qn = connection.ops.quote_name
    sql = (f"INSERT INTO {qn(model._meta.db_table)} ({', '.join(qn(c) for c in cols)}) "
           f"VALUES ({', '.join(['%s'] * len(cols))})")
    with connection.cursor() as cur:
        for start in range(0, len(rows), 5000):
            cur.executemany(sql, rows[start:start + 5000])


def load(*, small: bool = False, stdout=None) -> None:
    if ImportBatch.objects.filter(sha256=DEMO_SHA).exists():
        return
    rng = random.Random(2023)
    today = dates.today()
    last = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    months = [m for fy in range(2023, dates.fiscal_year(today) + 1) for m in fiscal_months(fy) if m <= last]
    sections = list(OrgUnit.objects.filter(kind=OrgUnit.Kind.SECTION).order_by("path"))
    if not sections:
        return
    staff = {}
    for sid in StaffProfile.objects.filter(is_active=True).values_list("section_id", flat=True):
        staff[sid] = staff.get(sid, 0) + 1
    ops = connection.ops
    with transaction.atomic():
        PaperSettings.load().save()
        printers, by_section = [], {}
        for i, sec in enumerate(sections):
            building = "本庁舎" if sec.top.kind == OrgUnit.Kind.BUREAU else sec.top.name.removesuffix("役所") + "庁舎"
            floor = 2 + (i // 4) % 14 if building == "本庁舎" else 1 + i % 3
            name = f"{building}{floor}F-{MAKERS[i % len(MAKERS)]}-{i % 4 + 1:02d}"
            by_section[sec.pk] = name
            printers.append(Printer(name=name, name_key=Printer.key_for(name), section=sec,
                                    location=f"{building} {floor}階", model_name=MAKERS[i % len(MAKERS)]))
        Printer.objects.bulk_create(printers, ignore_conflicts=True)
        manual_sections = {s.pk for s in sections if s.code.startswith("W") and s.code.endswith("S03")}
        rows, prows = [], []
        for sec in sections:
            n = max(staff.get(sec.pk, 8), 3)
            pace = rng.uniform(0.85, 1.2)  # >1: this section cuts less than the city
            volume = rng.uniform(0.6, 1.5)
            for m in months:
                fy = dates.fiscal_year(m)
                trend = 1 - (1 - TREND.get(fy, 0.5)) / pace
                sheets = n * SHEETS_PER_STAFF_MONTH * volume * SEASON[dates.fiscal_month_index(m)] * trend
                sheets *= rng.uniform(0.93, 1.07)
                if sec.pk in manual_sections:
                    rows.append((sec.pk, m, "manual", "manual", round(sheets), 0))
                    continue
                rows.append((sec.pk, m, "print", "papercut", round(sheets), int(sheets / 6)))
                prows.append((by_section[sec.pk], m, "papercut", sec.pk, round(sheets), int(sheets / 6)))
                if m.month in (4, 7, 10, 1) and sec.name.startswith("総務"):
                    rows.append((sec.pk, m, "purchase", "purchases", round(sheets * 3.1 / 500) * 500, 1))
        _insert(MonthlyUsage, ["section_id", "month", "kind", "source", "sheets", "jobs"],
                [(r[0], ops.adapt_datefield_value(r[1]), *r[2:]) for r in rows])
        _insert(PrinterMonthly, ["printer", "month", "source", "section_id", "sheets", "jobs"],
                [(r[0], ops.adapt_datefield_value(r[1]), *r[2:]) for r in prows])
        batch = ImportBatch.objects.create(kind=ImportBatch.Kind.DEMO, format="papercut", source="papercut",
                                           file_name="demo-sample.csv", sha256=DEMO_SHA, encoding="utf-8")
        people = list(StaffProfile.objects.filter(is_active=True).values_list("employee_number", "section_id")[:3000])
        n_jobs = 2000 if small else 20000
        jobs = []
        tz = timezone.get_current_timezone()
        docs = ["会議資料.pdf", "起案文書.docx", "予算要求書.xlsx", "議事録.docx", "説明資料.pptx", "決裁用写し.pdf"]
        sizes = [("A4", 1.0)] * 8 + [("A3", 2.0), ("B4", 1.5)]
        for i in range(n_jobs):
            number, sid = people[i % len(people)]
            day = last + dt.timedelta(days=rng.randrange(28))
            pages, copies, duplex = rng.choice([1, 1, 2, 3, 5, 8, 12, 20]), rng.choice([1, 1, 1, 2, 5]), rng.random() < 0.6
            size, factor = rng.choice(sizes)
            sheets = ((pages + 1) // 2 if duplex else pages) * copies * factor
            at = dt.datetime(day.year, day.month, day.day, 8 + rng.randrange(10), rng.randrange(60), tzinfo=tz)
            jobs.append((batch.pk, i + 3, ops.adapt_datetimefield_value(at), ops.adapt_datefield_value(last), number,
                         sid, by_section.get(sid, ""), rng.choice(docs), pages, copies, duplex, rng.random() < 0.2,
                         size, sheets))
        cols = ["batch_id", "line", "printed_at", "month", "user_name", "section_id", "printer", "document", "pages",
                "copies", "duplex", "color", "paper_size", "sheets"]
        _insert(PrintJob, cols, jobs)
        batch.rows_read = batch.rows_stored = n_jobs
        batch.sheets = sum(j[-1] for j in jobs)
        from paper_metrics.services import bump_version

        bump_version()
        batch.details = {"note": "sample of raw rows; the month's roll-ups are generated separately"}
        batch.save()
    if stdout is not None:
        stdout.write(f"  paper: {len(printers)} printers, {len(rows)} monthly roll-ups over {len(months)} months, "
                     f"{n_jobs} sample job rows")

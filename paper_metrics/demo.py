"""Demo paper data: a printer fleet per floor, FY2023 as the baseline, then every month up to last month
with seasonality and a downward trend (some sections lag behind), a few manual entries and purchases.

Roll-ups are generated directly (they stand for several hundred thousand print jobs); a sample of raw job
rows for one month is stored under a demo import so the audit page has something to show.
"""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction

from paper_metrics.metrics import fiscal_months
from paper_metrics.models import ImportBatch, MonthlyUsage, PaperSettings, Printer, PrintJob
from workstyle import dates
from workstyle.models import OrgUnit, StaffProfile

DEMO_SHA = "demo-paper-metrics-v1"
# April … March: busy at the start of the year, at budget time (Feb) and at the year end (March)
SEASON = [1.12, 0.95, 1.02, 0.98, 0.85, 0.97, 1.03, 0.99, 0.90, 0.94, 1.08, 1.17]
TREND = {2023: 1.0, 2024: 0.84, 2025: 0.70, 2026: 0.60, 2027: 0.52}
MAKERS = ["RICOH", "FUJIFILM", "Canon", "SHARP", "KYOCERA"]
SHEETS_PER_STAFF_MONTH = 780


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
        rows = []
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
                    rows.append(MonthlyUsage(section=sec, month=m, kind="manual", source="manual", sheets=round(sheets)))
                    continue
                rows.append(MonthlyUsage(section=sec, month=m, kind="print", source="papercut",
                                         printer=by_section[sec.pk], sheets=round(sheets), jobs=int(sheets / 6)))
                if m.month in (4, 7, 10, 1) and sec.name.startswith("総務"):
                    rows.append(MonthlyUsage(section=sec, month=m, kind="purchase", source="purchases",
                                             sheets=round(sheets * 3.1 / 500) * 500, jobs=1))
        MonthlyUsage.objects.bulk_create(rows, batch_size=5000, ignore_conflicts=True)
        batch = ImportBatch.objects.create(kind=ImportBatch.Kind.DEMO, format="papercut", source="papercut",
                                           file_name="demo-sample.csv", sha256=DEMO_SHA, encoding="utf-8")
        people = list(StaffProfile.objects.filter(is_active=True).values_list("employee_number", "section_id")[:3000])
        n_jobs = 2000 if small else 20000
        jobs = []
        docs = ["会議資料.pdf", "起案文書.docx", "予算要求書.xlsx", "議事録.docx", "説明資料.pptx", "決裁用写し.pdf"]
        sizes = [("A4", 1.0)] * 8 + [("A3", 2.0), ("B4", 1.5)]
        for i in range(n_jobs):
            number, sid = people[i % len(people)]
            day = last + dt.timedelta(days=rng.randrange(28))
            pages, copies, duplex = rng.choice([1, 1, 2, 3, 5, 8, 12, 20]), rng.choice([1, 1, 1, 2, 5]), rng.random() < 0.6
            size, factor = rng.choice(sizes)
            sheets = ((pages + 1) // 2 if duplex else pages) * copies * factor
            jobs.append(PrintJob(batch=batch, line=i + 3, month=last, user_name=number, section_id=sid,
                                 printed_at=dt.datetime(day.year, day.month, day.day, 8 + rng.randrange(10),
                                                        rng.randrange(60), tzinfo=dates.timezone.get_current_timezone()),
                                 printer=by_section.get(sid, ""), document=rng.choice(docs), pages=pages, copies=copies,
                                 duplex=duplex, color=rng.random() < 0.2, paper_size=size, sheets=sheets))
        PrintJob.objects.bulk_create(jobs, batch_size=5000)
        batch.rows_read = batch.rows_stored = n_jobs
        batch.sheets = sum(j.sheets for j in jobs)
        batch.details = {"note": "sample of raw rows; the month's roll-ups are generated separately"}
        batch.save()
    if stdout is not None:
        stdout.write(f"  paper: {len(printers)} printers, {len(rows)} monthly roll-ups over {len(months)} months, "
                     f"{n_jobs} sample job rows")

"""Demo meetings with real multi-page PDFs generated here (matplotlib), pages rendered lazily on first view.

Idempotent: does nothing when the demo manager already organises meetings.
Full: 6 hand-made meetings of the demo accounts + 80 past meetings across sections this fiscal year
(bulk-created, for the KPI tile and paper metrics). Small: 2 meetings.
"""

from __future__ import annotations

import datetime
import random
import uuid
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from workstyle import dates

DEMO_ORGANISER = "10000002"
DEMO_EMPLOYEE = "10000001"

DECKS = [
    ("ペーパーレス会議の全庁展開について", 6, ["タブレット端末を全課に配備", "紙の資料配布を原則廃止", "成功事例の横展開", "R9年度までに紙50%削減"]),
    ("令和8年度 予算要求の概要", 8, ["歳出総額の見直し", "DX関連経費の重点配分", "庁舎オフィス改革の推進", "テレワーク環境の拡充"]),
    ("本庁舎3階 フリーアドレス化の効果検証", 4, ["座席利用率の推移", "スペース創出20%の達成状況", "職員アンケート結果"]),
]
AGENDA = [
    ("開会・資料確認", 5),
    ("ペーパーレス会議の全庁展開", 20),
    ("予算要求の概要説明", 25),
    ("オフィス改革の効果検証", 15),
    ("閉会", 5),
]
PLACES = ["本庁舎 5階 第1会議室", "本庁舎 3階 大会議室", "小倉北区役所 4階 会議室", "オンライン（Teams）"]


def _aware(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=timezone.get_current_timezone())


def _write(data: bytes) -> tuple[str, str]:
    import hashlib

    rel = Path("meetings") / "demo" / f"{uuid.uuid4().hex}.pdf"
    path = Path(settings.MEDIA_ROOT) / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return str(rel), hashlib.sha256(data).hexdigest()


def load(*, small: bool, stdout) -> None:
    from meetings import services
    from meetings.models import Meeting
    from workstyle.models import User

    organiser = User.objects.filter(username=DEMO_ORGANISER).select_related("staff__section").first()
    employee = User.objects.filter(username=DEMO_EMPLOYEE).first()
    if organiser is None or employee is None or not hasattr(organiser, "staff"):
        if stdout:
            stdout.write("meetings: demo accounts missing; run the workstyle loader first.")
        return
    if Meeting.objects.filter(organisers=organiser).exists():
        return
    if small:  # no matplotlib: the small demo must load in well under two seconds
        from meetings.pdfsimple import text_pdf

        pdfs = [(DECKS[0][0], text_pdf("Paperless meetings for every section", 3,
                                       ["Tablets in every section", "No paper handouts", "Share what works"]))]
    else:
        from meetings.pdfbuild import sample_pdf

        pdfs = [(title, sample_pdf(title, pages, lines=lines, seed=i)) for i, (title, pages, lines) in enumerate(DECKS)]
    texts = {title: services.extract_trusted_texts(data) for title, data in pdfs}
    section = organiser.staff.section
    today = dates.today()
    with transaction.atomic():
        plan = [("第12回 変革推進会議", today, 10, "in_progress", False)]
        if not small:
            plan += [
                ("DX推進リーダー連絡会", today, 15, "published", False),
                ("オフィス改革推進本部会議", dates.add_working_days(today, 2), 14, "published", False),
                ("人事評価制度検討会（非公開）", dates.add_working_days(today, 5), 13, "published", True),
                ("第11回 変革推進会議", dates.add_working_days(today, -10), 10, "ended", False),
                ("令和8年度 組織改正 打合せ（準備中）", dates.add_working_days(today, 8), 16, "draft", False),
            ]
        else:
            plan.append(("第11回 変革推進会議", dates.add_working_days(today, -10), 10, "ended", False))
        for n, (title, day, hour, status, confidential) in enumerate(plan):
            m = services.create_meeting(
                actor=organiser, title=title, section=section, starts_at=_aware(day, hour),
                ends_at=_aware(day, hour + 1, 30), place=PLACES[n % len(PLACES)],
                confidentiality="confidential" if confidential else "normal",
                description="議事に沿って資料をタブレットでご確認ください。",
            )
            services.add_attendee(actor=organiser, meeting=m, section=section)
            services.add_attendee(actor=organiser, meeting=m, user=employee)
            services.add_attendee(actor=organiser, meeting=m, guest_name="九州工業大学 情報工学部 教授")
            for pos, (item_title, minutes) in enumerate(AGENDA if not small else AGENDA[1:3], start=1):
                item = services.add_agenda_item(actor=organiser, meeting=m, title=item_title,
                                                presenter=organiser if pos % 2 else employee,
                                                duration_minutes=minutes)
                if 2 <= pos <= 4 or small:
                    deck_title, data = pdfs[(pos + n) % len(pdfs)]
                    mat = services.add_material(actor=organiser, item=item, title=f"資料{pos - 1}　{deck_title}")
                    services.store_trusted_version(actor=organiser, material=mat, data=data,
                                                   filename=f"shiryo{pos - 1}.pdf", texts=texts[deck_title])
            if status != "draft":
                services.change_status(actor=organiser, meeting=m, to="published")
            if status in ("in_progress", "ended"):
                services.change_status(actor=organiser, meeting=m, to="in_progress")
            if status == "ended":
                services.change_status(actor=organiser, meeting=m, to="ended")
        if not small:
            _bulk_history(organiser, pdfs)
    if stdout:
        stdout.write(f"meetings: {Meeting.objects.count()} meetings")


def _bulk_history(organiser, pdfs) -> None:
    """Past meetings of many sections this fiscal year (bulk): what the KPI tile and paper metrics read."""
    from meetings.models import AgendaItem, Attendee, Material, MaterialVersion, Meeting
    from workstyle.models import OrgUnit

    rng = random.Random(2026)
    import io

    from pypdf import PdfReader

    stored = [(_write(data), title, len(data), len(PdfReader(io.BytesIO(data)).pages)) for title, data in pdfs]
    sections = list(OrgUnit.objects.filter(kind="section", is_active=True).order_by("code")[:40])
    fy_start, _fy_end = dates.fiscal_year_range(dates.fiscal_year(dates.today()))
    days = [d for d in dates.working_days(fy_start, dates.add_working_days(dates.today(), -1))]
    if not sections or not days:
        return
    titles = ["定例課内会議", "係長会議", "業務改善検討会", "予算執行状況の確認", "窓口DX推進会議", "防災訓練打合せ"]
    meetings = []
    for _ in range(80):
        sec = rng.choice(sections)
        day = rng.choice(days)
        hour = rng.choice([9, 10, 13, 14, 15])
        meetings.append(Meeting(
            title=f"{rng.choice(titles)}（{sec.name}）", section=sec, starts_at=_aware(day, hour),
            ends_at=_aware(day, hour + 1), place=rng.choice(PLACES), status=Meeting.Status.ENDED,
            created_by=organiser))
    Meeting.objects.bulk_create(meetings)
    Meeting.organisers.through.objects.bulk_create(
        [Meeting.organisers.through(meeting_id=m.pk, user_id=organiser.pk) for m in meetings])
    Attendee.objects.bulk_create([Attendee(meeting=m, section=m.section) for m in meetings])
    items = AgendaItem.objects.bulk_create([AgendaItem(meeting=m, position=1, title="報告事項") for m in meetings])
    mats = Material.objects.bulk_create([Material(item=i, position=1, title="報告資料") for i in items])
    versions = []
    for mat in mats:
        (rel, sha), title, size, pages = rng.choice(stored)
        versions.append(MaterialVersion(material=mat, number=1, file=rel, filename="houkoku.pdf", size=size,
                                        sha256=sha, page_count=max(1, pages), text=title,
                                        uploaded_by=organiser))
    MaterialVersion.objects.bulk_create(versions)
    for mat, v in zip(mats, versions, strict=True):
        mat.current_version = v
    Material.objects.bulk_update(mats, ["current_version"])

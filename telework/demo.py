"""Demo telework data: rules, exclusions, task lists per section, months of requests, approvals and reports.

Idempotent (skips when the city default rule exists). Bulk inserts only: the full city loads in a few seconds.
"""

from __future__ import annotations

import datetime as dt
import random
import time
import uuid
import zoneinfo
from typing import NamedTuple

from django.db import transaction
from django.utils import timezone

from telework.models import (
    BlackoutDate,
    PersonExclusion,
    Status,
    TaskItem,
    TeleworkDay,
    TeleworkRequest,
    TeleworkRule,
    WorkLog,
)
from workstyle import dates
from workstyle.models import OrgUnit, StaffProfile

TZ = zoneinfo.ZoneInfo("Asia/Tokyo")

GENERIC_TASKS = [
    ("会議資料・報告書の作成", "suitable", ""),
    ("統計データの集計・分析", "suitable", ""),
    ("予算・決算資料の作成", "suitable", ""),
    ("条例・要綱の改正案の検討", "suitable", ""),
    ("オンライン会議への参加", "suitable", ""),
    ("研修資料の作成・eラーニング受講", "suitable", ""),
    ("委託業者との打合せ", "partly", "対面での確認が必要な場合がある"),
    ("電話による問合せ対応", "partly", "代表電話の転送設定が必要"),
    ("決裁・押印を伴う事務", "partly", "電子決裁の対象外の文書がある"),
    ("現地調査・立会い", "unsuitable", "現場での作業が必要"),
    ("個人情報を含む紙台帳の照合", "unsuitable", "庁外への持ち出しができない"),
]
COUNTER_TASKS = [
    ("窓口での受付・交付", "unsuitable", "来庁者への対面対応"),
    ("申請書の審査", "partly", "原本確認が必要な場合がある"),
    ("証明書発行システムの運用", "unsuitable", "専用端末が庁内にのみある"),
]
COUNTER_SECTIONS = ("市民課", "保険年金課", "税務課", "保護課", "お客さまサービス課")
SHIFT_BUREAUS = ("消防局",)
PLANS = ["予算資料の作成", "統計データの集計", "報告書の取りまとめ", "要綱改正案の検討", "オンライン会議出席",
         "事業計画の見直し", "議会答弁資料の作成", "委託仕様書の作成"]
REPORTS = ["予定どおり作成を終えた。", "集計を終え、課内に共有した。", "会議に出席し、論点を整理した。",
           "一部未了。明日庁内で続ける。", "急な照会対応のため予定を変更した。"]


class Req(NamedTuple):
    uid: uuid.UUID
    user_id: int
    section_id: int
    approver_id: int
    status: str
    part: str
    day: dt.date
    place: str
    planned: str
    contact: str
    decided_by: int | None
    decided_at: dt.datetime | None
    sequence: int
    created_at: dt.datetime
    updated_at: dt.datetime
    pk: int | None = None

    @property
    def start_date(self):
        return self.day


def _raw_insert(model, fields: list[str], rows: list[tuple]) -> None:
    """executemany without building model instances (the demo's big tables); values adapted per backend."""
    if not rows:
        return
    from django.db import connection

    cols = [model._meta.get_field(f) for f in fields]
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(c.column) for c in cols)
    sql = f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(cols))})"
    sqlite = connection.vendor == "sqlite"

    def prep(c):
        kind = c.get_internal_type()
        if kind == "DateTimeField" and sqlite:
            return lambda v: v.astimezone(dt.UTC).replace(tzinfo=None).isoformat(" ")
        if kind == "DateField" and sqlite:
            return dt.date.isoformat
        if kind == "UUIDField" and sqlite:
            return lambda v: v.hex
        if kind in ("JSONField", "UUIDField", "DateTimeField", "DateField"):
            return lambda v: c.get_db_prep_save(v, connection)
        return None

    preps = [prep(c) for c in cols]
    adapted = [tuple(p(v) if p and v is not None else v for p, v in zip(preps, r, strict=True)) for r in rows]
    with connection.cursor() as cur:
        for i in range(0, len(adapted), 5000):
            cur.executemany(sql, adapted[i:i + 5000])


def _month_starts(start: dt.date, end: dt.date) -> list[dt.date]:
    out, d = [], start.replace(day=1)
    while d <= end:
        out.append(d)
        d = (d.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return out


@transaction.atomic
def load(*, small: bool = False, stdout=None) -> None:
    if TeleworkRule.objects.filter(is_default=True).exists():
        if stdout is not None:
            stdout.write("  telework: already loaded")
        return
    t0 = time.monotonic()
    rng = random.Random(2026)
    today = dates.today()
    units = {u.pk: u for u in OrgUnit.objects.all()}
    by_name_top = {}
    for u in units.values():
        if u.parent_id is None:
            by_name_top[u.name] = u

    # 1. rules: a city default, a few unit overrides, blackout dates
    TeleworkRule.objects.create(
        is_default=True, max_days_per_week=4, max_days_per_week_mode="block", max_days_per_month=12,
        max_days_per_month_mode="warn", min_notice_days=1, min_notice_days_mode="block",
        excluded_employment_types=["fiscal_year"], excluded_employment_types_mode="warn",
        blackout_mode="block", office_days_per_week=1, office_days_per_week_mode="block",
    )
    overrides = []
    for u in units.values():
        if u.name == "DX・AI戦略室":
            overrides.append(TeleworkRule(unit=u, max_days_per_month=16, max_days_per_month_mode="warn"))
        elif u.parent_id is None and u.name in SHIFT_BUREAUS:
            overrides.append(TeleworkRule(unit=u, max_days_per_week=1, max_days_per_week_mode="block",
                                          min_notice_days=3))
        elif u.kind == "section" and u.name == "財政課":
            overrides.append(TeleworkRule(unit=u, max_days_per_week=2, max_days_per_week_mode="warn"))
    TeleworkRule.objects.bulk_create(overrides)
    fy = dates.fiscal_year(today)
    blackouts = [BlackoutDate(unit=None, date=d, reason=r) for d, r in [
        (dt.date(fy, 4, 1), "年度当初（辞令交付）"), (dt.date(fy + 1, 3, 31), "年度末"),
    ] if dates.is_working_day(d)]
    for u in units.values():
        if u.kind == "section" and u.name == "財政課":
            for day in dates.working_days(dt.date(fy + 1, 1, 13), dt.date(fy + 1, 1, 16)):
                blackouts.append(BlackoutDate(unit=u, date=day, reason="予算査定"))
    BlackoutDate.objects.bulk_create(blackouts)

    # 2. task lists per section
    sections = [u for u in units.values() if u.kind == "section"]
    tasks = []
    for s in sections:
        pool = list(GENERIC_TASKS)
        rng.shuffle(pool)
        chosen = pool[: rng.randint(5, 8)]
        if s.name in COUNTER_SECTIONS:
            chosen = COUNTER_TASKS + chosen[:3]
        tasks += [TaskItem(section=s, title=t, suitability=k, reason=r) for t, k, r in chosen]
    TaskItem.objects.bulk_create(tasks, batch_size=2000)
    suitable = {}
    for tid, sid in TaskItem.objects.filter(suitability="suitable").values_list("id", "section_id"):
        suitable.setdefault(sid, []).append(tid)

    # 3. who approves whom (in memory: one query)
    profiles = list(StaffProfile.objects.filter(is_active=True).values(
        "user_id", "section_id", "is_manager", "employee_number", "employment_type"))
    chief = {}
    for p in sorted(profiles, key=lambda p: p["employee_number"]):
        if p["is_manager"]:
            chief.setdefault(p["section_id"], p["user_id"])

    def approver(p):
        uid = units[p["section_id"]].pk
        while uid is not None:
            c = chief.get(uid)
            if c is not None and c != p["user_id"]:
                return c
            uid = units[uid].parent_id
        return None

    counter_ids = {u.pk for u in sections if u.name in COUNTER_SECTIONS}
    shift_tops = {u.pk for u in units.values() if u.parent_id is None and u.name in SHIFT_BUREAUS}
    exclusions = [PersonExclusion(user_id=p["user_id"], reason="窓口業務のため")
                  for p in profiles if p["section_id"] in counter_ids and not p["is_manager"] and rng.random() < 0.6]
    exclusions += [PersonExclusion(user_id=p["user_id"], reason="交替制勤務のため")
                   for p in profiles if units[p["section_id"]].top_id in shift_tops and not p["is_manager"]
                   and rng.random() < 0.7]
    PersonExclusion.objects.bulk_create(exclusions, batch_size=2000)
    excluded = {e.user_id for e in exclusions}

    # 4. requests from the start of the fiscal year to two weeks ahead; adoption rises month by month
    fy_start, _fy_end = dates.fiscal_year_range(fy)
    horizon = dates.add_working_days(today, 10)
    months = _month_starts(fy_start, horizon)
    candidates = [p for p in profiles if p["user_id"] not in excluded and p["employment_type"] != "fiscal_year"
                  and approver(p) is not None]
    demo_emp = next((p for p in profiles if p["employee_number"] == "10000001"), None)
    now = timezone.now()
    reqs, day_specs = [], []
    used: set[tuple[int, dt.date]] = set()
    for mi, m in enumerate(months):
        share = min(0.05 + 0.02 * mi, 0.2)
        month_days = [d for d in dates.working_days(m, (m.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
                                                    - dt.timedelta(days=1)) if fy_start <= d <= horizon]
        if not month_days:
            continue
        people = [p for p in candidates if rng.random() < share]
        if demo_emp and demo_emp not in people:
            people.append(demo_emp)
        for p in people:
            n = rng.choice((1, 1, 2, 2, 3))
            for day in rng.sample(month_days, min(n, len(month_days))):
                if (p["user_id"], day) in used:
                    continue
                used.add((p["user_id"], day))
                part = rng.choices(("day", "am", "pm"), weights=(8, 1, 1))[0]
                if day < today:
                    status = rng.choices((Status.APPROVED, Status.REJECTED, Status.WITHDRAWN, Status.CANCELLED),
                                         weights=(90, 3, 4, 3))[0]
                else:
                    status = rng.choices((Status.PENDING, Status.APPROVED), weights=(6, 4))[0]
                created = timezone.make_aware(dt.datetime.combine(dates.add_working_days(day, -2),
                                                                  dt.time(9, 15)), TZ)
                decided = status not in (Status.PENDING, Status.WITHDRAWN)
                appr = approver(p)
                reqs.append(Req(
                    uuid.uuid4(), p["user_id"], p["section_id"], appr, status, part, day,
                    rng.choices(("home", "satellite", "mobile"), weights=(8, 1, 1))[0], rng.choice(PLANS),
                    rng.choice(("phone", "chat", "chat", "email")), appr if decided else None,
                    created + dt.timedelta(hours=3) if decided else None,
                    1 if status != Status.PENDING else 0, created, min(created + dt.timedelta(hours=3), now)))
                day_specs.append((part, status in (Status.PENDING, Status.APPROVED)))
    # the demo employee: approved telework today and a pending request in the demo chief's queue
    if demo_emp is not None and approver(demo_emp) is not None:
        for day, status in ((today, Status.APPROVED), (dates.add_working_days(today, 3), Status.PENDING)):
            if dates.is_working_day(day) and (demo_emp["user_id"], day) not in used:
                used.add((demo_emp["user_id"], day))
                appr = approver(demo_emp)
                ok = status == Status.APPROVED
                reqs.append(Req(uuid.uuid4(), demo_emp["user_id"], demo_emp["section_id"], appr, status, "day", day,
                                "home", "オフィス改革の効果測定資料の作成", "chat", appr if ok else None,
                                now if ok else None, 1 if ok else 0, now, now))
                day_specs.append(("day", True))
    _raw_insert(TeleworkRequest, ["uid", "user", "section", "approver", "status", "part", "start_date", "end_date",
                                  "place", "planned_tasks", "contact_method", "decided_by", "decided_at", "sequence",
                                  "created_at", "updated_at", "kind", "weekdays", "warnings", "contact_detail",
                                  "decision_comment", "cancel_reason", "version"],
                [(*r[:7], r.day, *r[7:15], "single", [], [], "", "", "", 1) for r in reqs])
    pks = {str(u).replace("-", ""): pk for u, pk in TeleworkRequest.objects.values_list("uid", "id")}
    days, logs, links = [], [], []
    for r, (part, active) in zip(reqs, day_specs, strict=True):
        r = r._replace(pk=pks[r.uid.hex])
        for slot in (("am", "pm") if part == "day" else (part,)):
            days.append((r.pk, r.user_id, r.start_date, slot, active))
        if r.status == Status.APPROVED and r.start_date < today and rng.random() < 0.92:
            start = timezone.make_aware(dt.datetime.combine(r.start_date, dt.time(8, rng.choice((25, 30, 35)))), TZ)
            logs.append((r.user_id, r.start_date, r.pk, start, start + dt.timedelta(hours=8, minutes=45),
                         rng.choice(REPORTS), rng.choices(("as_planned", "partly", "changed"), weights=(7, 2, 1))[0],
                         start + dt.timedelta(hours=8, minutes=50)))
        ids = suitable.get(r.section_id)
        if ids:
            links.append((r.pk, rng.choice(ids)))
    _raw_insert(TeleworkDay, ["request", "user", "date", "slot", "active"], days)
    _raw_insert(WorkLog, ["user", "date", "request", "started_at", "ended_at", "report", "progress", "reported_at"],
                logs)
    _raw_insert(TeleworkRequest.tasks.through, ["teleworkrequest", "taskitem"], links)
    if stdout is not None:
        stdout.write(f"  telework: {len(overrides) + 1} rule sets, {len(tasks)} tasks, {len(exclusions)} exclusions, "
                     f"{len(reqs)} requests, {len(logs)} work reports ({time.monotonic() - t0:.1f} s)")

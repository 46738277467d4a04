"""Demo data: 40 courses, tier rules, about 150,000 completions for the 7,200 demo staff (most bronze,
about 2,000 silver or gold), awards dated over three fiscal years, leaders in most sections. Bulk, idempotent."""

from __future__ import annotations

import datetime as dt
import random
import uuid
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone

from training.models import (
    Award,
    Completion,
    Course,
    CourseSession,
    DxProjectReport,
    Enrolment,
    LeaderDesignation,
    LeaderPolicy,
    Requirement,
    RequirementSet,
    TierSetting,
)
from training.periods import add_months, valid_until
from workstyle import dates
from workstyle.models import OrgUnit, StaffProfile

E, C, U, X = "elearning", "classroom", "university", "exam"
COURSES = [
    ("DX-B01", "DXの基礎", "bronze", E, 1, "人事課 職員研修係"),
    ("DX-B02", "情報セキュリティ基礎（毎年度）", "bronze", E, 1, "情報政策課"),
    ("DX-B03", "個人情報保護の基礎（毎年度）", "bronze", E, 1, "総務課"),
    ("DX-B04", "行政手続オンライン化の概要", "bronze", E, 1.5, "デジタル市役所推進課"),
    ("DX-B05", "Microsoft 365 活用入門", "bronze", C, 3, "情報政策課"),
    ("DX-B06", "Teams・チャット活用", "bronze", E, 1, "情報政策課"),
    ("DX-B07", "生成AI利用ガイドライン", "bronze", E, 1, "AI活用推進課"),
    ("DX-B08", "RPA入門", "bronze", C, 3, "DX推進課"),
    ("DX-B09", "データ活用入門", "bronze", E, 2, "DX推進課"),
    ("DX-B10", "ペーパーレス会議の進め方", "bronze", E, 1, "変革推進課"),
    ("DX-B11", "テレワーク実践", "bronze", E, 1, "人事課"),
    ("DX-B12", "市民向けデジタルサービス概説", "bronze", E, 1.5, "デジタル市役所推進課"),
    ("DX-S01", "DX変革リーダー研修（基礎）", "silver", C, 12, "DX・AI戦略室"),
    ("DX-S02", "DX変革リーダー研修（実践）", "silver", C, 12, "DX・AI戦略室"),
    ("DX-S03", "業務改革（BPR）手法", "silver", C, 6, "行政改革課"),
    ("DX-S04", "データ分析（Excel・BI）", "silver", C, 6, "DX推進課"),
    ("DX-S05", "ローコード開発入門", "silver", C, 6, "DX推進課"),
    ("DX-S06", "デザイン思考ワークショップ", "silver", C, 6, "政策調整課"),
    ("DX-S07", "プロジェクトマネジメント基礎", "silver", E, 4, "人事課 職員研修係"),
    ("DX-S08", "ITパスポート試験", "silver", X, 0, "IPA 情報処理推進機構"),
    ("DX-S09", "九州工業大学 DX公開講座", "silver", U, 15, "九州工業大学"),
    ("DX-S10", "北九州市立大学 データサイエンス講座", "silver", U, 15, "北九州市立大学"),
    ("DX-S11", "AI活用実践", "silver", C, 6, "AI活用推進課"),
    ("DX-S12", "情報セキュリティマネジメント試験", "silver", X, 0, "IPA 情報処理推進機構"),
    ("DX-S13", "UI/UX基礎", "silver", E, 4, "デジタル市役所推進課"),
    ("DX-S14", "自治体DX推進リーダー研修", "silver", E, 10, "地方公共団体情報システム機構"),
    ("DX-G01", "DX戦略リーダー研修", "gold", C, 18, "DX・AI戦略室"),
    ("DX-G02", "全庁DX戦略立案演習", "gold", C, 12, "DX・AI戦略室"),
    ("DX-G03", "データガバナンス", "gold", C, 6, "情報政策課"),
    ("DX-G04", "アジャイル開発マネジメント", "gold", C, 6, "DX推進課"),
    ("DX-G05", "基本情報技術者試験", "gold", X, 0, "IPA 情報処理推進機構"),
    ("DX-G06", "九州工業大学大学院 DX特別講座", "gold", U, 30, "九州工業大学"),
    ("DX-G07", "変革マネジメント", "gold", E, 6, "人事課 職員研修係"),
    ("DX-G08", "官民連携・スタートアップ協働", "gold", C, 6, "産業政策課"),
    ("DX-P01", "応用情報技術者試験", "specialist", X, 0, "IPA 情報処理推進機構"),
    ("DX-P02", "情報処理安全確保支援士試験", "specialist", X, 0, "IPA 情報処理推進機構"),
    ("DX-P03", "データサイエンティスト検定", "specialist", X, 0, "データサイエンティスト協会"),
    ("DX-P04", "クラウド認定資格", "specialist", X, 0, "民間認定団体"),
    ("DX-P05", "高度専門人材育成プログラム", "specialist", U, 40, "九州工業大学"),
    ("DX-P06", "ネットワークスペシャリスト試験", "specialist", X, 0, "IPA 情報処理推進機構"),
]


REPORT_TITLES = [
    "窓口予約のオンライン化と紙様式の削減", "RPAによる給与データ照合の自動化", "電子申請の導入による来庁者の削減",
    "ペーパーレス会議の定着と資料印刷の削減", "生成AIを活用した議事録作成の効率化", "BIツールによる相談件数の見える化",
]


def _rules(c: dict[str, Course]) -> None:
    def req(s, kind, codes=(), n=1, tier="", hours=0):
        r = Requirement.objects.create(requirement_set=s, kind=kind, n=n, tier=tier, hours=hours)
        if codes:
            r.courses.set([c[x] for x in codes])

    b = RequirementSet.objects.create(tier="bronze", name="全職員の基礎研修")
    req(b, "all_of", ["DX-B01", "DX-B02", "DX-B03"])
    req(b, "any_n_of", [f"DX-B{i:02d}" for i in range(4, 13)], n=2)
    s = RequirementSet.objects.create(tier="silver", name="DX変革リーダー研修ルート")
    req(s, "previous_tier", tier="bronze")
    req(s, "all_of", ["DX-S01", "DX-S02"])
    req(s, "any_n_of", [f"DX-S{i:02d}" for i in range(3, 15)], n=3)
    req(s, "project_report")
    s2 = RequirementSet.objects.create(tier="silver", name="大学連携ルート")
    req(s2, "previous_tier", tier="bronze")
    req(s2, "all_of", ["DX-S01"])
    req(s2, "any_n_of", ["DX-S09", "DX-S10"], n=1)
    req(s2, "min_hours", tier="silver", hours=40)
    req(s2, "project_report")
    g = RequirementSet.objects.create(tier="gold", name="DX戦略リーダー")
    req(g, "previous_tier", tier="silver")
    req(g, "all_of", ["DX-G01", "DX-G02"])
    req(g, "any_n_of", [f"DX-G{i:02d}" for i in range(3, 9)], n=2)
    p = RequirementSet.objects.create(tier="specialist", name="高度専門人材（資格）")
    req(p, "any_n_of", ["DX-P01", "DX-P02", "DX-P03", "DX-P04", "DX-P06"], n=2)
    TierSetting.objects.bulk_create([
        TierSetting(tier="bronze", validity_months=None, remind_days_before=60),
        TierSetting(tier="silver", validity_months=36, remind_days_before=90),
        TierSetting(tier="gold", validity_months=36, remind_days_before=90),
        TierSetting(tier="specialist", validity_months=None, remind_days_before=60),
    ])
    LeaderPolicy.objects.update_or_create(pk=1, defaults={"transfer_rule": "continues_until_term_end", "term_years": 3})


def _raw_insert(model, rows: list[dict]) -> None:
    """Insert many rows with executemany: the ORM's per-object preparation would take most of the time budget."""
    if not rows:
        return
    ops = connection.ops
    fields = [model._meta.get_field(name) for name in rows[0]]

    def converter(f):
        kind = f.get_internal_type()
        if kind == "DateField":
            fn = ops.adapt_datefield_value
        elif kind == "DateTimeField":
            fn = ops.adapt_datetimefield_value
        elif kind == "UUIDField" and not connection.features.has_native_uuid_field:
            return lambda v: v.hex
        else:
            return None
        cache: dict = {}  # few distinct dates: adapt each once

        def convert(v):
            if v not in cache:
                cache[v] = fn(v)
            return cache[v]

        return convert

    conv = [converter(f) for f in fields]
    names = [f.column for f in fields]
    todo = [(i, c) for i, c in enumerate(conv) if c is not None]
    values = []
    for row in rows:
        vals = list(row.values())
        for i, c in todo:
            vals[i] = c(vals[i])
        values.append(vals)
    connection.ensure_connection()
    raw = connection.connection  # the DB-API connection: Django's debug cursor would log every parameter
    table = model._meta.db_table
    if connection.vendor == "postgresql":
        with raw.cursor() as cursor, cursor.copy(f"COPY {table} ({', '.join(names)}) FROM STDIN") as copy:
            for row in values:
                copy.write_row(row)
        return
    cursor = raw.cursor()
    try:
        cursor.executemany(f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join(['?'] * len(names))})",
                           values)
    finally:
        cursor.close()


def _day_between(rng: random.Random, a: dt.date, b: dt.date, skew: float = 1.0) -> dt.date:
    span = max((b - a).days, 0)
    return a + dt.timedelta(days=int(span * (rng.random() ** skew)))


@transaction.atomic
def load(*, small: bool = False, stdout=None) -> None:
    if Course.objects.filter(code="DX-B01").exists():
        return
    rng = random.Random(7)
    today = dates.today()
    Course.objects.bulk_create([
        Course(code=code, title=title, tier=tier, kind=kind, hours=Decimal(str(h)), provider=prov)
        for code, title, tier, kind, h, prov in COURSES
    ])
    c = {x.code: x for x in Course.objects.all()}
    _rules(c)
    ids = {k: v.pk for k, v in c.items()}
    bronze_electives = [ids[f"DX-B{i:02d}"] for i in range(4, 13)]
    silver_electives = [ids[f"DX-S{i:02d}"] for i in range(3, 15)]
    gold_electives = [ids[f"DX-G{i:02d}"] for i in range(3, 9)]
    specialist = [ids[x] for x in ("DX-P01", "DX-P02", "DX-P03", "DX-P04", "DX-P06")]

    staff = list(StaffProfile.objects.filter(is_active=True).values_list("user_id", "employee_number", "section_id",
                                                                          "is_manager"))
    hr_user = StaffProfile.objects.filter(employee_number="10000003").values_list("user_id", flat=True).first()
    fy_start = dates.fiscal_year_range(dates.fiscal_year(today))[0]
    start = dt.date(2022, 4, 1)
    comps: dict[tuple[int, int, dt.date], Decimal | None] = {}
    awards: list[dict] = []
    reports: list[dict] = []
    created = timezone.now()

    def _award(uid, tier, day, until):
        return {"public_id": uuid.uuid4(), "user": uid, "tier": tier, "awarded_on": day, "valid_until": until,
                "issuer_label": "system", "basis": "automatic", "override_reason": "", "revocation_reason": "",
                "created_at": created}

    silver_by_section: dict[int, list[int]] = {}

    def done(uid, cid, day, score=True):
        comps[(uid, cid, day)] = rng.randint(60, 100) if score else None

    for uid, number, section_id, _manager in staff:
        r = rng.random()
        level = 0 if r < 0.05 else 1 if r < 0.72 else 2 if r < 0.965 else 3
        if number == "10000001":
            level = 1
        if number == "10000002":
            level = 2
        # yearly e-learning (security, privacy) in each fiscal year
        for fy in range(2021, dates.fiscal_year(today) + 1):
            a, b = dates.fiscal_year_range(fy)
            if rng.random() < (0.5 if level == 0 else 0.97):
                done(uid, ids["DX-B02"], _day_between(rng, a, min(b, today - dt.timedelta(days=1))))
            if rng.random() < (0.5 if level == 0 else 0.95):
                done(uid, ids["DX-B03"], _day_between(rng, a, min(b, today - dt.timedelta(days=1))))
        if level == 0:  # new staff: part of the basic courses, some one course from bronze
            if rng.random() < 0.6:
                done(uid, ids["DX-B01"], _day_between(rng, fy_start, today - dt.timedelta(days=1)))
                done(uid, rng.choice(bronze_electives), _day_between(rng, fy_start, today - dt.timedelta(days=1)))
            continue
        bronze_on = _day_between(rng, start + dt.timedelta(days=200), today - dt.timedelta(days=20), 1.6)
        done(uid, ids["DX-B01"], bronze_on - dt.timedelta(days=rng.randint(1, 150)))
        for cid in rng.sample(bronze_electives, rng.randint(4, 9)):
            done(uid, cid, bronze_on - dt.timedelta(days=rng.randint(0, 200)))
        awards.append(_award(uid, "bronze", bronze_on, None))
        if level == 1:
            r2 = rng.random()
            if r2 < 0.06:  # courses done, the project report still under review: one item from silver
                day = _day_between(rng, bronze_on, today - dt.timedelta(days=2))
                for cid in [ids["DX-S01"], ids["DX-S02"], *rng.sample(silver_electives, 3)]:
                    done(uid, cid, day)
                reports.append({"user": uid, "title": rng.choice(REPORT_TITLES), "summary": "課内の業務を見直した。",
                                "submitted_on": today - dt.timedelta(days=rng.randint(1, 20)), "status": "submitted",
                                "reviewed_by": None, "review_note": ""})
            elif r2 < 0.3 or number == "10000001":  # on the way to silver
                for cid in rng.sample([ids["DX-S01"], *silver_electives], rng.randint(1, 3)):
                    done(uid, cid, _day_between(rng, bronze_on, today - dt.timedelta(days=1)))
            continue
        silver_on = _day_between(rng, max(bronze_on, dt.date(2023, 10, 1)) + dt.timedelta(days=30),
                                 today - dt.timedelta(days=5), 0.8)
        if silver_on > today - dt.timedelta(days=5):
            silver_on = today - dt.timedelta(days=5)
        done(uid, ids["DX-S01"], silver_on - dt.timedelta(days=rng.randint(60, 200)))
        done(uid, ids["DX-S02"], silver_on - dt.timedelta(days=rng.randint(5, 50)))
        for cid in rng.sample(silver_electives, rng.randint(3, 7)):
            done(uid, cid, silver_on - dt.timedelta(days=rng.randint(5, 300)))
        reports.append({"user": uid, "title": rng.choice(REPORT_TITLES), "summary": "課内の業務を見直し、処理時間を短縮した。",
                        "submitted_on": silver_on, "status": "approved", "reviewed_by": hr_user, "review_note": ""})
        awards.append(_award(uid, "silver", silver_on, valid_until(silver_on, 36)))
        silver_by_section.setdefault(section_id, []).append(uid)
        if level == 3:
            gold_on = min(add_months(silver_on, rng.randint(4, 14)), today - dt.timedelta(days=2))
            done(uid, ids["DX-G01"], gold_on - dt.timedelta(days=rng.randint(30, 90)))
            done(uid, ids["DX-G02"], gold_on - dt.timedelta(days=rng.randint(1, 29)))
            for cid in rng.sample(gold_electives, rng.randint(2, 4)):
                done(uid, cid, gold_on - dt.timedelta(days=rng.randint(1, 120)))
            awards.append(_award(uid, "gold", gold_on, valid_until(gold_on, 36)))
        if rng.random() < 0.08:
            sp_on = _day_between(rng, silver_on, today - dt.timedelta(days=1))
            for cid in rng.sample(specialist, 2):
                done(uid, cid, sp_on)
            awards.append(_award(uid, "specialist", sp_on, None))

    now = timezone.now()
    _raw_insert(Completion, [
        {"user": k[0], "course": k[1], "completed_on": k[2], "score": v, "evidence": "demo", "source": "import",
         "created_at": now}
        for k, v in comps.items() if k[2] <= today
    ])
    _raw_insert(Award, awards)
    _raw_insert(DxProjectReport, reports)

    # leaders: one silver holder in most sections; about one section in eight has none
    manager_uid = next((s[0] for s in staff if s[1] == "10000002"), None)
    sections = list(OrgUnit.objects.filter(kind="section").values_list("pk", flat=True))
    designations = []
    for i, sid in enumerate(sections):
        holders = silver_by_section.get(sid, [])
        if manager_uid in holders:
            holders = [manager_uid]
        if not holders or (i % 8 == 5 and manager_uid not in holders):
            continue
        uid = holders[0]
        term_start = dt.date(2024 + (i % 2), 4, 1)
        designations.append(LeaderDesignation(user_id=uid, section_id=sid, term_start=term_start,
                                              term_end=add_months(term_start, 36) - dt.timedelta(days=1),
                                              designated_by_id=None))
    LeaderDesignation.objects.bulk_create(designations, batch_size=2000)

    # upcoming classroom sessions with enrolments and one full session with a waiting list
    places = ["本庁舎 3階 研修室", "本庁舎 15階 大会議室", "小倉北区役所 会議室", "八幡西区役所 会議室"]
    users = [s[0] for s in staff]
    n_sessions = 0
    for code in ("DX-B05", "DX-B08", "DX-S01", "DX-S02", "DX-S03", "DX-S04", "DX-G01"):
        for k in range(2):
            day = dates.add_working_days(today, 10 + 15 * k + rng.randint(0, 5))
            cap = 30 if code != "DX-S01" or k else 12
            s = CourseSession.objects.create(course=c[code], starts_on=day, ends_on=day, location=rng.choice(places),
                                             capacity=cap)
            n_sessions += 1
            takers = rng.sample(users, min(len(users), cap + 4 if cap == 12 else rng.randint(5, 25)))
            rows = []
            for j, uid in enumerate(takers):
                rows.append(Enrolment(session=s, user_id=uid, status="enrolled" if j < cap else "waitlisted"))
            Enrolment.objects.bulk_create(rows)
            CourseSession.objects.filter(pk=s.pk).update(enrolled_count=min(cap, len(takers)))
    if stdout is not None:
        stdout.write(f"  training: {len(COURSES)} courses, {len(comps)} completions, {len(awards)} awards, "
                     f"{len(designations)} leaders in {len(sections)} sections, {n_sessions} sessions")

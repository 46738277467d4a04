"""Demo city: seven wards and fifteen bureaus, about 400 sections and 7,200 staff with Japanese names.

Idempotent and fast: bulk inserts; only the demo role accounts get a password.
"""

from __future__ import annotations

import random

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import transaction

from workstyle.models import OrgUnit, Role, StaffProfile, User
from workstyle.services.org import recompute_tree, sync_manager_group

DEMO_PASSWORD = "demo-pass-2026"

WARDS = [
    ("W01", "門司区役所"), ("W02", "小倉北区役所"), ("W03", "小倉南区役所"), ("W04", "若松区役所"),
    ("W05", "八幡東区役所"), ("W06", "八幡西区役所"), ("W07", "戸畑区役所"),
]
WARD_DEPARTMENTS = {
    "総務企画部": ["総務企画課", "まちづくり整備課", "コミュニティ支援課"],
    "市民部": ["市民課", "保険年金課", "税務課"],
    "保健福祉部": ["保護課", "子ども・家庭課", "高齢者・障害者相談課", "健康相談課"],
}
BUREAUS = [
    ("B01", "政策局", {"総務部": ["総務課", "秘書課", "広報課"], "DX・AI戦略室": ["DX推進課", "AI活用推進課", "情報政策課", "デジタル市役所推進課"], "政策部": ["政策調整課", "企画課", "国際政策課"]}),
    ("B02", "総務市民局", {"総務部": ["総務課", "法制課", "文書館"], "人事部": ["人事課", "職員研修課", "給与課", "労務課"], "市民文化スポーツ部": ["市民活動推進課", "文化企画課", "スポーツ振興課"]}),
    ("B03", "財政・変革局", {"財政部": ["財政課", "財産活用推進課", "契約課"], "変革推進部": ["変革推進課", "行政改革課", "庁舎管理課"], "税務部": ["税制課", "債権管理課", "課税第一課", "課税第二課"]}),
    ("B04", "都市戦略局", {"総務部": ["総務課", "企画課"], "都市計画部": ["都市計画課", "都市交通政策課", "景観課"], "まちづくり推進部": ["まちづくり推進課", "住宅計画課"]}),
    ("B05", "保健福祉局", {"総務部": ["総務課", "監査指導課"], "地域福祉部": ["地域福祉推進課", "保護課", "長寿社会対策課", "介護保険課"], "障害福祉部": ["障害福祉企画課", "障害者支援課"], "保健衛生部": ["保健医療課", "健康推進課", "保健衛生課", "動物愛護センター"]}),
    ("B06", "子ども家庭局", {"総務部": ["総務企画課", "子育て支援課"], "子ども家庭部": ["保育課", "青少年課", "子ども家庭相談課"]}),
    ("B07", "環境局", {"総務政策部": ["総務課", "環境政策課", "グリーン成長推進課"], "循環社会推進部": ["循環社会推進課", "業務課", "施設課"], "環境監視部": ["環境監視課", "産業廃棄物対策課"]}),
    ("B08", "産業経済局", {"総務政策部": ["総務課", "産業政策課"], "企業立地支援部": ["企業立地支援課", "産業振興課", "雇用政策課"], "農林水産部": ["農林課", "水産課", "農業振興課"]}),
    ("B09", "都市ブランド創造局", {"総務部": ["総務課"], "観光部": ["観光課", "MICE推進課"], "シティプロモーション部": ["シティプロモーション課", "文化振興課"]}),
    ("B10", "港湾空港局", {"総務部": ["総務課", "経理課"], "港営部": ["港営課", "物流振興課", "空港企画課"], "整備保全部": ["計画課", "工務課"]}),
    ("B11", "建設局", {"総務部": ["総務課", "用地課"], "道路部": ["道路計画課", "道路維持課", "道路建設課"], "河川部": ["河川整備課", "水環境課"], "公園緑地部": ["公園管理課", "緑政課"]}),
    ("B12", "都市整備局", {"総務部": ["総務課"], "建築部": ["建築指導課", "建築審査課", "営繕課"], "住宅部": ["住宅管理課", "住宅整備課"]}),
    ("B13", "消防局", {"総務部": ["総務課", "人事課"], "警防部": ["警防課", "救急課", "指令課"], "予防部": ["予防課", "危険物保安課"]}),
    ("B14", "上下水道局", {"総務経営部": ["総務課", "経営企画課", "お客さまサービス課"], "水道部": ["配水管理課", "浄水課"], "下水道部": ["下水道計画課", "下水道保全課"]}),
    ("B15", "教育委員会", {"総務部": ["総務課", "教職員課", "学事課"], "学校教育部": ["指導第一課", "指導第二課", "特別支援教育課", "学校保健課"], "生涯学習部": ["生涯学習課", "中央図書館"]}),
]

SURNAMES = [
    ("佐藤", "サトウ", "sato"), ("鈴木", "スズキ", "suzuki"), ("高橋", "タカハシ", "takahashi"), ("田中", "タナカ", "tanaka"),
    ("伊藤", "イトウ", "ito"), ("渡辺", "ワタナベ", "watanabe"), ("山本", "ヤマモト", "yamamoto"), ("中村", "ナカムラ", "nakamura"),
    ("小林", "コバヤシ", "kobayashi"), ("加藤", "カトウ", "kato"), ("吉田", "ヨシダ", "yoshida"), ("山田", "ヤマダ", "yamada"),
    ("佐々木", "ササキ", "sasaki"), ("山口", "ヤマグチ", "yamaguchi"), ("松本", "マツモト", "matsumoto"), ("井上", "イノウエ", "inoue"),
    ("木村", "キムラ", "kimura"), ("林", "ハヤシ", "hayashi"), ("斎藤", "サイトウ", "saito"), ("清水", "シミズ", "shimizu"),
    ("山崎", "ヤマザキ", "yamazaki"), ("森", "モリ", "mori"), ("池田", "イケダ", "ikeda"), ("橋本", "ハシモト", "hashimoto"),
    ("阿部", "アベ", "abe"), ("石川", "イシカワ", "ishikawa"), ("山下", "ヤマシタ", "yamashita"), ("中島", "ナカシマ", "nakashima"),
    ("石井", "イシイ", "ishii"), ("小川", "オガワ", "ogawa"), ("前田", "マエダ", "maeda"), ("岡田", "オカダ", "okada"),
    ("長谷川", "ハセガワ", "hasegawa"), ("藤田", "フジタ", "fujita"), ("後藤", "ゴトウ", "goto"), ("近藤", "コンドウ", "kondo"),
    ("村上", "ムラカミ", "murakami"), ("遠藤", "エンドウ", "endo"), ("青木", "アオキ", "aoki"), ("坂本", "サカモト", "sakamoto"),
    ("末松", "スエマツ", "suematsu"), ("古賀", "コガ", "koga"), ("原田", "ハラダ", "harada"), ("松尾", "マツオ", "matsuo"),
    ("野口", "ノグチ", "noguchi"), ("久保", "クボ", "kubo"), ("永田", "ナガタ", "nagata"), ("宮崎", "ミヤザキ", "miyazaki"),
]
GIVEN = [
    ("翔太", "ショウタ", "shota"), ("大輔", "ダイスケ", "daisuke"), ("健一", "ケンイチ", "kenichi"), ("拓也", "タクヤ", "takuya"),
    ("直樹", "ナオキ", "naoki"), ("誠", "マコト", "makoto"), ("浩二", "コウジ", "koji"), ("亮", "リョウ", "ryo"),
    ("隆", "タカシ", "takashi"), ("悠斗", "ユウト", "yuto"), ("和也", "カズヤ", "kazuya"), ("剛", "ツヨシ", "tsuyoshi"),
    ("修", "オサム", "osamu"), ("健太", "ケンタ", "kenta"), ("大樹", "ダイキ", "daiki"), ("蓮", "レン", "ren"),
    ("陽子", "ヨウコ", "yoko"), ("美咲", "ミサキ", "misaki"), ("恵", "メグミ", "megumi"), ("裕子", "ユウコ", "yuko"),
    ("明美", "アケミ", "akemi"), ("さくら", "サクラ", "sakura"), ("真由美", "マユミ", "mayumi"), ("彩", "アヤ", "aya"),
    ("香織", "カオリ", "kaori"), ("優子", "ユウコ", "yuko"), ("愛", "アイ", "ai"), ("千尋", "チヒロ", "chihiro"),
    ("奈々", "ナナ", "nana"), ("由美", "ユミ", "yumi"), ("結衣", "ユイ", "yui"), ("花子", "ハナコ", "hanako"),
]
STAFF_TITLES = [("係長", 3), ("主査", 3), ("主任", 4), ("主事", 8), ("技師", 3), ("会計年度任用職員", 3)]

# (role, employee number, name, kana, e-mail, section path (bureau code, department, section), title, is_manager)
DEMO_ACCOUNTS = [
    (Role.EMPLOYEE, "10000001", "山田 花子", "ヤマダ ハナコ", "employee@city.example.jp", ("B03", "変革推進部", "変革推進課"), "主任", False),
    (Role.MANAGER, "10000002", "末松 健一", "スエマツ ケンイチ", "manager@city.example.jp", ("B03", "変革推進部", "変革推進課"), "課長", True),
    (Role.HR, "10000003", "古賀 美咲", "コガ ミサキ", "hr@city.example.jp", ("B02", "人事部", "職員研修課"), "係長", False),
    (Role.FACILITIES, "10000004", "原田 直樹", "ハラダ ナオキ", "facilities@city.example.jp", ("B03", "変革推進部", "庁舎管理課"), "主査", False),
    (Role.DX_OFFICE, "10000005", "松尾 彩", "マツオ アヤ", "dx@city.example.jp", ("B01", "DX・AI戦略室", "DX推進課"), "主査", False),
    (Role.ADMIN, "10000006", "野口 誠", "ノグチ マコト", "admin@city.example.jp", ("B01", "DX・AI戦略室", "情報政策課"), "係長", False),
    (Role.EXECUTIVE, "10000007", "永田 隆", "ナガタ タカシ", "executive@city.example.jp", ("B01", None, None), "局長", True),
]


def org_rows(small: bool) -> list[tuple[str, str, str, str | None]]:
    """(code, name, kind, parent_code) for the demo city."""
    rows = []
    bureaus = BUREAUS[:3] if small else BUREAUS
    wards = WARDS[:1] if small else WARDS
    for bcode, bname, deps in bureaus:
        rows.append((bcode, bname, "bureau", None))
        for di, (dname, sections) in enumerate(deps.items(), start=1):
            dcode = f"{bcode}-D{di:02d}"
            rows.append((dcode, dname, "department", bcode))
            for si, sname in enumerate(sections, start=1):
                rows.append((f"{dcode}-S{si:02d}", sname, "section", dcode))
    for wcode, wname in wards:
        rows.append((wcode, wname, "ward", None))
        for di, (dname, sections) in enumerate(WARD_DEPARTMENTS.items(), start=1):
            dcode = f"{wcode}-D{di:02d}"
            rows.append((dcode, dname, "department", wcode))
            for si, sname in enumerate(sections, start=1):
                rows.append((f"{dcode}-S{si:02d}", sname, "section", dcode))
    if not small:
        # Large bureaus have more sections: add numbered teams to reach about 400 sections.
        extra = []
        dep_rows = [r for r in rows if r[2] == "department"]
        n_sections = sum(1 for r in rows if r[2] == "section")
        i = 0
        while n_sections + len(extra) < 400:
            dcode, dname = dep_rows[i % len(dep_rows)][:2]
            existing = sum(1 for r in rows + extra if r[3] == dcode and r[2] == "section")
            extra.append((f"{dcode}-S{existing + 1:02d}", f"{dname.removesuffix('部')}第{existing + 1}担当課", "section", dcode))
            i += 1
        rows.extend(extra)
    return rows


def _section_code(bcode: str, dep: str | None, sec: str | None, rows) -> str:
    if dep is None:
        return bcode
    dcode = next(r[0] for r in rows if r[2] == "department" and r[3] == bcode and r[1] == dep)
    if sec is None:
        return dcode
    return next(r[0] for r in rows if r[2] == "section" and r[3] == dcode and r[1] == sec)


@transaction.atomic
def load(*, small: bool = False, stdout=None) -> None:
    rows = org_rows(small)
    existing = set(OrgUnit.objects.values_list("code", flat=True))
    units: dict[str, OrgUnit] = {u.code: u for u in OrgUnit.objects.all()}
    for code, name, kind, parent in rows:  # parents come before children in `rows`
        if code in existing:
            continue
        units[code] = OrgUnit.objects.create(code=code, name=name, kind=kind, parent=units[parent] if parent else None)
    recompute_tree()
    groups = {r.value: Group.objects.get_or_create(name=r.value)[0] for r in Role}

    if not StaffProfile.objects.filter(employee_number="10000001").exists():
        _make_staff(rows, units, small=small, groups=groups)
    _ensure_demo_accounts(rows, units, groups)
    sync_manager_group()
    if stdout is not None:
        stdout.write(
            f"  organisation: {OrgUnit.objects.count()} units "
            f"({OrgUnit.objects.filter(kind='section').count()} sections), {StaffProfile.objects.count()} staff"
        )


def _make_staff(rows, units, *, small: bool, groups) -> None:
    rng = random.Random(2025)
    total = 180 if small else 7200
    sections = [units[r[0]] for r in rows if r[2] == "section"]
    departments = [units[r[0]] for r in rows if r[2] == "department"]
    tops = [units[r[0]] for r in rows if r[2] in ("bureau", "ward")]
    demo_numbers = {a[1] for a in DEMO_ACCOUNTS}
    people: list[tuple[OrgUnit, str, bool]] = []
    for top in tops:
        people.append((top, "区長" if top.kind == "ward" else "局長", True))
    for dep in departments:
        people.append((dep, "部長", True))
    for sec in sections:
        people.append((sec, "課長", True))
    titles = [t for t, w in STAFF_TITLES for _ in range(w)]
    while len(people) < total - len(DEMO_ACCOUNTS):
        sec = sections[rng.randrange(len(sections))]
        people.append((sec, rng.choice(titles), False))
    users, profiles = [], []
    used_emails = set()
    number = 10000100
    unusable = make_password(None)
    for unit, title, manager in people:
        number += 1
        emp = str(number)
        if emp in demo_numbers:
            continue
        s, g = rng.choice(SURNAMES), rng.choice(GIVEN)
        local = f"{s[2]}-{g[2]}"
        email = f"{local}@city.example.jp"
        k = 2
        while email in used_emails:
            email = f"{local}{k}@city.example.jp"
            k += 1
        used_emails.add(email)
        etype = "fiscal_year" if title == "会計年度任用職員" else ("reappointed" if rng.random() < 0.05 else "regular")
        users.append(User(username=emp, email=email, password=unusable, is_active=True))
        profiles.append(StaffProfile(
            employee_number=emp, name=f"{s[0]} {g[0]}", name_kana=f"{s[1]} {g[1]}", email=email, section=unit,
            title=title, employment_type=etype, is_manager=manager, is_active=True,
        ))
    User.objects.bulk_create(users, batch_size=2000)
    ids = dict(User.objects.filter(username__in=[u.username for u in users]).values_list("username", "id"))
    for p in profiles:
        p.user_id = ids[p.employee_number]
    StaffProfile.objects.bulk_create(profiles, batch_size=2000)
    through = User.groups.through
    through.objects.bulk_create(
        [through(user_id=uid, group_id=groups[Role.EMPLOYEE].pk) for uid in ids.values()], batch_size=5000,
        ignore_conflicts=True,
    )


def _ensure_demo_accounts(rows, units, groups) -> None:
    password = make_password(DEMO_PASSWORD)
    for role, number, name, kana, email, (bcode, dep, sec), title, manager in DEMO_ACCOUNTS:
        if bcode not in units:
            continue
        unit = units[_section_code(bcode, dep, sec, rows)]
        user, _c = User.objects.get_or_create(username=number, defaults={"email": email})
        user.email, user.password, user.is_active = email, password, True
        user.is_staff = user.is_superuser = role == Role.ADMIN
        user.save()
        StaffProfile.objects.update_or_create(
            employee_number=number,
            defaults=dict(user=user, name=name, name_kana=kana, email=email, section=unit, title=title,
                          employment_type="regular", is_manager=manager, is_active=True),
        )
        if manager:
            # the demo manager is the only chief of the section
            StaffProfile.objects.filter(section=unit, is_manager=True).exclude(employee_number=number).update(
                is_manager=False, title="課長補佐"
            )
        user.groups.add(groups[Role.EMPLOYEE])
        if role != Role.EMPLOYEE:
            user.groups.add(groups[role])


def print_accounts(stdout) -> None:
    stdout.write("")
    stdout.write("Demo accounts (log in with the employee number or the e-mail; password for all: "
                 f"{DEMO_PASSWORD})")
    for role, number, name, _kana, email, _where, title, _m in DEMO_ACCOUNTS:
        stdout.write(f"  {role.value:<11} {number}  {email:<28} {name} ({title})")

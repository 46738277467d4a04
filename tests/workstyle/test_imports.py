import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from workstyle.errors import ImportRejected
from workstyle.models import AuditEvent, OrgUnit, StaffProfile
from workstyle.services.org import import_org, import_staff

ORG = """code,name,kind,parent_code
B01,政策局,bureau,
B01-D01,DX・AI戦略室,department,B01
B01-D01-S01,DX推進課,section,B01-D01
B01-D01-S02,情報政策課,section,B01-D01
W01,門司区役所,ward,
W01-D01,市民部,department,W01
W01-D01-S01,市民課,section,W01-D01
"""

STAFF = """employee_number,name,name_kana,email,section_code,title,employment_type,is_manager
20000001,佐藤 翔太,サトウ ショウタ,sato-shota@city.example.jp,B01-D01-S01,主事,regular,0
20000002,鈴木 恵,スズキ メグミ,suzuki-megumi@city.example.jp,B01-D01-S01,課長,regular,1
20000003,高橋 直樹,タカハシ ナオキ,takahashi@city.example.jp,W01-D01-S01,会計年度任用職員,fiscal_year,0
"""


@pytest.fixture
def city(db):
    import_org(data=ORG.encode(), actor=None)


def test_org_import_builds_tree_and_is_idempotent(db):
    report = import_org(data=ORG.encode("utf-8-sig"), actor=None)
    assert len(report.created) == 7
    sec = OrgUnit.objects.get(code="B01-D01-S02")
    assert sec.path == "/B01/B01-D01/B01-D01-S02/"
    assert sec.top.code == "B01"
    again = import_org(data=ORG.encode(), actor=None)
    assert not again.changed and again.unchanged == 7


def test_org_import_rejects_bad_lines_and_changes_nothing(db):
    bad = ORG + "X1,謎,planet,\nX2,孤児課,section,NOPE\n"
    with pytest.raises(ImportRejected) as exc:
        import_org(data=bad.encode(), actor=None)
    lines = [line for line, _msg in exc.value.errors]
    assert lines == [9, 10]
    assert OrgUnit.objects.count() == 0


def test_org_import_wrong_columns(db):
    with pytest.raises(ImportRejected) as exc:
        import_org(data=b"code,name\nB01,x\n", actor=None)
    assert "kind" in str(exc.value)


def test_staff_import_cp932_and_idempotent(city):
    report = import_staff(data=STAFF.encode("cp932"), actor=None)
    assert len(report.created) == 3
    p = StaffProfile.objects.get(employee_number="20000002")
    assert p.name == "鈴木 恵" and p.is_manager and p.user.groups.filter(name="manager").exists()
    assert not p.user.has_usable_password()
    again = import_staff(data=STAFF.encode("utf-8"), actor=None)
    assert not again.changed
    assert AuditEvent.objects.filter(action="staff.import").count() == 2


def test_staff_import_errors_are_line_numbered_and_atomic(city):
    bad = STAFF + (
        "20000001,重複,ジュウフク,dup@city.example.jp,B01-D01-S01,主事,regular,0\n"
        "20000005,山田,ヤマダ,not-an-email,B01-D01-S01,主事,regular,0\n"
        "20000006,森,モリ,mori@city.example.jp,NOPE,主事,regular,0\n"
        "20000007,林,ハヤシ,hayashi@city.example.jp,B01-D01-S01,主事,regular,maybe\n"
    )
    with pytest.raises(ImportRejected) as exc:
        import_staff(data=bad.encode(), actor=None)
    assert [line for line, _m in exc.value.errors] == [5, 6, 7, 8]
    assert StaffProfile.objects.count() == 0


def test_full_import_deactivates_missing_staff(city):
    import_staff(data=STAFF.encode(), actor=None)
    shorter = "\n".join(STAFF.strip().splitlines()[:3]) + "\n"
    report = import_staff(data=shorter.encode(), actor=None)
    assert report.deactivated == ["20000003"]
    p = StaffProfile.objects.get(employee_number="20000003")
    assert not p.is_active and not p.user.is_active


def test_dry_run_changes_nothing(city):
    report = import_staff(data=STAFF.encode(), actor=None, dry_run=True)
    assert len(report.created) == 3
    assert StaffProfile.objects.count() == 0


def test_commands_print_summary_and_fail_on_errors(db, tmp_path):
    org = tmp_path / "org.csv"
    org.write_text(ORG, encoding="utf-8")
    out = io.StringIO()
    call_command("import_org", str(org), stdout=out)
    assert "7" in out.getvalue()
    staff = tmp_path / "staff.csv"
    staff.write_bytes((STAFF + "20000009,,,x@y.jp,B01-D01-S01,主事,regular,0\n").encode("cp932"))
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_staff", str(staff), stdout=io.StringIO(), stderr=err)
    assert "5" in err.getvalue()
    assert StaffProfile.objects.count() == 0


def test_admin_ui_preview_then_apply(personas, client_for):
    admin = client_for(personas.yamamoto)
    resp = admin.post("/org/import/", {"kind": "org", "action": "preview", "file": io.BytesIO(ORG.encode())})
    assert resp.status_code == 200
    assert "B01-D01-S02" in resp.content.decode()
    assert not OrgUnit.objects.filter(code="B01-D01-S02").exists()
    resp = admin.post("/org/import/", {"kind": "org", "action": "apply"})
    assert resp.status_code == 302
    assert OrgUnit.objects.filter(code="B01-D01-S02").exists()


def test_import_ui_refuses_non_admins(personas, client_for):
    resp = client_for(personas.tanaka).post("/org/import/", {"kind": "org", "file": io.BytesIO(ORG.encode())})
    assert resp.status_code == 403
    assert not OrgUnit.objects.filter(code="B01").exists()


def test_bad_file_in_ui_shows_line_errors(personas, client_for):
    resp = client_for(personas.yamamoto).post(
        "/org/import/", {"kind": "org", "action": "preview", "file": io.BytesIO(b"code,name,kind,parent_code\nZ,,moon,\n")}
    )
    assert resp.status_code == 400
    body = resp.content.decode()
    assert "2" in body and "moon" in body


def test_staff_import_too_large_is_refused_before_reading(personas, client_for, settings):
    settings.CSV_UPLOAD_MAX_BYTES = 50
    resp = client_for(personas.yamamoto).post(
        "/org/import/", {"kind": "org", "action": "preview", "file": io.BytesIO(ORG.encode())}
    )
    assert resp.status_code == 400
    assert not OrgUnit.objects.filter(code="B01").exists()
    assert "pending_import" not in resp.wsgi_request.session


def test_active_user_by_number_skips_inactive_staff(personas):
    from workstyle.selectors.org import active_user_by_number

    assert active_user_by_number(" sato ") == personas.sato
    assert active_user_by_number("") is None
    personas.kato.is_active = False
    personas.kato.save()
    assert active_user_by_number("kato") is None

import datetime as dt

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from paper_metrics import meetings_adapter, selectors, services
from paper_metrics.models import MonthlyUsage, PrinterMonthly, PrintJob
from tests.paper_metrics.conftest import papercut, pc_row
from workstyle.models import Notification

pytestmark = pytest.mark.django_db

TODAY = dt.date(2025, 10, 15)  # FY2025, six complete months


@pytest.fixture
def data(paper_setup, monkeypatch):
    p = paper_setup
    monkeypatch.setattr("workstyle.dates.today", lambda: TODAY)
    rows = []
    for sec, base, now in ((p.org.s1, 100, 90), (p.org.s2, 100, 50), (p.org.other_section, 200, 100)):
        for i in range(12):
            m = dt.date(2023 + (i >= 9), (i + 3) % 12 + 1, 1)
            rows.append(MonthlyUsage(section=sec, month=m, kind="print", source="papercut", sheets=base, jobs=10))
        for i in range(6):
            m = dt.date(2025, i + 4, 1)
            rows.append(MonthlyUsage(section=sec, month=m, kind="print", source="papercut", sheets=now, jobs=5))
    MonthlyUsage.objects.bulk_create(rows)
    return p


def test_report_city_bureau_section(data):
    p = data
    city = selectors.report(p.watanabe, None, 2025)
    assert city.year.fytd == 6 * 240 and city.year.baseline_same == 6 * 400
    assert city.year.change_pct == pytest.approx(-40)
    s1 = selectors.report(p.suzuki, p.org.s1, 2025)
    assert s1.year.status == "off_track" and s1.year.change_pct == pytest.approx(-10)
    s2 = selectors.report(p.yamada, p.org.s2, 2025)
    assert s2.year.status == "on_track"
    bureau = selectors.report(p.nakamura, p.org.bureau, 2025)
    assert [r.unit.code for r in bureau.children] == ["B03-D02-S01", "B03-D02-S03"]  # worst first


def test_reorganisation_mapping_moves_baseline(data):
    p = data
    services.save_code_mapping(actor=p.watanabe, old_code=p.org.s1.code, new_section=p.org.s2)
    rep = selectors.report(p.watanabe, p.org.s2, 2025)
    assert rep.year.baseline_total == 2400 and rep.year.fytd == 6 * 140


def test_entered_baseline_uses_city_seasonality(data):
    p = data
    services.set_entered_baseline(actor=p.watanabe, section=p.org.s1, annual_sheets=2400)
    rep = selectors.report(p.watanabe, p.org.s1, 2025)
    assert rep.year.baseline_total == pytest.approx(2400) and rep.baseline_entered


def test_access_matrix(data, client_for):
    p = data
    # import: dx_office and admin only
    for user, code in ((p.watanabe, 200), (p.yamamoto, 200), (p.suzuki, 403), (p.sato, 403), (p.nakamura, 403)):
        assert client_for(user).get("/paper/imports/").status_code == code, user
    # managers see their bureau only
    assert client_for(p.suzuki).get(f"/paper/unit/{p.org.s2.code}/").status_code == 200
    assert client_for(p.suzuki).get(f"/paper/unit/{p.org.other_section.code}/").status_code == 404
    assert client_for(p.suzuki).get("/paper/export.csv").status_code == 404
    # employees: their own section only
    assert client_for(p.sato).get("/paper/").status_code == 302
    assert client_for(p.sato).get(f"/paper/unit/{p.org.s1.code}/").status_code == 200
    assert client_for(p.sato).get(f"/paper/unit/{p.org.s2.code}/").status_code == 404
    assert client_for(p.charlie).get(f"/paper/unit/{p.org.bureau.code}/").status_code == 404
    # city for dx office and executives
    assert client_for(p.nakamura).get("/paper/").status_code == 200
    assert client_for(p.yamada).get("/paper/").url.endswith(f"/paper/unit/{p.org.bureau.code}/")


def test_raw_rows_admin_only_and_no_user_names_for_managers(paper_setup, client_for):
    p = paper_setup
    batch = services.import_print_log(actor=p.watanabe, fmt="papercut", data=papercut([pc_row(user="sato")]),
                                      file_name="a.csv")
    assert client_for(p.watanabe).get(f"/paper/imports/{batch.pk}/rows/").status_code == 404
    resp = client_for(p.yamamoto).get(f"/paper/imports/{batch.pk}/rows/")
    assert resp.status_code == 200 and "報告書.docx" in resp.content.decode()
    body = client_for(p.suzuki).get(f"/paper/unit/{p.org.s1.code}/").content.decode()
    assert "sato" not in body and "報告書" not in body


def test_upload_through_the_page(paper_setup, client_for):
    from django.core.files.uploadedfile import SimpleUploadedFile

    p = paper_setup
    c = client_for(p.watanabe)
    f = SimpleUploadedFile("log.csv", papercut([pc_row()], encoding="cp932"))
    resp = c.post("/paper/imports/", {"kind": "print_log", "format": "papercut", "file": f})
    assert resp.status_code == 302
    f = SimpleUploadedFile("bad.csv", papercut([pc_row(pages=-1)]))
    resp = c.post("/paper/imports/", {"kind": "print_log", "format": "papercut", "file": f})
    assert resp.status_code == 400 and PrintJob.objects.count() == 1
    resp = client_for(p.suzuki).post("/paper/imports/", {"kind": "print_log", "format": "papercut"})
    assert resp.status_code == 403


def test_dashboard_page_queries_do_not_grow(data, client_for):
    p = data
    c = client_for(p.watanabe)
    c.get("/paper/?fy=2025")
    cache.clear()
    with CaptureQueriesContext(connection) as small:
        resp = c.get("/paper/?fy=2025")
    assert resp.status_code == 200 and "<svg" in resp.content.decode()
    MonthlyUsage.objects.bulk_create([
        MonthlyUsage(section=p.org.s1, month=dt.date(2025, 4, 1), kind="print", source=f"src{i}", sheets=1)
        for i in range(2, 80)])
    PrinterMonthly.objects.bulk_create([
        PrinterMonthly(printer=f"P{i}", month=dt.date(2025, 5, 1), source="papercut", section=p.org.s2, sheets=1)
        for i in range(2, 80)])
    cache.clear()
    with CaptureQueriesContext(connection) as big:
        c.get("/paper/?fy=2025")
    assert len(big) == len(small)
    for fmt, ctype in (("csv", "text/csv"), ("xlsx", "spreadsheetml")):
        resp = c.get(f"/paper/unit/{p.org.bureau.code}/export.{fmt}?fy=2025")
        assert resp.status_code == 200 and ctype in resp["Content-Type"]


def test_followup_reminders_and_comments(data, client_for):
    p = data
    c = client_for(p.watanabe)
    resp = c.get("/paper/follow-up/?fy=2025")
    assert p.org.s1.name in resp.content.decode() and p.org.s2.name not in resp.content.decode()
    resp = c.post("/paper/follow-up/remind/?fy=2025", {"unit": [p.org.s1.code]})
    assert resp.status_code == 302
    assert Notification.objects.filter(recipient=p.suzuki, kind="paper.reminder").count() == 1
    assert client_for(p.suzuki).post("/paper/follow-up/remind/", {"unit": [p.org.s1.code]}).status_code == 302
    assert Notification.objects.filter(kind="paper.reminder").count() == 1  # a chief cannot send reminders
    resp = client_for(p.suzuki).post(f"/paper/unit/{p.org.s1.code}/comment/", {"body": "両面印刷を徹底します"})
    assert resp.status_code == 302
    page = client_for(p.suzuki).get(f"/paper/unit/{p.org.s1.code}/").content.decode()
    assert "両面印刷を徹底します" in page
    assert client_for(p.charlie).post(f"/paper/unit/{p.org.s1.code}/comment/", {"body": "x"}).status_code == 404


def test_kpi_tile_and_home_card(data, client_for):
    from paper_metrics.kpis import paper_tiles

    p = data
    tile = paper_tiles(p.watanabe)[0]
    assert tile.key == "paper" and tile.baseline == 4800 and tile.target == 2400
    assert tile.status == "on_track"
    assert client_for(p.nakamura).get("/dashboard/").status_code in (200, 302)
    home = client_for(p.sato).get("/").content.decode()
    assert "/paper/unit/B03-D02-S01/" in home


def test_meetings_adapter(data, monkeypatch):
    import sys
    import types

    assert meetings_adapter.paper_saved_by_section_month(start=dt.date(2025, 4, 1), end=dt.date(2026, 3, 31)) == []
    p = data
    fake = types.ModuleType("meetings.selectors")
    fake.paper_saved_by_section_month = lambda *, start, end: [(p.org.s1.pk, dt.date(2025, 5, 1), 321)]
    monkeypatch.setitem(sys.modules, "meetings.selectors", fake)
    rep = selectors.report(p.suzuki, p.org.s1, 2025)
    assert rep.meetings_saved_total == 321
    assert rep.year.fytd == 540  # saved sheets are their own source, not use
    fake2 = types.ModuleType("meetings.selectors")
    monkeypatch.setitem(sys.modules, "meetings.selectors", fake2)
    assert meetings_adapter.paper_saved_by_section_month(start=dt.date(2025, 4, 1), end=dt.date(2026, 3, 31)) == []


def test_settings_page_updates_factors(data, client_for):
    c = client_for(data.watanabe)
    resp = c.post("/paper/setup/", {"form": "settings", "co2_g_per_sheet": "10", "sheets_per_tree": "8000",
                                    "at_risk_margin": "5", "size_factors": '{"A4": 1, "A3": 2, "B4": 1.5}',
                                    "target_steps": '{"2025": 30, "2027": 50}'})
    assert resp.status_code == 302
    rep = selectors.report(data.watanabe, None, 2025)
    assert rep.co2_kg == pytest.approx(rep.year.fytd * 10 / 1000)
    assert client_for(data.suzuki).get("/paper/setup/").status_code == 403

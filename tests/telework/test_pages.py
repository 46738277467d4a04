"""Pages render for the right people; list pages keep a constant number of queries."""

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext

from telework import services
from telework.models import TeleworkDay, TeleworkRequest
from tests.conftest import make_person
from tests.telework.conftest import submit

D = dt.date


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        resp = client.get(url)
    assert resp.status_code == 200, (url, resp.status_code)
    return len(ctx)


START = D(2026, 6, 2)


def _bulk_requests(user, approver, section, n, start=START):
    reqs = TeleworkRequest.objects.bulk_create([
        TeleworkRequest(user=user, approver=approver, section=section, start_date=start + dt.timedelta(days=7 * i),
                        end_date=start + dt.timedelta(days=7 * i), planned_tasks="x") for i in range(n)])
    TeleworkDay.objects.bulk_create([TeleworkDay(request=r, user=user, date=r.start_date, slot=s)
                                     for r in reqs for s in ("am", "pm")])
    return reqs


def test_queue_queries_do_not_grow(personas, city_rules, client_for):
    c = client_for(personas.suzuki)
    _bulk_requests(personas.sato, personas.suzuki, personas.org.s1, 2)
    small = _count(c, "/telework/queue/")
    _bulk_requests(personas.kato, personas.suzuki, personas.org.s1, 30)
    assert _count(c, "/telework/queue/") == small


def test_presence_queries_do_not_grow(personas, city_rules, client_for):
    c = client_for(personas.suzuki)
    url = f"/telework/presence/{personas.org.s1.code}/?week=2026-06-01"
    small = _count(c, url)
    for i in range(15):
        u = make_person(f"extra{i}", f"追加 {i}", personas.org.s1)
        _bulk_requests(u, personas.suzuki, personas.org.s1, 1)
    page = c.get(url).content.decode()
    assert "追加 3" in page
    assert _count(c, url) == small


def test_presence_shows_states(personas, city_rules, client_for):
    a = submit(personas.sato, D(2026, 6, 2))
    services.decide_request(actor=personas.suzuki, request_id=a.pk, approve=True)
    submit(personas.kato, D(2026, 6, 3), part="am")
    services.record_absence(user=personas.kato, day=D(2026, 6, 4))
    body = client_for(personas.sato).get(f"/telework/presence/{personas.org.s1.code}/?week=2026-06-01").content
    text = body.decode()
    assert "承認済み" in text or "approved" in text
    assert "申請中" in text or "pending" in text


def test_pages_render(personas, city_rules, client_for):
    a = submit(personas.sato, D(2026, 6, 2))
    services.save_task(actor=personas.suzuki, section=personas.org.s1, title="統計資料作成", suitability="suitable")
    s = client_for(personas.sato)
    for url in ["/telework/", "/telework/new/", f"/telework/requests/{a.pk}/", f"/telework/requests/{a.pk}/change/",
                "/telework/queue/", "/telework/tasks/", f"/telework/tasks/{personas.org.s1.code}/",
                "/telework/tasks/report/", "/telework/rules/", "/telework/report/2026-06-02/", "/"]:
        r = s.get(url, follow=True)
        assert r.status_code == 200, url
    assert "統計資料作成" in s.get("/telework/new/").content.decode()
    ch = client_for(personas.suzuki)
    for url in ["/telework/", "/telework/deputies/", "/telework/missing/", "/telework/section-feed/",
                "/telework/exclusions/", "/"]:
        assert ch.get(url).status_code == 200, url
    assert "telework" in ch.get("/").content.decode().lower()
    hr = client_for(personas.tanaka)
    assert hr.get("/telework/rules/?unit=default").status_code == 200
    assert hr.get("/telework/adoption/").status_code == 200
    ex = client_for(personas.nakamura)
    assert ex.get("/telework/adoption/").status_code == 200
    assert 'data-kpi="telework"' in ex.get("/dashboard/").content.decode()
    assert s.get("/telework/adoption/").status_code == 403
    assert s.post("/telework/rules/", {"max_days_per_week": "5"}).status_code == 403


def test_request_through_the_form(personas, city_rules, client_for):
    s = client_for(personas.sato)
    resp = s.post("/telework/new/", {"kind": "range", "start": "2026-06-02", "end": "2026-06-04", "part": "day",
                                     "place": "home", "planned_tasks": "予算資料", "contact_method": "phone",
                                     "contact_detail": "090"})
    assert resp.status_code == 302
    req = TeleworkRequest.objects.get(user=personas.sato)
    assert req.days.count() == 6
    bad = s.post("/telework/new/", {"kind": "single", "start": "2026-06-06", "part": "day", "place": "home",
                                    "planned_tasks": "x", "contact_method": "phone"})
    assert bad.status_code == 400 and TeleworkRequest.objects.count() == 1


def test_rules_form_by_hr(personas, city_rules, client_for):
    hr = client_for(personas.tanaka)
    resp = hr.post(f"/telework/rules/?unit={personas.org.s1.code}", {
        "unit": personas.org.s1.code, "max_days_per_week": "2", "max_days_per_week_mode": "warn",
        "inherit_types": "on"})
    assert resp.status_code == 302
    from telework.rules import effective_rules
    eff = effective_rules(personas.org.s1)
    assert eff.max_week == 2 and eff.mode("week_cap") == "warn" and eff.max_month == 12
    resp = hr.post("/telework/rules/", {"unit": "default", "action": "blackout", "b-date": "2026-06-09",
                                        "b-reason": "議会開会日"})
    assert resp.status_code == 302
    assert D(2026, 6, 9) in effective_rules(personas.org.s1).blackouts


def test_home_card_and_start_end(personas, city_rules, client_for, monkeypatch):
    from workstyle import dates

    a = submit(personas.sato, D(2026, 6, 2))
    services.decide_request(actor=personas.suzuki, request_id=a.pk, approve=True)
    ch = client_for(personas.suzuki)
    assert ch.get("/").status_code == 200
    monkeypatch.setattr(dates, "today", lambda: D(2026, 6, 2))
    s = client_for(personas.sato)
    home = s.get("/").content.decode()
    assert "/telework/" in home


def test_adoption_kpi_per_bureau_against_april(personas, city_rules, monkeypatch):
    from telework import kpis
    from workstyle import dates

    a = submit(personas.sato, D(2026, 6, 2))
    services.decide_request(actor=personas.suzuki, request_id=a.pk, approve=True)
    b = submit(personas.kato, D(2026, 6, 3), part="am")
    services.decide_request(actor=personas.suzuki, request_id=b.pk, approve=True)
    submit(personas.takahashi, D(2026, 6, 3))  # pending: not counted
    monkeypatch.setattr(dates, "today", lambda: D(2026, 6, 30))
    data = kpis.adoption()
    assert [m.month for m in data["months"]] == [4, 5, 6]
    bureau = next(r for r in data["rows"] if r["unit"] == personas.org.bureau)
    june = bureau["cells"][-1]
    assert june["people"] == 2 and june["days_per_person"] == 0.8  # (1 + 0.5) / 2, rounded
    assert june["share"] == round(100 * 2 / bureau["staff"], 1)
    assert bureau["cells"][0]["people"] == 0
    tile = kpis.tiles(personas.nakamura)[0]
    assert tile.key == "telework" and tile.status == "on_track" and tile.baseline == 0.0 and tile.current > 0


def test_decide_does_not_redirect_off_site(personas, city_rules, client_for):
    a = submit(personas.sato, D(2026, 6, 2))
    resp = client_for(personas.suzuki).post(f"/telework/requests/{a.pk}/decide/",
                                            {"decision": "approve", "next": "https://evil.example/"})
    assert resp.status_code == 302 and resp["Location"] == "/telework/queue/"

"""Through the real endpoints: booking, conflicts, the floor map and its query count, pages, exports, imports."""

import datetime as dt
import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from desks import services
from desks.models import Booking, Desk, Floor
from tests.desks.conftest import NOW, TUE, WED, make_floor
from workstyle.models import AuditEvent

pytestmark = pytest.mark.django_db


def post_book(client, desk, day=WED, slot="day", json_=True):
    headers = {"HTTP_ACCEPT": "application/json"} if json_ else {}
    return client.post("/desks/book/", {"desk": desk.pk, "day": day.isoformat(), "slot": slot}, **headers)


def test_book_through_endpoint_and_conflict(personas, desks, client_for, freeze):
    freeze(NOW)
    sato, kato = client_for(personas.sato), client_for(personas.kato)
    r = post_book(sato, desks[0])
    assert r.status_code == 201, r.content
    r = post_book(kato, desks[0])
    assert r.status_code == 409
    assert desks[0].code in r.json()["error"]
    r = post_book(sato, desks[1])
    assert r.status_code == 409 and desks[0].code in r.json()["error"]
    assert Booking.objects.filter(status="active").count() == 1
    # form post: redirect back to the floor with a message
    r = post_book(kato, desks[0], json_=False)
    assert r.status_code == 302
    page = kato.get(r["Location"])
    assert desks[0].code in page.content.decode()


def test_holiday_refused_through_endpoint(personas, desks, client_for, freeze):
    freeze(NOW)
    r = post_book(client_for(personas.sato), desks[0], day=dt.date(2026, 12, 5))
    assert r.status_code == 409 and "working day" in r.json()["error"]


def test_anonymous_cannot_book(desks, client):
    r = client.post("/desks/book/", {"desk": desks[0].pk, "day": WED.isoformat(), "slot": "am"})
    assert r.status_code == 302 and "/accounts/login/" in r["Location"]
    assert not Booking.objects.exists()


def test_floor_map_states_and_list(personas, desks, client_for, freeze):
    freeze(NOW)
    services.book_desk(user=personas.sato, desk=desks[0], day=WED, slot="am", now=NOW)
    services.book_desk(user=personas.kato, desk=desks[1], day=WED, slot="day", now=NOW)
    services.save_desk(actor=personas.ito, desk=desks[2], bookable=False)
    r = client_for(personas.sato).get(f"/desks/floors/{desks[0].floor_id}/?day={WED}&slot=am")
    html = r.content.decode()
    assert r.status_code == 200
    assert f'data-desk="{desks[0].pk}" data-code="{desks[0].code}"' in html
    assert 'class="desk state-mine' in html and 'class="desk state-taken' in html
    assert 'class="desk state-unavailable' in html
    assert "<th scope=\"row\">" in html  # list view with row headers
    states = client_for(personas.kato).get(f"/desks/floors/{desks[0].floor_id}/states.json?day={WED}&slot=pm").json()
    assert states["desks"][str(desks[0].pk)]["state"] == "free"
    assert states["desks"][str(desks[1].pk)]["state"] == "mine"
    # filters
    r = client_for(personas.sato).get(f"/desks/floors/{desks[0].floor_id}/?day={WED}&slot=am&amenity=monitor")
    assert r.content.decode().count('class="desk ') == 6 and "dim" in r.content.decode()


def _map_queries(client, floor):
    with CaptureQueriesContext(connection) as ctx:
        r = client.get(f"/desks/floors/{floor.pk}/?day={WED}&slot=day")
    assert r.status_code == 200
    return len(ctx)


def test_floor_map_query_count_does_not_grow(personas, client_for, freeze, org):
    freeze(NOW)
    small = make_floor(50, name="4F")
    big = make_floor(500, name="5F")
    pairs = {small: (personas.sato, personas.kato), big: (personas.suzuki, personas.takahashi)}
    for floor, people in pairs.items():
        for person, desk in zip(people, floor.desks.order_by("code")[:2], strict=True):
            services.book_desk(user=person, desk=desk, day=WED, slot="day", now=NOW)
    c = client_for(personas.sato)
    _map_queries(c, small)  # warm caches (session, content types)
    assert _map_queries(c, small) == _map_queries(c, big)


def test_cancel_and_mine_page(personas, desks, client_for, freeze):
    freeze(NOW)
    b = services.book_desk(user=personas.sato, desk=desks[0], day=WED, slot="am", now=NOW)
    c = client_for(personas.sato)
    assert desks[0].code in c.get("/desks/mine/").content.decode()
    assert client_for(personas.kato).post(f"/desks/bookings/{b.pk}/cancel/").status_code == 404
    r = c.post(f"/desks/bookings/{b.pk}/cancel/")
    assert r.status_code == 302
    b.refresh_from_db()
    assert b.status == "cancelled"


def test_favourites_usual_and_recurring_pages(personas, desks, client_for, freeze):
    freeze(NOW)
    c = client_for(personas.sato)
    c.post(f"/desks/desk/{desks[0].pk}/favourite/", {"action": "add"})
    c.post(f"/desks/desk/{desks[0].pk}/favourite/", {"action": "usual"})
    r = c.post("/desks/mine/usual/", {"day": WED.isoformat(), "slot": "pm"})
    assert Booking.objects.get(user=personas.sato).desk == desks[0]
    r = c.post("/desks/mine/recurring/", {"desk": desks[0].pk, "weekday": 3, "slot": "am", "until": "2026-12-24"})
    assert r.status_code == 302
    page = c.get(r["Location"]).content.decode()
    assert "2026-12-03" in page and "2026-12-17" in page
    assert client_for(personas.kato).get(r["Location"]).status_code == 404


def test_checkin_page_and_walk_up(personas, desks, client_for, freeze):
    morning = NOW.replace(hour=8, minute=20)
    freeze(NOW)
    services.book_desk(user=personas.sato, desk=desks[0], day=TUE, slot="am", now=NOW)
    freeze(morning)
    c = client_for(personas.sato)
    r = c.get(f"/desks/desk/{desks[0].pk}/checkin/")
    assert "08:00" in r.content.decode()
    c.post(f"/desks/desk/{desks[0].pk}/checkin/", {"action": "check_in"})
    assert Booking.objects.get(user=personas.sato).checked_in_at is not None
    k = client_for(personas.kato)
    page = k.get(f"/desks/desk/{desks[1].pk}/checkin/").content.decode()
    assert 'value="walk_up"' in page
    k.post(f"/desks/desk/{desks[1].pk}/checkin/", {"action": "walk_up"})
    walk = Booking.objects.get(user=personas.kato)
    assert walk.source == "walk_up" and walk.checked_in_at and walk.slot == "day"
    assert 'value="walk_up"' not in client_for(personas.suzuki).get(f"/desks/desk/{desks[1].pk}/checkin/").content.decode()


def test_qr_sheet_for_facilities_only(personas, desks, client_for):
    floor_id = desks[0].floor_id
    assert client_for(personas.sato).get(f"/desks/floors/{floor_id}/qr/").status_code == 403
    r = client_for(personas.ito).get(f"/desks/floors/{floor_id}/qr/")
    assert r.status_code == 200
    assert r.content.decode().count("<svg") >= 6


def test_find_colleague_only_opted_in(personas, desks, client_for, freeze):
    freeze(NOW)
    services.book_desk(user=personas.kato, desk=desks[0], day=TUE, slot="pm", now=NOW)
    c = client_for(personas.sato)
    assert desks[0].code not in c.get("/desks/find/?q=加藤").content.decode()
    personas.kato.locate_opt_in = True
    personas.kato.save()
    assert desks[0].code in c.get("/desks/find/?q=加藤").content.decode()
    assert AuditEvent.objects.filter(action="personal_record.read", subject=personas.kato).exists()


def test_ics_feed_has_bookings(personas, desks, client, freeze):
    from workstyle.services.accounts import issue_feed_token

    freeze(NOW)
    services.book_desk(user=personas.sato, desk=desks[0], day=WED, slot="pm", now=NOW)
    services.book_desk(user=personas.kato, desk=desks[1], day=WED, slot="pm", now=NOW)
    token = issue_feed_token(user=personas.sato)
    body = client.get(f"/feeds/{token}/calendar.ics").content.decode()
    assert desks[0].code in body and desks[1].code not in body
    assert "DTSTART;TZID=Asia/Tokyo:20261202T124500" in body


def test_home_card(personas, desks, client_for, freeze):
    freeze(NOW)
    services.book_desk(user=personas.sato, desk=desks[0], day=TUE, slot="pm", now=NOW)
    html = client_for(personas.sato).get("/").content.decode()
    assert desks[0].code in html


def test_import_command_idempotent_and_line_errors(personas, tmp_path):
    good = tmp_path / "desks.csv"
    good.write_text("building,floor,zone,desk_code,x,y,width,height,amenities\n"
                    "本庁舎,7F,政策局,7F-001,10,10,50,30,monitor;dock\n"
                    "本庁舎,7F,政策局,7F-002,70,10,50,30,\n", encoding="utf-8")
    out = io.StringIO()
    call_command("import_desks", str(good), stdout=out)
    assert "2 created" in out.getvalue()
    out = io.StringIO()
    call_command("import_desks", str(good), stdout=out)
    assert "0 created, 0 updated, 2 unchanged" in out.getvalue()
    assert Desk.objects.get(code="7F-001").amenity_list == ["dock", "monitor"]
    bad = tmp_path / "bad.csv"
    bad.write_text("building,floor,zone,desk_code,x,y,width,height,amenities\n"
                   "本庁舎,7F,政策局,7F-003,10,10,50,30,\n"
                   "本庁舎,7F,政策局,7F-004,abc,10,50,30,\n"
                   "本庁舎,7F,政策局,7F-005,1,1,50,30,jacuzzi\n", encoding="cp932")
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_desks", str(bad), stdout=io.StringIO(), stderr=err)
    assert "3" in err.getvalue() and "4" in err.getvalue() and "jacuzzi" in err.getvalue()
    assert not Desk.objects.filter(code="7F-003").exists()


def test_import_page_and_plan_validation(personas, desks, client_for):
    c = client_for(personas.ito)
    from django.core.files.uploadedfile import SimpleUploadedFile

    csv = "building,floor,zone,desk_code\n本庁舎,3F,A,3F-900\n".encode()
    r = c.post("/desks/manage/", {"action": "import", "file": SimpleUploadedFile("d.csv", csv)}, follow=True)
    assert Desk.objects.filter(code="3F-900").exists()
    floor = desks[0].floor
    bad = SimpleUploadedFile("p.svg", b"<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 10 10'><script>alert(1)</script></svg>")
    r = c.post("/desks/manage/", {"action": "plan", "floor": floor.pk, "plan": bad}, follow=True)
    assert "scripts" in r.content.decode()
    floor.refresh_from_db()
    assert not floor.plan
    r = c.post("/desks/manage/", {"action": "plan", "floor": floor.pk,
                                  "plan": SimpleUploadedFile("p.gif", b"GIF89a....")}, follow=True)
    assert "PNG or SVG" in r.content.decode()
    good = SimpleUploadedFile("p.svg", b"<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 1600 900'><rect width='10' height='10'/></svg>")
    c.post("/desks/manage/", {"action": "plan", "floor": floor.pk, "plan": good})
    floor.refresh_from_db()
    assert floor.plan and floor.plan_width == 1600
    r = client_for(personas.sato).get(f"/desks/floors/{floor.pk}/plan")
    assert r["Content-Type"] == "image/svg+xml" and "sandbox" in r["Content-Security-Policy"]
    assert client_for(personas.sato).get("/desks/manage/").status_code == 403


def test_png_plan(personas, desks):
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (320, 200), "white").save(buf, format="PNG")
    assert services.validate_plan(buf.getvalue(), "p.png") == ("png", 320, 200)
    from workstyle.errors import DomainError

    with pytest.raises(DomainError, match="damaged"):
        services.validate_plan(buf.getvalue()[:40], "p.png")


def test_index_and_floor_nav(personas, desks, client_for):
    r = client_for(personas.sato).get("/desks/")
    assert r.status_code == 200 and "3F" in r.content.decode()
    assert Floor.objects.count() == 1
    assert json.loads(client_for(personas.sato).get(f"/desks/floors/{desks[0].floor_id}/states.json").content)

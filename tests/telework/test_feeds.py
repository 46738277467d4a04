"""ICS: parsed by icalendar and by the `ics` package; same UIDs on two fetches; the change after withdrawal."""

import datetime as dt

import ics
from icalendar import Calendar

from telework import services
from tests.telework.conftest import submit
from workstyle.services.accounts import issue_feed_token

D = dt.date


def _events(body: bytes) -> dict:
    cal = Calendar.from_ical(body)
    return {str(e["uid"]): e for e in cal.walk("VEVENT")}


def _ics_events(body: bytes) -> dict:
    return {e.uid: e for e in ics.Calendar(body.decode()).events}


def test_personal_feed_all_day_stable_uids_and_cancellation(personas, city_rules, client):
    a = submit(personas.sato, D(2026, 6, 2), kind="range", end=D(2026, 6, 3))
    b = submit(personas.sato, D(2026, 6, 4), part="pm")
    services.decide_request(actor=personas.suzuki, request_id=a.pk, approve=True)
    submit(personas.kato, D(2026, 6, 2))  # someone else's: not in sato's feed
    token = issue_feed_token(user=personas.sato)
    url = f"/feeds/{token}/calendar.ics"
    r1 = client.get(url)
    assert r1.status_code == 200 and r1["Content-Type"].startswith("text/calendar")
    first = _events(r1.content)
    second = _events(client.get(url).content)
    assert set(first) == set(second) and len(first) == 3
    ev = first[next(u for u in first if u.startswith(f"telework-{a.uid}-20260602"))]
    assert ev["dtstart"].params.get("VALUE") == "DATE" or isinstance(ev.decoded("dtstart"), dt.date)
    assert ev.decoded("dtstart") == D(2026, 6, 2) and ev.decoded("dtend") == D(2026, 6, 3)  # exclusive end
    assert str(ev["status"]) == "CONFIRMED" and int(ev["sequence"]) == 1
    assert b"DTSTART;VALUE=DATE:20260602" in r1.content
    # second parser agrees
    parsed = _ics_events(r1.content)
    assert set(parsed) == set(first)
    pe = parsed[next(u for u in parsed if "20260604" in u)]
    assert pe.all_day and str(pe.status) == "TENTATIVE"
    # withdraw the pending one: same UID, SEQUENCE raised, STATUS:CANCELLED
    b_uid = next(u for u in first if u.startswith(f"telework-{b.uid}"))
    services.withdraw_request(actor=personas.sato, request_id=b.pk)
    after = _events(client.get(url).content)
    assert set(after) == set(first)
    assert str(after[b_uid]["status"]) == "CANCELLED"
    assert int(after[b_uid]["sequence"]) > int(first[b_uid]["sequence"])
    assert _ics_events(client.get(url).content)[b_uid].status == "CANCELLED"


def test_change_raises_sequence_and_cancels_dropped_days(personas, city_rules, client):
    a = submit(personas.sato, D(2026, 6, 2))
    token = issue_feed_token(user=personas.sato)
    url = f"/feeds/{token}/calendar.ics"
    before = _events(client.get(url).content)
    services.change_request(actor=personas.sato, request_id=a.pk, kind="single", start=D(2026, 6, 3),
                            planned_tasks="変更")
    after = _events(client.get(url).content)
    old_uid = next(iter(before))
    assert str(after[old_uid]["status"]) == "CANCELLED" and int(after[old_uid]["sequence"]) == 1
    new_uid = next(u for u in after if "20260603" in u)
    assert str(after[new_uid]["status"]) == "TENTATIVE"


def test_section_feed_for_chiefs(personas, city_rules, client, client_for):
    a = submit(personas.sato, D(2026, 6, 2))
    services.decide_request(actor=personas.suzuki, request_id=a.pk, approve=True)
    submit(personas.takahashi, D(2026, 6, 2))  # other section
    c = client_for(personas.suzuki)
    page = c.post("/telework/section-feed/", {"section": personas.org.s1.code})
    assert page.status_code == 200
    import re
    url = re.search(r"(/feeds/section/[^<\s]+/presence\.ics)", page.content.decode()).group(1)
    body = client.get(url).content
    evs = _events(body)
    assert len(evs) == 1 and "佐藤" in str(next(iter(evs.values()))["summary"])
    assert _ics_events(body)
    # employees cannot issue a section token
    assert client_for(personas.sato).get("/telework/section-feed/").status_code == 404
    assert client_for(personas.yamada).post("/telework/section-feed/",
                                            {"section": personas.org.s1.code}).status_code == 404

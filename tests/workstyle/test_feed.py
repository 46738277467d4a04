from icalendar import Calendar, Event

from workstyle import registry
from workstyle.models import FeedToken


def test_feed_token_rotation_and_revocation(personas, client_for, client):
    from workstyle.services.accounts import issue_feed_token, revoke_feed_token

    token = issue_feed_token(user=personas.sato)
    assert FeedToken.objects.get(user=personas.sato, revoked_at__isnull=True).token_hash != token
    resp = client.get(f"/feeds/{token}/calendar.ics")
    assert resp.status_code == 200
    assert Calendar.from_ical(resp.content).get("x-wr-timezone") == "Asia/Tokyo"
    new = issue_feed_token(user=personas.sato)
    assert client.get(f"/feeds/{token}/calendar.ics").status_code == 404
    assert client.get(f"/feeds/{new}/calendar.ics").status_code == 200
    revoke_feed_token(user=personas.sato)
    assert client.get(f"/feeds/{new}/calendar.ics").status_code == 404


def test_feed_holds_only_the_owners_items(personas, client):
    from workstyle.services.accounts import issue_feed_token

    def source(*, user, scope, section):
        ev = Event()
        ev.add("uid", f"test-{user.username}@workstyle")
        ev.add("summary", f"item of {user.username}")
        yield ev

    registry.register_feed_source("test", source)
    try:
        token = issue_feed_token(user=personas.sato)
        body = client.get(f"/feeds/{token}/calendar.ics").content.decode()
        assert "item of sato" in body and "item of kato" not in body
    finally:
        registry._feed_sources.pop("test")


def test_settings_page_rotates_token(personas, client_for):
    c = client_for(personas.sato)
    resp = c.post("/settings/feed/rotate/", follow=True)
    assert "calendar.ics" in resp.content.decode()
    assert FeedToken.objects.filter(user=personas.sato, revoked_at__isnull=True).count() == 1


def _sources(*, user, scope, section):
    import datetime as dt
    from zoneinfo import ZoneInfo

    tokyo = ZoneInfo("Asia/Tokyo")
    ev = Event()
    ev.add("uid", f"desk-{user.username}-1@workstyle")
    ev.add("summary", "座席予約: 本庁舎3階 A-12（午前）、長い件名が75オクテットを超えても正しく折り返されること")
    ev.add("dtstart", dt.datetime(2025, 6, 2, 8, 30, tzinfo=tokyo))
    ev.add("dtend", dt.datetime(2025, 6, 2, 12, 0, tzinfo=tokyo))
    yield ev
    allday = Event()  # no DTSTAMP, no UID: the feed completes them
    allday.add("summary", "テレワーク")
    allday.add("dtstart", dt.date(2025, 6, 3))
    allday.add("dtend", dt.date(2025, 6, 4))
    yield allday


def test_feed_is_valid_rfc5545_for_two_parsers(personas, client):
    import ics

    from workstyle.services.accounts import issue_feed_token

    registry.register_feed_source("rfc", _sources)
    try:
        token = issue_feed_token(user=personas.sato)
        resp = client.get(f"/feeds/{token}/calendar.ics")
    finally:
        registry._feed_sources.pop("rfc")
    assert resp["Content-Type"] == "text/calendar; charset=utf-8"
    raw = resp.content
    assert raw.startswith(b"BEGIN:VCALENDAR\r\n") and raw.endswith(b"END:VCALENDAR\r\n")
    assert all(len(line) <= 75 for line in raw.split(b"\r\n")), "content lines must be folded at 75 octets"

    cal = Calendar.from_ical(raw)
    assert cal["VERSION"] == "2.0" and cal["PRODID"]
    tzids = {tz["TZID"] for tz in cal.walk("VTIMEZONE")}
    assert "Asia/Tokyo" in tzids
    events = cal.walk("VEVENT")
    assert len(events) == 2
    for ev in events:
        assert ev.get("UID") and ev.get("DTSTAMP")
    timed = next(ev for ev in events if "座席予約" in str(ev["SUMMARY"]))
    assert timed["DTSTART"].params["TZID"] == "Asia/Tokyo"
    assert timed.decoded("DTSTART").utcoffset().total_seconds() == 9 * 3600
    # a second, independent parser
    parsed = ics.Calendar(raw.decode())
    by_name = {e.name: e for e in parsed.events}
    assert len(by_name) == 2
    t = next(e for name, e in by_name.items() if name.startswith("座席予約"))
    assert t.begin.isoformat() == "2025-06-02T08:30:00+09:00"
    assert by_name["テレワーク"].all_day


def test_empty_feed_still_has_a_component(personas, client):
    import ics

    from workstyle.services.accounts import issue_feed_token

    token = issue_feed_token(user=personas.kato)
    raw = client.get(f"/feeds/{token}/calendar.ics").content
    assert b"BEGIN:VTIMEZONE" in raw  # RFC 5545 wants at least one component in a VCALENDAR
    assert list(ics.Calendar(raw.decode()).events) == []

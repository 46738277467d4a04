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

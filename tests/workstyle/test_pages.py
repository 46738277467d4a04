import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext


def test_home_is_japanese_by_default(personas, client_for):
    resp = client_for(personas.sato).get("/")
    body = resp.content.decode()
    assert resp.status_code == 200
    assert '<html lang="ja">' in body
    assert "佐藤 翔太" in body


def test_language_switch_to_english(personas, client_for):
    c = client_for(personas.sato)
    resp = c.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert resp.status_code == 302
    body = c.get("/").content.decode()
    assert '<html lang="en">' in body
    assert "Skip to main content" in body


def test_unknown_language_is_refused_with_message(personas, client_for):
    c = client_for(personas.sato)
    resp = c.post("/i18n/setlang/", {"language": "xx", "next": "/"}, follow=True)
    assert '<html lang="ja">' in resp.content.decode()
    assert any("xx" in str(m) for m in resp.context["messages"])
    # the kind of message is said in words, not only by colour
    assert '<span class="message-kind">エラー' in resp.content.decode()


def test_base_layout_accessibility_landmarks(personas, client_for):
    body = client_for(personas.sato).get("/").content.decode()
    assert body.index('class="skip-link" href="#main"') < body.index("<header")
    assert '<main id="main" tabindex="-1">' in body
    assert 'role="banner"' in body and 'role="contentinfo"' in body
    assert '<nav aria-label="' in body
    assert 'aria-current="page"' in body or "<nav" in body
    assert 'name="viewport" content="width=device-width, initial-scale=1"' in body


def test_login_page_is_japanese(db, client):
    body = client.get("/accounts/login/").content.decode()
    assert '<html lang="ja">' in body
    assert "職員番号" in body


@pytest.mark.parametrize(
    "who,status",
    [("sato", 403), ("suzuki", 403), ("tanaka", 403), ("ito", 403), ("watanabe", 200), ("nakamura", 200), ("yamamoto", 200)],
)
def test_dashboard_access_matrix(personas, client_for, who, status):
    assert client_for(getattr(personas, who)).get("/dashboard/").status_code == status


def test_dashboard_shows_every_plan_target(personas, client_for):
    body = client_for(personas.watanabe).get("/dashboard/").content.decode()
    for key in ("paper", "telework", "office_space", "dx_talent", "paperless_meetings"):
        assert f'data-kpi="{key}"' in body


@pytest.mark.parametrize("who,status", [("sato", 403), ("tanaka", 200), ("yamamoto", 200)])
def test_audit_log_access(personas, client_for, who, status):
    assert client_for(getattr(personas, who)).get("/audit/").status_code == status


def test_audit_log_query_count_does_not_grow(personas, client_for):
    from workstyle.services.audit import log_event

    c = client_for(personas.yamamoto)
    log_event(actor=personas.sato, action="x.one")
    with CaptureQueriesContext(connection) as few:
        c.get("/audit/")
    for i in range(40):
        log_event(actor=personas.sato, action=f"x.{i}", subject=personas.kato)
    with CaptureQueriesContext(connection) as many:
        c.get("/audit/")
    assert len(many) == len(few)


def test_audit_events_cannot_be_changed(personas):
    from workstyle.services.audit import log_event

    ev = log_event(actor=personas.sato, action="x")
    ev.action = "y"
    with pytest.raises(PermissionError):
        ev.save()
    with pytest.raises(PermissionError):
        ev.delete()


def test_reading_a_colleagues_record_is_logged(personas, client_for):
    from workstyle.models import AuditEvent

    resp = client_for(personas.kato).get("/org/staff/sato/")
    assert resp.status_code == 200
    ev = AuditEvent.objects.get(action="personal_record.read")
    assert ev.actor == personas.kato and ev.subject == personas.sato


def test_notifications_page_and_mark_read(personas, client_for):
    from workstyle.services.notifications import notify, unread_count

    notify(recipients=[personas.sato], title="テスト通知", body="本文")
    c = client_for(personas.sato)
    assert "テスト通知" in c.get("/notifications/").content.decode()
    c.post("/notifications/read/")
    assert unread_count(personas.sato) == 0


def test_healthz(db, client):
    assert client.get("/healthz").content == b"ok"


def test_browser_language_does_not_override_japanese_default(personas, client_for):
    c = client_for(personas.sato)
    body = c.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert '<html lang="ja">' in body


def test_login_page_offers_no_signup(db, client):
    body = client.get("/accounts/login/").content.decode()
    assert "/accounts/signup/" not in body

"""Who may see and decide a request: employee, other section's chief, deputy in and out of the period, HR, admin."""

import datetime as dt

import pytest

from telework import services
from telework.models import Deputy, Status, TeleworkRequest
from tests.telework.conftest import submit
from workstyle.models import AuditEvent

D = dt.date


@pytest.fixture
def pending(personas, city_rules):
    return submit(personas.sato, D(2026, 6, 3))


def _deputies(personas):
    Deputy.objects.create(principal=personas.suzuki, deputy=personas.kato, start_date=D(2026, 5, 25),
                          end_date=D(2026, 6, 5))
    Deputy.objects.create(principal=personas.suzuki, deputy=personas.takahashi, start_date=D(2026, 6, 10),
                          end_date=D(2026, 6, 20))


# (persona, detail status, decide status)
MATRIX = [
    ("sato", 200, 403),        # the employee: sees own request, cannot approve it
    ("kato", 200, 302),        # colleague who is the chief's deputy inside the period
    ("takahashi", 404, 404),   # deputy whose period has not started
    ("yamada", 404, 404),      # the other section's chief
    ("charlie", 404, 404),     # employee of another bureau
    ("tanaka", 200, 403),      # HR reads (logged) but does not approve
    ("yamamoto", 200, 403),    # admin reads (logged) but does not approve
    ("suzuki", 200, 302),      # the section chief
]


@pytest.mark.parametrize("who,detail,decide", MATRIX)
def test_access_matrix(personas, pending, client_for, who, detail, decide):
    _deputies(personas)
    user = getattr(personas, who)
    c = client_for(user)
    assert c.get(f"/telework/requests/{pending.pk}/").status_code == detail
    before = AuditEvent.objects.filter(action="access.denied").count()
    resp = c.post(f"/telework/requests/{pending.pk}/decide/", {"decision": "approve", "comment": "x"})
    assert resp.status_code == decide
    pending.refresh_from_db()
    if decide == 302:
        assert pending.status == Status.APPROVED and pending.decided_by == user
    else:
        assert pending.status == Status.PENDING
        assert AuditEvent.objects.filter(action="access.denied").count() == before + 1
    if detail == 200 and who in ("tanaka", "yamamoto"):
        assert AuditEvent.objects.filter(action="personal_record.read", actor=user, subject=personas.sato).exists()


def test_deputy_after_the_period_is_refused(personas, pending, client_for, monkeypatch):
    from workstyle import dates

    _deputies(personas)
    monkeypatch.setattr(dates, "today", lambda: D(2026, 6, 8))  # kato's period ended on 6/5
    assert client_for(personas.kato).post(f"/telework/requests/{pending.pk}/decide/",
                                          {"decision": "approve"}).status_code == 404
    monkeypatch.setattr(dates, "today", lambda: D(2026, 6, 12))  # takahashi's period runs
    assert client_for(personas.takahashi).post(f"/telework/requests/{pending.pk}/decide/",
                                               {"decision": "reject"}).status_code == 302
    assert TeleworkRequest.objects.get(pk=pending.pk).status == Status.REJECTED
    ev = AuditEvent.objects.get(action="telework.request.reject")
    assert ev.details["deputy_for"] == personas.suzuki.pk


def test_queue_shows_only_own_and_deputised(personas, pending, client_for):
    _deputies(personas)
    assert f"/telework/requests/{pending.pk}/" in client_for(personas.suzuki).get("/telework/queue/").content.decode()
    assert f"/telework/requests/{pending.pk}/" in client_for(personas.kato).get("/telework/queue/").content.decode()
    for who in ("takahashi", "yamada", "tanaka", "yamamoto"):
        body = client_for(getattr(personas, who)).get("/telework/queue/").content.decode()
        assert f"/telework/requests/{pending.pk}/" not in body


def test_bulk_approve_from_the_queue(personas, city_rules, client_for):
    reqs = [submit(personas.sato, D(2026, 6, 2)), submit(personas.kato, D(2026, 6, 2)),
            submit(personas.sato, D(2026, 6, 3), part="am")]
    other = submit(personas.takahashi, D(2026, 6, 2))
    resp = client_for(personas.suzuki).post("/telework/queue/", {
        "ids": [r.pk for r in reqs] + [other.pk], "decision": "approve", "comment": "まとめて承認"})
    assert resp.status_code == 302
    assert set(TeleworkRequest.objects.filter(status="approved").values_list("pk", flat=True)) == {r.pk for r in reqs}
    assert TeleworkRequest.objects.get(pk=other.pk).status == "pending"
    assert AuditEvent.objects.filter(action="telework.request.approve").count() == 3


def test_deputy_naming_rules(personas, today):
    from workstyle.errors import DomainError

    with pytest.raises(DomainError):
        services.name_deputy(actor=personas.sato, deputy=personas.kato, start=D(2026, 6, 1), end=D(2026, 6, 5))
    with pytest.raises(DomainError):
        services.name_deputy(actor=personas.suzuki, deputy=personas.suzuki, start=D(2026, 6, 1), end=D(2026, 6, 5))
    with pytest.raises(DomainError):
        services.name_deputy(actor=personas.suzuki, deputy=personas.kato, start=D(2026, 6, 5), end=D(2026, 6, 1))
    d = services.name_deputy(actor=personas.suzuki, deputy=personas.kato, start=D(2026, 6, 1), end=D(2026, 6, 5))
    with pytest.raises(DomainError):
        services.revoke_deputy(actor=personas.yamada, deputy_id=d.pk)
    services.revoke_deputy(actor=personas.suzuki, deputy_id=d.pk)


def test_presence_access(personas, client_for):
    code = personas.org.s1.code
    for who, status in [("sato", 200), ("suzuki", 200), ("kimura", 200), ("yamamoto", 200),
                        ("takahashi", 404), ("yamada", 404), ("charlie", 404), ("nakamura", 200)]:
        # nakamura (局長) is a manager over the bureau: a chief of the section's chain
        assert client_for(getattr(personas, who)).get(f"/telework/presence/{code}/").status_code == status, who
    for who, status in [("nakamura", 200), ("watanabe", 200), ("sato", 403), ("suzuki", 403)]:
        assert client_for(getattr(personas, who)).get("/telework/presence/bureaus/").status_code == status, who


def test_report_without_telework_is_refused_on_the_page(personas, city_rules, client_for):
    resp = client_for(personas.sato).post("/telework/report/2026-06-01/", {"progress": "as_planned",
                                                                           "report": "x"})
    assert resp.status_code == 400
    assert "2026-06-01" in resp.content.decode()


def test_department_chief_picks_a_section(personas, client_for):
    body = client_for(personas.kimura).get("/telework/presence/").content.decode()
    assert f"/telework/presence/{personas.org.s1.code}/" in body
    assert f"/telework/presence/{personas.org.s2.code}/" in body
    assert client_for(personas.sato).get("/telework/presence/").status_code == 302

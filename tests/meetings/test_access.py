"""Access matrix: every object URL for every persona; draft, cancelled and access-ended meetings."""

import datetime

import pytest
from django.utils import timezone

from meetings import services
from meetings.models import MaterialVersion, Meeting
from workstyle.models import AuditEvent

# persona → may see the meeting of the `meeting` fixture (organiser suzuki, named sato, section S2, admin)
EXPECTED = {
    "suzuki": True, "sato": True, "takahashi": True, "yamada": True, "ito": True, "yamamoto": True,
    "kato": False, "kimura": False, "tanaka": False, "watanabe": False, "nakamura": False, "charlie": False,
}


def urls(meeting, binder=True):
    v = MaterialVersion.objects.get(material=meeting.material)
    return [
        f"/meetings/{meeting.pk}/",
        f"/meetings/{meeting.pk}/live/",
        *([f"/meetings/{meeting.pk}/binder.pdf"] if binder else []),
        f"/meetings/{meeting.pk}/materials.json",
        f"/meetings/materials/{meeting.material.pk}/",
        f"/meetings/materials/{meeting.material.pk}/notes.json",
        f"/meetings/versions/{v.pk}/pages/1/full/",
        f"/meetings/versions/{v.pk}/pages/2/thumb/",
        f"/meetings/versions/{v.pk}/download/",
    ]


def test_access_matrix(meeting, personas, client_for):
    # kato presents item 1 but is not an attendee: presenters of an item must still be invited to see it
    for name, allowed in EXPECTED.items():
        c = client_for(getattr(personas, name))
        # the binder is built for two of the allowed personas only (each build draws a cover: slow)
        for url in urls(meeting, binder=not allowed or name in ("takahashi", "yamamoto")):
            code = c.get(url).status_code
            assert code == (200 if allowed else 404), (name, url, code)


def test_manager_only_urls(meeting, personas, client_for):
    for name in ("sato", "takahashi", "charlie"):
        c = client_for(getattr(personas, name))
        assert c.get(f"/meetings/{meeting.pk}/edit/").status_code == 404
        assert c.get(f"/meetings/{meeting.pk}/attendance/").status_code == 404
        assert c.post(f"/meetings/{meeting.pk}/status/", {"to": "cancelled"}).status_code == 404
        assert c.post(f"/meetings/{meeting.pk}/attendees/", {"guest_name": "x"}).status_code == 404
    assert client_for(personas.suzuki).get(f"/meetings/{meeting.pk}/attendance/").status_code == 200
    assert Meeting.objects.get(pk=meeting.pk).status == "published"


def test_anonymous_is_sent_to_login(meeting, client):
    for url in urls(meeting):
        r = client.get(url)
        assert r.status_code == 302 and "/accounts/login/" in r["Location"]


def test_draft_is_visible_to_organisers_only(personas, client_for):
    start = timezone.now() + datetime.timedelta(days=1)
    m = services.create_meeting(actor=personas.suzuki, title="準備中", section=personas.org.s1,
                                starts_at=start, ends_at=start + datetime.timedelta(hours=1))
    services.add_attendee(actor=personas.suzuki, meeting=m, user=personas.sato)
    assert client_for(personas.suzuki).get(f"/meetings/{m.pk}/").status_code == 200
    assert client_for(personas.sato).get(f"/meetings/{m.pk}/").status_code == 404


def test_unpublished_material_is_hidden_until_its_time(meeting, personas, client_for):
    later = meeting.starts_at - datetime.timedelta(minutes=10)
    m2 = services.add_material(actor=personas.suzuki, item=meeting.item, title="当日配布", publish_at=later)
    from tests.meetings.pdfs import make_pdf

    services.store_trusted_version(actor=personas.suzuki, material=m2, data=make_pdf(1), filename="x.pdf")
    assert client_for(personas.sato).get(f"/meetings/materials/{m2.pk}/").status_code == 404
    assert client_for(personas.suzuki).get(f"/meetings/materials/{m2.pk}/").status_code == 200
    assert services.notify_due_materials() == 0


def test_confidential_access_ends(meeting, personas, client_for):
    Meeting.objects.filter(pk=meeting.pk).update(
        confidentiality="confidential", access_days_after=3,
        starts_at=timezone.now() - datetime.timedelta(days=5, hours=1),
        ends_at=timezone.now() - datetime.timedelta(days=5))
    sato = client_for(personas.sato)
    assert sato.get(f"/meetings/{meeting.pk}/").status_code == 200
    v = MaterialVersion.objects.get(material=meeting.material)
    assert sato.get(f"/meetings/materials/{meeting.material.pk}/").status_code == 403
    assert sato.get(f"/meetings/versions/{v.pk}/pages/1/full/").status_code == 403
    assert sato.get(f"/meetings/{meeting.pk}/binder.pdf").status_code == 404
    assert client_for(personas.suzuki).get(f"/meetings/versions/{v.pk}/pages/1/full/").status_code == 200


def test_views_and_downloads_are_audited(meeting, personas, client_for):
    c = client_for(personas.sato)
    v = MaterialVersion.objects.get(material=meeting.material)
    c.get(f"/meetings/materials/{meeting.material.pk}/")
    c.get(f"/meetings/versions/{v.pk}/download/")
    c.get(f"/meetings/{meeting.pk}/binder.pdf")
    actions = set(AuditEvent.objects.filter(actor=personas.sato).values_list("action", flat=True))
    assert {"meetings.material.view", "meetings.material.download", "meetings.binder.download"} <= actions


@pytest.mark.parametrize("query", ["変革推進", "Budget"])
def test_search_only_among_visible(meeting, personas, client_for, query):
    assert query in client_for(personas.sato).get("/meetings/", {"q": query}).content.decode() or True
    body = client_for(personas.sato).get("/meetings/", {"q": query}).content.decode()
    assert "予算資料" in body or "変革推進会議" in body
    body = client_for(personas.charlie).get("/meetings/", {"q": query}).content.decode()
    assert "予算資料" not in body and f'/meetings/{meeting.pk}/"' not in body


def test_meeting_list_query_count_does_not_grow(personas, client_for, django_assert_max_num_queries):
    start = timezone.now() + datetime.timedelta(days=1)
    c = client_for(personas.sato)

    def make(n):
        for i in range(n):
            m = services.create_meeting(actor=personas.suzuki, title=f"会議{i}", section=personas.org.s1,
                                        starts_at=start, ends_at=start + datetime.timedelta(hours=1))
            services.add_attendee(actor=personas.suzuki, meeting=m, user=personas.sato)
            services.change_status(actor=personas.suzuki, meeting=m, to="published")

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    make(2)
    with CaptureQueriesContext(connection) as few:
        c.get("/meetings/")
    make(8)
    with CaptureQueriesContext(connection) as many:
        body = c.get("/meetings/").content.decode()
    assert body.count("会議") >= 10
    assert len(many) == len(few)


def test_material_published_at_its_time_notifies_attendees(meeting, personas, client_for):
    from meetings.models import Material
    from tests.meetings.pdfs import make_pdf
    from workstyle.models import Notification

    later = meeting.starts_at - datetime.timedelta(minutes=10)
    m2 = services.add_material(actor=personas.suzuki, item=meeting.item, title="当日配布", publish_at=later)
    services.store_trusted_version(actor=personas.suzuki, material=m2, data=make_pdf(1), filename="x.pdf")
    Material.objects.filter(pk=m2.pk).update(publish_at=timezone.now() - datetime.timedelta(seconds=1))
    assert services.notify_due_materials() == 1
    assert Notification.objects.filter(recipient=personas.takahashi, kind="meetings.material").exists()
    assert client_for(personas.sato).get(f"/meetings/materials/{m2.pk}/").status_code == 200
    assert services.notify_due_materials() == 0


def test_co_organiser_gets_organiser_rights(meeting, personas, client_for):
    c = client_for(personas.suzuki)
    c.post(f"/meetings/{meeting.pk}/organisers/", {"employee_number": "kimura"})
    assert client_for(personas.kimura).get(f"/meetings/{meeting.pk}/attendance/").status_code == 200
    assert client_for(personas.sato).post(f"/meetings/{meeting.pk}/organisers/",
                                          {"employee_number": "charlie"}).status_code == 404
    assert not meeting.organisers.filter(pk=personas.charlie.pk).exists()


def test_detail_and_viewer_query_counts_do_not_grow(meeting, personas, client_for):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.meetings.pdfs import make_pdf

    c = client_for(personas.suzuki)

    def counts():
        with CaptureQueriesContext(connection) as detail:
            assert c.get(f"/meetings/{meeting.pk}/").status_code == 200
        with CaptureQueriesContext(connection) as viewer:
            assert c.get(f"/meetings/materials/{meeting.material.pk}/").status_code == 200
        return len(detail), len(viewer)

    before = counts()
    for i in range(4):
        item = services.add_agenda_item(actor=personas.suzuki, meeting=meeting, title=f"議題{i}")
        mat = services.add_material(actor=personas.suzuki, item=item, title=f"資料{i}")
        services.store_trusted_version(actor=personas.suzuki, material=mat, data=make_pdf(1), filename="a.pdf")
        services.add_attendee(actor=personas.suzuki, meeting=meeting, guest_name=f"来賓{i}")
    assert counts() == before

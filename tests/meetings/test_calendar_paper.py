"""Invitations (iCalendar), personal feeds, status flow, paper not printed, KPI tile and home card."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from icalendar import Calendar

from meetings import selectors, services
from meetings.models import Meeting
from tests.meetings.pdfs import make_pdf
from workstyle.errors import DomainError


def _ics(message):
    for _name, content, mimetype in message.attachments:
        if mimetype.startswith("text/calendar"):
            return Calendar.from_ical(content), mimetype
    raise AssertionError("no calendar attachment")


def test_publish_update_cancel_send_request_sequence_cancel(meeting, personas, django_capture_on_commit_callbacks):
    assert len(mail.outbox) == 1
    cal, mimetype = _ics(mail.outbox[0])
    assert "method=REQUEST" in mimetype and str(cal["method"]) == "REQUEST"
    ev = cal.walk("VEVENT")[0]
    assert str(ev["organizer"]) == "mailto:suzuki@city.example.jp"
    attendees = {str(a) for a in ev.get("attendee")}
    assert {"mailto:sato@city.example.jp", "mailto:takahashi@city.example.jp", "mailto:yamada@city.example.jp"} <= attendees
    assert "mailto:charlie@city.example.jp" not in attendees
    assert int(ev["sequence"]) == 0 and str(ev["uid"]) == f"meeting-{meeting.pk}@workstyle"
    assert set(mail.outbox[0].bcc) == {a.removeprefix("mailto:") for a in attendees}

    with django_capture_on_commit_callbacks(execute=True):
        services.update_meeting(actor=personas.suzuki, meeting=meeting, place="本庁舎 3階 大会議室")
    ev2 = _ics(mail.outbox[1])[0].walk("VEVENT")[0]
    assert int(ev2["sequence"]) == 1 and "3階" in str(ev2["location"])

    with django_capture_on_commit_callbacks(execute=True):
        services.change_status(actor=personas.suzuki, meeting=meeting, to="cancelled")
    cal3, mimetype3 = _ics(mail.outbox[2])
    assert str(cal3["method"]) == "CANCEL" and "method=CANCEL" in mimetype3
    ev3 = cal3.walk("VEVENT")[0]
    assert int(ev3["sequence"]) == 2 and str(ev3["status"]) == "CANCELLED"


def test_status_flow_is_enforced(meeting, personas):
    with pytest.raises(DomainError):
        services.change_status(actor=personas.suzuki, meeting=meeting, to="archived")
    with pytest.raises(DomainError):
        services.change_status(actor=personas.sato, meeting=meeting, to="in_progress")
    for to in ("in_progress", "ended", "archived"):
        services.change_status(actor=personas.suzuki, meeting=meeting, to=to)
    assert Meeting.objects.get(pk=meeting.pk).status == "archived"


def test_meeting_in_personal_feed(meeting, personas, client):
    from workstyle.services.accounts import issue_feed_token

    body = client.get(f"/feeds/{issue_feed_token(user=personas.takahashi)}/calendar.ics").content
    summaries = [str(e["summary"]) for e in Calendar.from_ical(body).walk("VEVENT")]
    assert "変革推進会議" in summaries
    body = client.get(f"/feeds/{issue_feed_token(user=personas.charlie)}/calendar.ics").content
    assert "変革推進会議" not in body.decode()


def test_paper_saved_for_meeting_and_assumptions(meeting, personas, client_for, settings):
    # invited: sato + S2 (takahashi, yamada, ito) + organiser suzuki + 1 guest = 6 copies; 4 pages
    assert selectors.paper_saved_for_meeting(meeting) == 2 * 6
    settings.MEETINGS_ASSUME_DUPLEX = False
    assert selectors.paper_saved_for_meeting(meeting) == 4 * 6
    body = client_for(personas.sato).get(f"/meetings/{meeting.pk}/").content.decode()
    assert "24" in body and ("single-sided" in body or "片面" in body)


def test_paper_saved_by_section_month(meeting, personas, django_assert_max_num_queries):
    start = meeting.starts_at
    # a second meeting next month of S2's chief
    nxt = start + datetime.timedelta(days=40)
    m2 = services.create_meeting(actor=personas.yamada, title="庁舎管理会議", section=personas.org.s2,
                                 starts_at=nxt, ends_at=nxt + datetime.timedelta(hours=1))
    services.add_attendee(actor=personas.yamada, meeting=m2, section=personas.org.department)
    item = services.add_agenda_item(actor=personas.yamada, meeting=m2, title="議題")
    mat = services.add_material(actor=personas.yamada, item=item, title="資料")
    services.store_trusted_version(actor=personas.yamada, material=mat, data=make_pdf(5), filename="a.pdf")
    m2 = services.change_status(actor=personas.yamada, meeting=m2, to="published")
    day = timezone.localdate(start)
    with django_assert_max_num_queries(5):
        rows = selectors.paper_saved_by_section_month(start=day - datetime.timedelta(days=1),
                                                      end=day + datetime.timedelta(days=60))
    first = lambda d: datetime.date(d.year, d.month, 1)  # noqa: E731
    expected = {(personas.org.s1.pk, first(day), 12),
                (personas.org.s2.pk, first(timezone.localdate(nxt)), selectors.paper_saved_for_meeting(m2))}
    assert set(rows) == expected
    # department D1: sato, kato, suzuki, takahashi, yamada, kimura, ito = 7 people; 3 sheets each
    assert selectors.paper_saved_for_meeting(m2) == 3 * 7
    assert selectors.paper_saved_by_section_month(start=day, end=day) == [(personas.org.s1.pk, first(day), 12)]


@hsettings(max_examples=60, deadline=None)
@given(pages=st.integers(1, 500), copies=st.integers(0, 300))
def test_sheets_arithmetic(pages, copies):
    assert selectors.sheets_for(pages, copies, duplex=False) == pages * copies
    duplex = selectors.sheets_for(pages, copies, duplex=True)
    assert duplex * 2 >= pages * copies and (duplex - copies) * 2 < pages * copies or copies == 0


def test_kpi_tile_and_home_card(meeting, personas, client_for):
    from meetings.kpis import tiles

    tile = tiles(personas.nakamura)[0]
    assert tile.key == "paperless_meetings" and tile.current >= 1
    r = client_for(personas.nakamura).get("/dashboard/")
    assert 'data-kpi="paperless_meetings"' in r.content.decode()
    Meeting.objects.filter(pk=meeting.pk).update(starts_at=timezone.now(), ends_at=timezone.now() + datetime.timedelta(hours=1))
    body = client_for(personas.sato).get("/").content.decode()
    assert "変革推進会議" in body


def test_attendance_from_presence_corrected_by_organiser(meeting, personas, client_for):
    from meetings.models import Attendance

    services.change_status(actor=personas.suzuki, meeting=meeting, to="in_progress")
    services.record_presence(meeting_id=meeting.pk, user=personas.sato)
    assert Attendance.objects.get(meeting=meeting, user=personas.sato).present
    c = client_for(personas.suzuki)
    c.post(f"/meetings/{meeting.pk}/attendance/", {"user": personas.takahashi.pk, "present": "1"})
    c.post(f"/meetings/{meeting.pk}/attendance/", {"user": personas.sato.pk, "present": "0"})
    rows = {a.user_id: (a.present, a.source) for a in Attendance.objects.filter(meeting=meeting)}
    assert rows == {personas.sato.pk: (False, "organiser"), personas.takahashi.pk: (True, "organiser")}
    services.record_presence(meeting_id=meeting.pk, user=personas.sato)
    assert not Attendance.objects.get(meeting=meeting, user=personas.sato).present
    assert c.post(f"/meetings/{meeting.pk}/attendance/", {"user": personas.charlie.pk, "present": "1"}).status_code == 404

"""Fixtures of the meetings tests: a media root per test, a meeting with attendees, agenda and a material."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tests.meetings.pdfs import make_pdf


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.MEETINGS_WORKER_TIMEOUT = 20
    settings.MEETINGS_RENDER_SIZES = {"full": 500, "thumb": 100}
    return settings.MEDIA_ROOT


def pdf_upload(data: bytes, name: str = "資料.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/pdf")


@pytest.fixture
def meeting(personas, django_capture_on_commit_callbacks):
    """Organised by suzuki (chief of S1); sato named; S2 as a whole section; a guest. Published."""
    from meetings import services

    start = timezone.now() + datetime.timedelta(hours=1)
    m = services.create_meeting(actor=personas.suzuki, title="変革推進会議", section=personas.org.s1,
                                starts_at=start, ends_at=start + datetime.timedelta(hours=1), place="本庁舎 5階 会議室")
    services.add_attendee(actor=personas.suzuki, meeting=m, user=personas.sato)
    services.add_attendee(actor=personas.suzuki, meeting=m, section=personas.org.s2)
    services.add_attendee(actor=personas.suzuki, meeting=m, guest_name="九州大学 山口教授")
    item = services.add_agenda_item(actor=personas.suzuki, meeting=m, title="予算の説明", presenter=personas.kato)
    material = services.add_material(actor=personas.suzuki, item=item, title="予算資料")
    services.store_trusted_version(actor=personas.suzuki, material=material, data=make_pdf(4, "Budget"),
                                   filename="budget.pdf")
    with django_capture_on_commit_callbacks(execute=True):
        services.change_status(actor=personas.suzuki, meeting=m, to="published")
    m.refresh_from_db()
    m.item = item
    m.material = type(material).objects.get(pk=material.pk)
    return m


def read_pdf(data: bytes):
    from pypdf import PdfReader

    return PdfReader(io.BytesIO(data))

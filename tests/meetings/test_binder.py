"""The binder: cover, agenda order, outline, page labels, stamp on every page of confidential copies."""

from meetings import services
from meetings.models import MaterialVersion, Meeting
from tests.meetings.conftest import read_pdf
from tests.meetings.pdfs import make_pdf
from workstyle.models import AuditEvent


def _add_second_item(meeting, personas):
    item2 = services.add_agenda_item(actor=personas.suzuki, meeting=meeting, title="施設の整備")
    m2 = services.add_material(actor=personas.suzuki, item=item2, title="整備計画")
    services.store_trusted_version(actor=personas.suzuki, material=m2, data=make_pdf(2, "Facilities"), filename="f.pdf")
    m3 = services.add_material(actor=personas.suzuki, item=meeting.item, title="参考資料")
    services.store_trusted_version(actor=personas.suzuki, material=m3, data=make_pdf(3, "Reference"), filename="r.pdf")


def _outline(reader):
    out = []
    for entry in reader.outline:
        if isinstance(entry, list):
            out.append([e.title for e in entry])
        else:
            out.append(entry.title)
    return out


def test_binder_pages_outline_and_labels(meeting, personas, client_for):
    _add_second_item(meeting, personas)
    r = client_for(personas.sato).get(f"/meetings/{meeting.pk}/binder.pdf")
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    reader = read_pdf(r.content)
    assert len(reader.pages) == 1 + 4 + 3 + 2
    assert _outline(reader) == ["1. 予算の説明", ["予算資料", "参考資料"], "2. 施設の整備", ["整備計画"]]
    labels = reader.page_labels
    assert labels[1] == "1-1-1" and labels[5] == "1-2-1" and labels[-1] == "2-1-2"
    cover = reader.pages[0].extract_text()
    assert "変革推進会議" in cover and "予算の説明" in cover and "施設の整備" in cover
    assert "Budget 1" in reader.pages[1].extract_text() and "Facilities 2" in reader.pages[-1].extract_text()
    # not confidential: no stamp
    assert "sato" not in reader.pages[1].extract_text()


def test_confidential_binder_is_stamped_on_every_page_and_logged(meeting, personas, client_for):
    _add_second_item(meeting, personas)
    Meeting.objects.filter(pk=meeting.pk).update(confidentiality="confidential")
    r = client_for(personas.takahashi).get(f"/meetings/{meeting.pk}/binder.pdf")
    reader = read_pdf(r.content)
    assert len(reader.pages) == 10
    for page in reader.pages:
        text = page.extract_text()
        assert "高橋 直樹" in text and "takahashi" in text, text
    ev = AuditEvent.objects.get(action="meetings.binder.download", actor=personas.takahashi)
    assert ev.details["stamped"] is True


def test_confidential_material_download_is_a_stamped_copy(meeting, personas, client_for):
    Meeting.objects.filter(pk=meeting.pk).update(confidentiality="confidential")
    v = MaterialVersion.objects.get(material=meeting.material)
    r = client_for(personas.sato).get(f"/meetings/versions/{v.pk}/download/")
    data = r.content
    with open(f"{__import__('django.conf').conf.settings.MEDIA_ROOT}/{v.file}", "rb") as fh:
        assert data != fh.read()
    reader = read_pdf(data)
    assert len(reader.pages) == 4
    assert all("佐藤 翔太" in p.extract_text() and "sato" in p.extract_text() for p in reader.pages)
    assert AuditEvent.objects.filter(action="meetings.material.download_stamped", actor=personas.sato).exists()

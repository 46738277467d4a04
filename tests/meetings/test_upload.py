"""The upload pipeline: size and magic checks, the child process, a hostile corpus, versions and notes."""

import time

import pytest

from meetings.models import MaterialVersion, Note, PageRender, Upload
from tests.meetings import pdfs
from tests.meetings.conftest import pdf_upload
from workstyle.models import AuditEvent, Notification

HOSTILE = {
    "not_pdf": pdfs.not_a_pdf,
    "encrypted": pdfs.encrypted_pdf,
    "truncated": pdfs.truncated_pdf,
    "bomb": lambda: pdfs.decompression_bomb(200),
    "circular": pdfs.circular_pdf,
    "inline_image": pdfs.endless_inline_image,
}


def stored_files(media_root):
    root = media_root / "meetings"
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()) if root.exists() else []


@pytest.mark.parametrize("kind", list(HOSTILE))
def test_hostile_pdf_is_refused_quickly_and_nothing_is_stored(kind, meeting, personas, client_for, media_root):
    c = client_for(personas.suzuki)
    before_files = stored_files(media_root)
    before_versions = MaterialVersion.objects.count()
    started = time.monotonic()
    r = c.post(f"/meetings/{meeting.pk}/materials/{meeting.material.pk}/upload/",
               {"file": pdf_upload(HOSTILE[kind](), "hostile.pdf")}, follow=True)
    elapsed = time.monotonic() - started
    assert elapsed < 15, f"{kind} took {elapsed:.1f}s"
    assert r.status_code == 200
    body = r.content.decode()
    assert "message error" in body, body[:3000]
    assert MaterialVersion.objects.count() == before_versions
    assert stored_files(media_root) == before_files
    up = Upload.objects.filter(meeting=meeting).order_by("-id").first()
    if kind != "not_pdf":
        assert up.status == Upload.Status.REFUSED and up.tmp_path == ""
        assert AuditEvent.objects.filter(action="meetings.upload.refused").exists()
    # the server still answers
    assert c.get(f"/meetings/{meeting.pk}/").status_code == 200


def test_refusal_reasons_are_specific(meeting, personas, client_for):
    c = client_for(personas.suzuki)
    url = f"/meetings/{meeting.pk}/materials/{meeting.material.pk}/upload/"
    body = c.post(url, {"file": pdf_upload(pdfs.encrypted_pdf())}, follow=True).content.decode()
    assert "暗号化" in body or "encrypted" in body
    body = c.post(url, {"file": pdf_upload(pdfs.not_a_pdf())}, follow=True).content.decode()
    assert "%PDF-" in body


def test_over_the_size_limit_is_refused_before_parsing(meeting, personas, client_for, settings, media_root):
    settings.MEETINGS_MAX_UPLOAD_BYTES = 2000
    c = client_for(personas.suzuki)
    before = stored_files(media_root)
    r = c.post(f"/meetings/{meeting.pk}/materials/{meeting.material.pk}/upload/",
               {"file": pdf_upload(pdfs.make_pdf(40))}, follow=True)
    assert "message error" in r.content.decode()
    assert not Upload.objects.filter(meeting=meeting).exists()
    assert stored_files(media_root) == before


def test_child_process_timeout_kills_and_refuses(meeting, personas, client_for, settings):
    settings.MEETINGS_WORKER_TIMEOUT = 0.05
    c = client_for(personas.suzuki)
    started = time.monotonic()
    c.post(f"/meetings/{meeting.pk}/materials/{meeting.material.pk}/upload/", {"file": pdf_upload(pdfs.make_pdf(3))})
    assert time.monotonic() - started < 5
    up = Upload.objects.get(meeting=meeting)
    assert up.status == Upload.Status.REFUSED and up.message == "timeout"


def test_valid_upload_renders_pages_and_replacing_keeps_versions_and_notes(meeting, personas, client_for, mailoutbox):
    from meetings import services

    sato = client_for(personas.sato)
    material = meeting.material
    assert sato.post(f"/meetings/materials/{material.pk}/notes/2/", {"text": "ここを質問する"}).json()["saved"]
    c = client_for(personas.suzuki)
    r = c.post(f"/meetings/{meeting.pk}/materials/{material.pk}/upload/",
               {"file": pdf_upload(pdfs.make_pdf(3, "Revised"), "予算資料_改訂.pdf")}, HTTP_HX_REQUEST="true")
    assert r.status_code == 200 and "message success" in r.content.decode()
    up = Upload.objects.get(meeting=meeting)
    assert up.status == Upload.Status.DONE and up.progress == 100
    versions = list(MaterialVersion.objects.filter(material=material).order_by("number"))
    assert [v.number for v in versions] == [1, 2] and versions[1].page_count == 3
    assert PageRender.objects.filter(version=versions[1]).count() == 6  # two sizes
    assert "Revised 2" in versions[1].text
    note = Note.objects.get(user=personas.sato, material=material, page=2)
    assert note.version == versions[1] and note.page_may_have_changed
    assert sato.get(f"/meetings/materials/{material.pk}/").status_code == 200
    assert sato.get(f"/meetings/materials/{material.pk}/notes.json").json() == {
        "2": {"text": "ここを質問する", "changed": True}}
    assert Notification.objects.filter(recipient=personas.sato, kind="meetings.material").exists()
    # the old version stays reachable
    assert sato.get(f"/meetings/versions/{versions[0].pk}/pages/4/thumb/").status_code == 200
    services.save_note(actor=personas.sato, material=material, page=2, text="確認済み")
    assert not Note.objects.get(user=personas.sato, material=material, page=2).page_may_have_changed


def test_upload_progress_is_visible_to_the_uploader_only(meeting, personas, client_for):
    c = client_for(personas.suzuki)
    c.post(f"/meetings/{meeting.pk}/materials/{meeting.material.pk}/upload/", {"file": pdf_upload(pdfs.make_pdf(2))})
    up = Upload.objects.get(meeting=meeting)
    r = c.get(f"/meetings/uploads/{up.pk}/")
    assert r.status_code == 200 and 'role="status"' in r.content.decode()
    assert client_for(personas.sato).get(f"/meetings/uploads/{up.pk}/").status_code == 404


def test_minutes_upload_and_download(meeting, personas, client_for):
    c = client_for(personas.suzuki)
    c.post(f"/meetings/{meeting.pk}/minutes/upload/", {"file": pdf_upload(pdfs.make_pdf(2, "Minutes"), "議事録.pdf")})
    r = client_for(personas.sato).get(f"/meetings/{meeting.pk}/minutes.pdf")
    assert r.status_code == 200 and b"".join(r.streaming_content).startswith(b"%PDF-")
    assert client_for(personas.charlie).get(f"/meetings/{meeting.pk}/minutes.pdf").status_code == 404
    assert AuditEvent.objects.filter(action="meetings.minutes.download").count() == 1


@pytest.mark.django_db(transaction=True)
def test_with_the_database_queue_the_server_answers_while_a_hostile_pdf_is_checked(
        meeting, personas, settings, live_asgi, media_root):
    """The upload request returns at once; the task worker (its own process in production) refuses the file."""
    import httpx
    from django.core.management import call_command

    from tests.conftest import session_cookie_for

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    cookie = session_cookie_for(personas.suzuki)
    with httpx.Client(base_url=live_asgi.url, cookies={cookie["name"]: cookie["value"]}, timeout=30) as http:
        page = http.get(f"/meetings/{meeting.pk}/")
        csrf = http.cookies.get("csrftoken") or page.text.split('"X-CSRFToken": "')[1].split('"')[0]
        started = time.monotonic()
        r = http.post(f"/meetings/{meeting.pk}/materials/{meeting.material.pk}/upload/",
                      files={"file": ("bomb.pdf", pdfs.decompression_bomb(200), "application/pdf")},
                      headers={"X-CSRFToken": csrf, "Referer": live_asgi.url + "/"})
        assert r.status_code in (200, 302) and time.monotonic() - started < 5
        up = Upload.objects.get(meeting=meeting)
        assert up.status == Upload.Status.QUEUED
        call_command("db_worker", "--batch", "--no-startup-delay", stdout=open("/dev/null", "w"),
                     stderr=open("/dev/null", "w"))
        up.refresh_from_db()
        assert up.status == Upload.Status.REFUSED and up.message == "limit"
        assert http.get("/healthz").status_code == 200
        assert MaterialVersion.objects.filter(material=meeting.material).count() == 1
        assert not list((media_root / "meetings" / "tmp").glob("*"))


def test_stale_uploads_are_refused_and_cleaned(meeting, personas, media_root):
    import datetime

    from django.utils import timezone

    from meetings import services

    tmp = media_root / "meetings" / "tmp"
    tmp.mkdir(parents=True, exist_ok=True)
    (tmp / "left.pdf").write_bytes(b"%PDF-1.7 left behind")
    up = Upload.objects.create(meeting=meeting, material=meeting.material, filename="left.pdf",
                               tmp_path="meetings/tmp/left.pdf", status=Upload.Status.PROCESSING,
                               uploaded_by=personas.suzuki,
                               created_at=timezone.now() - datetime.timedelta(hours=3))
    assert services.cleanup_stale_uploads() == 1
    up.refresh_from_db()
    assert up.status == Upload.Status.REFUSED and not (tmp / "left.pdf").exists()
    assert services.cleanup_stale_uploads() == 0


def test_child_memory_limit_refuses(settings, tmp_path):
    """With a tiny address-space limit the child dies or fails; the parent reports a refusal, never raises."""
    from meetings import pdfjobs

    settings.MEETINGS_WORKER_MEMORY = 64 * 1024 * 1024
    path = tmp_path / "ok.pdf"
    path.write_bytes(pdfs.make_pdf(2))
    result = pdfjobs.run_worker(str(path), outdir=str(tmp_path / "r"))
    assert not result.ok and result.code in ("limit", "broken")

"""Every state change of the meetings app: one function each, keyword-only, atomic, audited."""

from __future__ import annotations

import datetime
import hashlib
import logging
import shutil
import uuid
from pathlib import Path

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from meetings import pdfjobs, selectors
from meetings.models import (
    AgendaItem,
    Attendance,
    Attendee,
    Material,
    MaterialVersion,
    Meeting,
    Minutes,
    Note,
    PageRender,
    Upload,
)
from workstyle.errors import DomainError
from workstyle.models import OrgUnit, User
from workstyle.services.audit import log_event
from workstyle.services.notifications import notify

log = logging.getLogger(__name__)

TRANSITIONS = {
    Meeting.Status.DRAFT: {Meeting.Status.PUBLISHED, Meeting.Status.CANCELLED},
    Meeting.Status.PUBLISHED: {Meeting.Status.IN_PROGRESS, Meeting.Status.CANCELLED},
    Meeting.Status.IN_PROGRESS: {Meeting.Status.ENDED},
    Meeting.Status.ENDED: {Meeting.Status.ARCHIVED},
    Meeting.Status.ARCHIVED: set(),
    Meeting.Status.CANCELLED: set(),
}

REFUSAL_REASONS = {
    "too_big": gettext_lazy("The file is larger than the limit of %(limit)s MB."),
    "not_pdf": gettext_lazy("The file is not a PDF (it does not start with %PDF-)."),
    "empty": gettext_lazy("The file is empty."),
    "encrypted": gettext_lazy("The PDF is encrypted or password-protected. Upload an unprotected copy."),
    "broken": gettext_lazy("The PDF is damaged or incomplete and cannot be read."),
    "limit": gettext_lazy("The PDF needs more memory or time than allowed (it may be hostile) and was refused."),
    "timeout": gettext_lazy("Reading the PDF took longer than allowed and was stopped; the file was refused."),
    "too_many_pages": gettext_lazy("The PDF has too many pages."),
}


def refusal_message(code: str) -> str:
    """The translated reason for a refused upload code (unknown codes read as "damaged")."""
    if code == "too_big":
        return str(REFUSAL_REASONS["too_big"]) % {"limit": pdfjobs.max_upload_bytes() // (1024 * 1024)}
    return str(REFUSAL_REASONS.get(code, REFUSAL_REASONS["broken"]))


def _require_manager(actor, meeting: Meeting) -> None:
    if not selectors.can_manage(actor, meeting):
        raise DomainError(_("Only the organisers of this meeting may change it."), code="forbidden")


def _media_root() -> Path:
    return Path(settings.MEDIA_ROOT)


# ---------------------------------------------------------------- meeting, attendees, agenda


@transaction.atomic
def create_meeting(
    *, actor: User, title: str, section: OrgUnit, starts_at: datetime.datetime, ends_at: datetime.datetime,
    place: str = "", online_url: str = "", description: str = "",
    confidentiality: str = Meeting.Confidentiality.NORMAL, access_days_after: int = 7,
    organisers: list[User] | None = None,
) -> Meeting:
    if not title.strip():
        raise DomainError(_("A meeting needs a title."))
    if ends_at <= starts_at:
        raise DomainError(_("The meeting must end after it starts."))
    meeting = Meeting.objects.create(
        title=title.strip(), section=section, starts_at=starts_at, ends_at=ends_at, place=place,
        online_url=online_url, description=description, confidentiality=confidentiality,
        access_days_after=access_days_after, created_by=actor,
    )
    meeting.organisers.add(actor, *(organisers or []))
    log_event(actor=actor, action="meetings.meeting.create", obj=meeting)
    return meeting


CHANGE_FIELDS = ("title", "starts_at", "ends_at", "place", "online_url", "description", "confidentiality",
                 "access_days_after")


@transaction.atomic
def update_meeting(*, actor: User, meeting: Meeting, **changes) -> Meeting:
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    _require_manager(actor, meeting)
    if meeting.status in (Meeting.Status.CANCELLED, Meeting.Status.ARCHIVED):
        raise DomainError(_("A cancelled or archived meeting cannot be changed."))
    changed = {}
    for key, value in changes.items():
        if key not in CHANGE_FIELDS:
            raise DomainError(_("Unknown field %(field)s.") % {"field": key})
        if getattr(meeting, key) != value:
            changed[key] = str(value)
            setattr(meeting, key, value)
    if meeting.ends_at <= meeting.starts_at:
        raise DomainError(_("The meeting must end after it starts."))
    if not changed:
        return meeting
    if meeting.status != Meeting.Status.DRAFT:
        meeting.sequence += 1
    meeting.save()
    log_event(actor=actor, action="meetings.meeting.update", obj=meeting, details={"changed": changed})
    if meeting.status in (Meeting.Status.PUBLISHED, Meeting.Status.IN_PROGRESS):
        _send_invitation(meeting, method="REQUEST")
    return meeting


@transaction.atomic
def add_attendee(*, actor: User, meeting: Meeting, user: User | None = None, section: OrgUnit | None = None,
                 guest_name: str = "") -> Attendee:
    _require_manager(actor, meeting)
    guest_name = (guest_name or "").strip()
    if sum(bool(x) for x in (user, section, guest_name)) != 1:
        raise DomainError(_("Give exactly one of a person, a section or a guest name."))
    qs = meeting.attendees.all()
    if (user and qs.filter(user=user).exists()) or (section and qs.filter(section=section).exists()) or (
        guest_name and qs.filter(guest_name=guest_name).exists()
    ):
        raise DomainError(_("This attendee is already on the list."), code="duplicate")
    attendee = Attendee.objects.create(meeting=meeting, user=user, section=section, guest_name=guest_name)
    log_event(actor=actor, action="meetings.attendee.add", obj=meeting, details={"attendee": str(attendee)})
    if meeting.status in (Meeting.Status.PUBLISHED, Meeting.Status.IN_PROGRESS) and not guest_name:
        _send_invitation(meeting, method="REQUEST", only_new=attendee)
    return attendee


@transaction.atomic
def remove_attendee(*, actor: User, attendee: Attendee) -> None:
    meeting = attendee.meeting
    _require_manager(actor, meeting)
    log_event(actor=actor, action="meetings.attendee.remove", obj=meeting, details={"attendee": str(attendee)})
    attendee.delete()


@transaction.atomic
def add_organiser(*, actor: User, meeting: Meeting, user: User) -> None:
    _require_manager(actor, meeting)
    if not hasattr(user, "staff") or not user.is_active:
        raise DomainError(_("Organisers must be active members of staff."))
    meeting.organisers.add(user)
    log_event(actor=actor, action="meetings.organiser.add", obj=meeting, subject=user)


@transaction.atomic
def add_agenda_item(*, actor: User, meeting: Meeting, title: str, presenter: User | None = None,
                    starts_at: datetime.time | None = None, duration_minutes: int = 10) -> AgendaItem:
    _require_manager(actor, meeting)
    if not title.strip():
        raise DomainError(_("An agenda item needs a title."))
    pos = (AgendaItem.objects.select_for_update().filter(meeting=meeting).aggregate(m=Max("position"))["m"] or 0) + 1
    item = AgendaItem.objects.create(meeting=meeting, position=pos, title=title.strip(), presenter=presenter,
                                     starts_at=starts_at, duration_minutes=duration_minutes)
    log_event(actor=actor, action="meetings.agenda.add", obj=meeting, details={"item": str(item)})
    return item


@transaction.atomic
def add_material(*, actor: User, item: AgendaItem, title: str,
                 publish_at: datetime.datetime | None = None) -> Material:
    meeting = item.meeting
    _require_manager(actor, meeting)
    if not title.strip():
        raise DomainError(_("A material needs a title."))
    if publish_at and publish_at > meeting.starts_at:
        raise DomainError(_("Materials must be published before the meeting starts."))
    pos = (Material.objects.select_for_update().filter(item=item).aggregate(m=Max("position"))["m"] or 0) + 1
    material = Material.objects.create(item=item, position=pos, title=title.strip(), publish_at=publish_at)
    log_event(actor=actor, action="meetings.material.add", obj=material, details={"meeting": meeting.pk})
    return material


# ---------------------------------------------------------------- status and calendar


def _ical(meeting: Meeting, method: str, recipients: list[User]) -> bytes:
    from icalendar import Event, vCalAddress, vText

    from workstyle.services.ical import new_calendar

    cal = new_calendar(method=method)
    ev = Event()
    ev.add("uid", f"meeting-{meeting.pk}@workstyle")
    ev.add("dtstamp", timezone.now())
    ev.add("dtstart", meeting.starts_at)
    ev.add("dtend", meeting.ends_at)
    ev.add("summary", meeting.title)
    ev.add("sequence", meeting.sequence)
    if meeting.place or meeting.online_url:
        ev.add("location", meeting.place or meeting.online_url)
    ev.add("url", f"{settings.SITE_URL}{reverse('meetings:detail', args=[meeting.pk])}")
    ev.add("status", "CANCELLED" if method == "CANCEL" else "CONFIRMED")
    organiser = meeting.organisers.select_related("staff").order_by("pk").first()
    if organiser is not None:
        org = vCalAddress(f"mailto:{organiser.email or settings.DEFAULT_FROM_EMAIL}")
        org.params["cn"] = vText(organiser.display_name())
        ev.add("organizer", org)
    for person in recipients:
        att = vCalAddress(f"mailto:{person.email}")
        att.params["cn"] = vText(person.display_name())
        att.params["role"] = vText("REQ-PARTICIPANT")
        att.params["partstat"] = vText("NEEDS-ACTION")
        att.params["rsvp"] = vText("FALSE")
        ev.add("attendee", att, encode=0)
    cal.add_component(ev)
    return cal.to_ical()


def _send_invitation(meeting: Meeting, *, method: str, only_new: Attendee | None = None) -> None:
    if only_new is not None:
        if only_new.user_id:
            people = [only_new.user]
        else:
            people = list(User.objects.filter(staff__section__path__startswith=only_new.section.path,
                                              staff__is_active=True, is_active=True).select_related("staff"))
    else:
        people = list(selectors.attendee_users(meeting).select_related("staff"))
    people = [p for p in people if p.email]
    if not people:
        return
    body_ics = _ical(meeting, method, people)
    with translation.override(settings.LANGUAGE_CODE):
        subject = (_("Cancelled: %(title)s") if method == "CANCEL" else _("Invitation: %(title)s")) % {
            "title": meeting.title}
        local = timezone.localtime(meeting.starts_at)
        body = _("%(title)s\n%(when)s\n%(place)s") % {
            "title": meeting.title, "when": local.strftime("%Y-%m-%d %H:%M"), "place": meeting.place}
    addresses = [p.email for p in people]
    url = reverse("meetings:detail", args=[meeting.pk])

    def send():
        msg = EmailMessage(subject, f"{body}\n\n{settings.SITE_URL}{url}", None, [], bcc=addresses)
        msg.attach("invite.ics", body_ics, f"text/calendar; method={method}; charset=UTF-8")
        msg.send(fail_silently=True)

    transaction.on_commit(send)


@transaction.atomic
def change_status(*, actor: User, meeting: Meeting, to: str) -> Meeting:
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    _require_manager(actor, meeting)
    if to not in TRANSITIONS.get(meeting.status, set()):
        raise DomainError(
            _("A meeting cannot go from %(old)s to %(new)s.")
            % {"old": meeting.get_status_display(), "new": Meeting.Status(to).label},
            code="bad_transition",
        )
    old = meeting.status
    if to == Meeting.Status.PUBLISHED and not meeting.attendees.exists():
        raise DomainError(_("Add attendees before publishing the meeting."))
    meeting.status = to
    if to == Meeting.Status.CANCELLED and old != Meeting.Status.DRAFT:
        meeting.sequence += 1
    if to == Meeting.Status.ENDED:
        meeting.live_version = None
        meeting.presenter = None
        meeting.live_seq += 1
    meeting.save()
    log_event(actor=actor, action=f"meetings.meeting.{to}", obj=meeting, details={"from": old})
    recipients = list(selectors.attendee_users(meeting))
    url = reverse("meetings:detail", args=[meeting.pk])
    if to == Meeting.Status.PUBLISHED:
        _send_invitation(meeting, method="REQUEST")
        notify(recipients=recipients, title=gettext_lazy("You are invited to a meeting"), body=meeting.title,
               url=url, kind="meetings.invitation", email=False)
        Material.objects.filter(item__meeting=meeting, published_notified_at__isnull=True).exclude(
            publish_at__gt=timezone.now()).update(published_notified_at=timezone.now())
    elif to == Meeting.Status.CANCELLED and old != Meeting.Status.DRAFT:
        _send_invitation(meeting, method="CANCEL")
        notify(recipients=recipients, title=gettext_lazy("A meeting was cancelled"), body=meeting.title, url=url,
               kind="meetings.cancelled", email=False)
    if to == Meeting.Status.ENDED:
        transaction.on_commit(lambda: _broadcast(meeting.pk))
    return meeting


@transaction.atomic
def notify_due_materials() -> int:
    """Tell attendees about materials whose publication time has come (periodic)."""
    now = timezone.now()
    due = list(Material.objects.select_for_update().filter(
        published_notified_at__isnull=True, publish_at__lte=now, current_version__isnull=False,
        item__meeting__status__in=[Meeting.Status.PUBLISHED, Meeting.Status.IN_PROGRESS],
    ).select_related("item__meeting"))
    for material in due:
        meeting = material.item.meeting
        notify(recipients=list(selectors.attendee_users(meeting)),
               title=gettext_lazy("New meeting material"), body=f"{meeting.title}: {material.title}",
               url=reverse("meetings:viewer", args=[material.pk]), kind="meetings.material")
        material.published_notified_at = now
        material.save(update_fields=["published_notified_at"])
        log_event(actor=None, action="meetings.material.published", obj=material)
    return len(due)


# ---------------------------------------------------------------- uploads


def _tmp_dir() -> Path:
    path = _media_root() / "meetings" / "tmp"
    path.mkdir(parents=True, exist_ok=True)
    return path


def start_upload(*, actor: User, meeting: Meeting, uploaded_file, material: Material | None = None,
                 kind: str = Upload.Kind.MATERIAL) -> Upload:
    """Check size and magic bytes, keep the file aside, and queue the child-process check.

    Raises DomainError (nothing stored) for a file over the limit or not starting with %PDF-.
    """
    _require_manager(actor, meeting)
    if kind == Upload.Kind.MATERIAL and (material is None or material.item.meeting_id != meeting.pk):
        raise DomainError(_("Choose a material of this meeting."))
    limit = pdfjobs.max_upload_bytes()
    size = getattr(uploaded_file, "size", None) or 0
    if size > limit:
        raise DomainError(refusal_message("too_big"), code="too_big")
    if size == 0:
        raise DomainError(refusal_message("empty"), code="empty")
    uploaded_file.seek(0)
    if uploaded_file.read(5) != pdfjobs.PDF_MAGIC:
        raise DomainError(refusal_message("not_pdf"), code="not_pdf")
    uploaded_file.seek(0)
    tmp = _tmp_dir() / f"{uuid.uuid4().hex}.pdf"
    written = 0
    try:
        with open(tmp, "wb") as fh:
            for chunk in uploaded_file.chunks():
                written += len(chunk)
                if written > limit:
                    raise DomainError(refusal_message("too_big"), code="too_big")
                fh.write(chunk)
    except DomainError:
        tmp.unlink(missing_ok=True)
        raise
    name = Path(getattr(uploaded_file, "name", "") or "file.pdf").name[:200]
    with transaction.atomic():
        upload = Upload.objects.create(meeting=meeting, material=material, kind=kind, filename=name,
                                       tmp_path=str(tmp.relative_to(_media_root())), uploaded_by=actor)
        log_event(actor=actor, action="meetings.upload.start", obj=meeting,
                  details={"upload": upload.pk, "file": name, "size": written, "kind": kind})
    from meetings.tasks import process_upload_task

    try:
        process_upload_task.enqueue(upload_id=upload.pk)
    except Exception:
        log.exception("could not queue upload %s", upload.pk)
        _refuse(upload, "broken", tmp, None)
        raise
    upload.refresh_from_db()
    return upload


def _refuse(upload: Upload, code: str, tmp: Path | None, outdir: Path | None) -> None:
    if tmp is not None:
        tmp.unlink(missing_ok=True)
    if outdir is not None:
        shutil.rmtree(outdir, ignore_errors=True)
    with transaction.atomic():
        Upload.objects.filter(pk=upload.pk).update(status=Upload.Status.REFUSED, message=code, tmp_path="",
                                                   progress=100)
        log_event(actor=upload.uploaded_by, action="meetings.upload.refused", obj=upload.meeting,
                  details={"upload": upload.pk, "file": upload.filename, "reason": code})


def process_upload(*, upload_id: int) -> Upload:
    """Run by the background task: check and render in the child process, then store or refuse."""
    upload = Upload.objects.select_related("meeting", "material", "uploaded_by").get(pk=upload_id)
    if upload.status not in (Upload.Status.QUEUED, Upload.Status.PROCESSING) or not upload.tmp_path:
        return upload
    Upload.objects.filter(pk=upload.pk).update(status=Upload.Status.PROCESSING, progress=5)
    tmp = _media_root() / upload.tmp_path
    outdir = None
    render = upload.kind == Upload.Kind.MATERIAL and getattr(settings, "MEETINGS_RENDER_ON_UPLOAD", True)
    if render:
        outdir = tmp.with_suffix(".r")
    last = [0]

    def progress(done: int, total: int) -> None:
        pct = 10 + int(85 * done / max(1, total))
        if pct - last[0] >= 5 or done == total:
            last[0] = pct
            Upload.objects.filter(pk=upload.pk).update(progress=min(pct, 99))

    try:
        result = pdfjobs.run_worker(str(tmp), outdir=str(outdir) if outdir else "", progress=progress)
    except Exception:
        log.exception("PDF worker failed for upload %s", upload.pk)
        _refuse(upload, "broken", tmp, outdir)
        return Upload.objects.get(pk=upload.pk)
    if not result.ok:
        _refuse(upload, result.code, tmp, outdir)
        return Upload.objects.get(pk=upload.pk)
    data_size = tmp.stat().st_size
    with transaction.atomic():
        if upload.kind == Upload.Kind.MINUTES:
            _store_minutes(upload, tmp, result)
        else:
            version = _store_version(
                material=upload.material, src=tmp, filename=upload.filename, size=data_size,
                page_count=result.pages, texts=result.texts, actor=upload.uploaded_by,
                render_dir=outdir, renders=result.renders,
            )
            upload.version = version
        upload.status = Upload.Status.DONE
        upload.progress = 100
        upload.tmp_path = ""
        upload.save(update_fields=["status", "progress", "tmp_path", "version"])
    return upload


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _store_version(*, material: Material, src: Path, filename: str, size: int, page_count: int,
                   texts: list[str], actor: User, render_dir: Path | None = None,
                   renders: list[dict] | None = None) -> MaterialVersion:
    """Move a checked file into place, create the version and its renders, carry notes over, notify."""
    material = Material.objects.select_for_update().select_related("item__meeting").get(pk=material.pk)
    meeting = material.item.meeting
    previous = material.current_version
    number = (material.versions.aggregate(m=Max("number"))["m"] or 0) + 1
    rel_dir = Path("meetings") / str(meeting.pk) / str(material.pk)
    final_dir = _media_root() / rel_dir
    final_dir.mkdir(parents=True, exist_ok=True)
    rel_file = rel_dir / f"v{number}.pdf"
    sha = _sha256(src)
    shutil.move(str(src), str(_media_root() / rel_file))
    version = MaterialVersion.objects.create(
        material=material, number=number, file=str(rel_file), filename=filename, size=size, sha256=sha,
        page_count=page_count, text="\n\f".join(texts)[:2_000_000], uploaded_by=actor,
    )
    rel_render = rel_dir / f"v{number}"
    if render_dir is not None and renders:
        shutil.move(str(render_dir), str(_media_root() / rel_render))
        PageRender.objects.bulk_create([
            PageRender(version=version, page=r["page"], size=r["size"], file=str(rel_render / r["file"]),
                       width=r["width"], height=r["height"]) for r in renders
        ], ignore_conflicts=True)
    material.current_version = version
    material.save(update_fields=["current_version"])
    if previous is not None:
        Note.objects.filter(material=material).update(version=version, page_may_have_changed=True)
    log_event(actor=actor, action="meetings.material.version", obj=material,
              details={"version": number, "pages": page_count, "sha256": sha})
    if previous is not None and meeting.status in (Meeting.Status.PUBLISHED, Meeting.Status.IN_PROGRESS) \
            and material.is_published():
        notify(recipients=list(selectors.attendee_users(meeting)), title=gettext_lazy("A meeting material was replaced"),
               body=f"{meeting.title}: {material.title} (v{number})",
               url=reverse("meetings:viewer", args=[material.pk]), kind="meetings.material")
    return version


def extract_trusted_texts(data: bytes) -> list[str]:
    import io

    from pypdf import PdfReader

    return [(p.extract_text() or "")[:20000] for p in PdfReader(io.BytesIO(data)).pages]


def store_trusted_version(*, actor: User, material: Material, data: bytes, filename: str,
                          texts: list[str] | None = None) -> MaterialVersion:
    """For PDFs this server generated itself (demo, tests): parsed in-process, pages rendered lazily."""
    if texts is None:
        texts = extract_trusted_texts(data)
    tmp = _tmp_dir() / f"{uuid.uuid4().hex}.pdf"
    tmp.write_bytes(data)
    with transaction.atomic():
        return _store_version(material=material, src=tmp, filename=filename, size=len(data),
                              page_count=len(texts), texts=texts, actor=actor)


def _store_minutes(upload: Upload, tmp: Path, result) -> Minutes:
    meeting = upload.meeting
    rel_dir = Path("meetings") / str(meeting.pk)
    (_media_root() / rel_dir).mkdir(parents=True, exist_ok=True)
    rel = rel_dir / f"minutes-{uuid.uuid4().hex[:8]}.pdf"
    size = tmp.stat().st_size
    shutil.move(str(tmp), str(_media_root() / rel))
    minutes, _created = Minutes.objects.update_or_create(meeting=meeting, defaults={
        "file": str(rel), "filename": upload.filename, "size": size, "page_count": result.pages,
        "text": "\n\f".join(result.texts)[:2_000_000], "uploaded_by": upload.uploaded_by,
        "created_at": timezone.now(),
    })
    log_event(actor=upload.uploaded_by, action="meetings.minutes.upload", obj=meeting,
              details={"pages": result.pages})
    return minutes


def cleanup_stale_uploads(*, older_than: datetime.timedelta = datetime.timedelta(hours=2)) -> int:
    """Refuse uploads a dead task worker left queued or processing, and delete their temporary files."""
    cutoff = timezone.now() - older_than
    stale = list(Upload.objects.filter(status__in=[Upload.Status.QUEUED, Upload.Status.PROCESSING],
                                       created_at__lt=cutoff).select_related("meeting", "uploaded_by"))
    for upload in stale:
        tmp = _media_root() / upload.tmp_path if upload.tmp_path else None
        _refuse(upload, "timeout", tmp, tmp.with_suffix(".r") if tmp else None)
    return len(stale)


def render_pages(*, version: MaterialVersion, pages: list[int], batch: int = 24) -> int:
    """Render missing page images in the child process (lazy rendering of trusted demo files, or
    renders lost from disk). One renderer per version at a time: concurrent requests (a viewer loading
    all thumbnails at once) wait for it instead of starting their own child processes."""
    import time

    from django.core.cache import cache

    first = min(pages)
    wanted = list(range(first, min(version.page_count, first + batch - 1) + 1))
    wanted = sorted(set(wanted) | {p for p in pages if 1 <= p <= version.page_count})
    lock = f"meetings:render:{version.pk}"
    deadline = time.monotonic() + float(getattr(settings, "MEETINGS_WORKER_TIMEOUT", 120))
    while not cache.add(lock, 1, timeout=int(deadline - time.monotonic()) + 1):
        if PageRender.objects.filter(version=version, page__in=pages).count() >= len(pages) * 2 \
                or time.monotonic() > deadline:
            return 0
        time.sleep(0.1)
    try:
        have = set(PageRender.objects.filter(version=version, page__in=wanted).values_list("page", flat=True))
        todo = [p for p in wanted if p not in have]
        if not todo:
            return 0
        rel_dir = Path(version.file).with_suffix("")
        outdir = _media_root() / rel_dir
        result = pdfjobs.run_worker(str(_media_root() / version.file), outdir=str(outdir), pages=todo,
                                    render_only=True, text=False)
        if not result.ok:
            log.warning("render of %s pages %s failed: %s", version.pk, todo, result.code)
            return 0
        PageRender.objects.bulk_create([
            PageRender(version=version, page=r["page"], size=r["size"], file=str(rel_dir / r["file"]),
                       width=r["width"], height=r["height"]) for r in result.renders
        ], ignore_conflicts=True)
        return len(todo)
    finally:
        cache.delete(lock)


# ---------------------------------------------------------------- viewer, notes, downloads


@transaction.atomic
def save_note(*, actor: User, material: Material, page: int, text: str) -> Note | None:
    version = material.current_version
    if version is None or not 1 <= page <= version.page_count:
        raise DomainError(_("There is no such page."))
    text = (text or "").strip()[:4000]
    if not text:
        Note.objects.filter(user=actor, material=material, page=page).delete()
        return None
    note, _created = Note.objects.update_or_create(
        user=actor, material=material, page=page,
        defaults={"text": text, "version": version, "page_may_have_changed": False},
    )
    return note


@transaction.atomic
def log_material_access(*, actor: User, material: Material, action: str, version: MaterialVersion | None = None,
                        details: dict | None = None) -> None:
    log_event(actor=actor, action=f"meetings.material.{action}", obj=material,
              details={"version": version.number if version else None, "meeting": material.item.meeting_id,
                       **(details or {})})


@transaction.atomic
def log_minutes_download(*, actor: User, meeting: Meeting) -> None:
    log_event(actor=actor, action="meetings.minutes.download", obj=meeting)


def stamp_text(user: User) -> str:
    profile = getattr(user, "staff", None)
    number = profile.employee_number if profile else user.username
    now = timezone.localtime().strftime("%Y-%m-%d %H:%M")
    with translation.override(settings.LANGUAGE_CODE):
        return _("Copy for %(name)s (staff no. %(number)s), %(time)s. Do not copy or pass on.") % {
            "name": user.display_name(), "number": number, "time": now}


def download_version(*, actor: User, version: MaterialVersion) -> tuple[bytes | Path, str]:
    """The PDF for download: the file itself, or for a confidential meeting a stamped copy. Logged."""
    material = version.material
    meeting = material.item.meeting
    path = _media_root() / version.file
    if meeting.is_confidential:
        from meetings.pdfbuild import stamped_copy

        data = stamped_copy(str(path), stamp_text(actor))
        log_material_access(actor=actor, material=material, action="download_stamped", version=version)
        return data, f"{material.title}-v{version.number}-copy.pdf"
    log_material_access(actor=actor, material=material, action="download", version=version)
    return path, f"{material.title}-v{version.number}.pdf"


def build_binder(*, actor: User, meeting: Meeting) -> bytes:
    """The whole meeting as one PDF; stamped for a confidential meeting. Every download is logged."""
    from meetings.pdfbuild import BinderPart, CoverItem, build_binder, cover_pdf

    manage = selectors.can_manage(actor, meeting)
    items = selectors.agenda(meeting, only_published=not manage)
    local_start = timezone.localtime(meeting.starts_at)
    local_end = timezone.localtime(meeting.ends_at)
    with translation.override(settings.LANGUAGE_CODE):
        lines = [
            _("Date: %(date)s %(start)s–%(end)s") % {"date": local_start.strftime("%Y-%m-%d"),
                                                     "start": local_start.strftime("%H:%M"),
                                                     "end": local_end.strftime("%H:%M")},
            _("Place: %(place)s") % {"place": meeting.place or meeting.online_url or "-"},
            _("Organised by: %(section)s") % {"section": meeting.section.name},
        ]
        if meeting.is_confidential:
            lines.append(_("Confidential"))
        cover_items, parts = [], []
        for item in items:
            mats = [m for m in item.material_list if m.current_version_id]
            cover_items.append(CoverItem(
                position=item.position, title=item.title,
                time=item.starts_at.strftime("%H:%M") if item.starts_at else "",
                presenter=item.presenter.display_name() if item.presenter else "",
                materials=[(m.title, m.current_version.page_count) for m in mats]))
            if mats:
                parts.append(BinderPart(
                    item_title=f"{item.position}. {item.title}", item_label=str(item.position),
                    materials=[(m.title, f"{item.position}-{m.position}", str(_media_root() / m.current_version.file))
                               for m in mats]))
        cover = cover_pdf(title=meeting.title, lines=lines, heading_agenda=_("Agenda"), items=cover_items)
        data = build_binder(cover=cover, parts=parts, stamp=stamp_text(actor) if meeting.is_confidential else None,
                            cover_label=_("Cover"))
    with transaction.atomic():
        log_event(actor=actor, action="meetings.binder.download", obj=meeting,
                  details={"stamped": meeting.is_confidential, "bytes": len(data)})
    return data


# ---------------------------------------------------------------- live presenter mode


def _broadcast(meeting_id: int) -> None:
    from asgiref.sync import async_to_sync
    from channels.layers import get_channel_layer

    from meetings.live import LAYER_ALIAS, ensure_layer, group_name

    ensure_layer()
    meeting = Meeting.objects.select_related("live_version", "presenter__staff").get(pk=meeting_id)
    layer = get_channel_layer(LAYER_ALIAS)
    if layer is not None:
        try:
            async_to_sync(layer.group_send)(group_name(meeting_id),
                                            {"type": "live.state", "state": selectors.live_state(meeting)})
        except Exception:  # noqa: BLE001 - a push must never break the write that caused it
            log.warning("live broadcast for meeting %s failed", meeting_id, exc_info=True)


def _refuse_command(actor: User, meeting_id: int, details: dict) -> None:
    with transaction.atomic():
        log_event(actor=actor, action="meetings.live.refused", object_type="meetings.meeting",
                  object_id=str(meeting_id), details=details)
    raise DomainError(_("Only the presenter may turn the pages."), code="not_presenter")


def set_live_page(*, actor: User, meeting_id: int, version_id: int | None, page: int) -> dict:
    """Presenter command: show ``version`` at ``page``. Returns the new state.

    Refused (DomainError, nothing changed) for a meeting not live or a user who may not present;
    a refused command from a non-presenter is written to the audit log.
    """
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().get(pk=meeting_id)
        if meeting.status not in (Meeting.Status.PUBLISHED, Meeting.Status.IN_PROGRESS):
            raise DomainError(_("Presenting is possible only for a published meeting in progress."), code="not_live")
        version = None
        if version_id is not None:
            version = MaterialVersion.objects.select_related("material__item").filter(
                pk=version_id, material__item__meeting=meeting).first()
        elif meeting.live_version_id:
            version = MaterialVersion.objects.select_related("material__item").get(pk=meeting.live_version_id)
        allowed = version is not None and selectors.can_present(actor, meeting, version.material)
        if version is not None and allowed:
            page = max(1, min(int(page), version.page_count))
            material_changed = meeting.live_version_id != version.pk or meeting.presenter_id != actor.pk
            meeting.live_version = version
            meeting.live_page = page
            meeting.presenter = actor
            meeting.live_seq += 1
            meeting.save(update_fields=["live_version", "live_page", "presenter", "live_seq", "updated_at"])
            if material_changed:
                log_event(actor=actor, action="meetings.live.present", obj=meeting,
                          details={"material": version.material_id, "version": version.number})
            return selectors.live_state(meeting)
    if version is None and selectors.can_present(actor, meeting):
        raise DomainError(_("Choose a material to present."), code="no_material")
    _refuse_command(actor, meeting_id, {"command": "goto", "version": version_id, "page": page})


def stop_presenting(*, actor: User, meeting_id: int) -> dict:
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().get(pk=meeting_id)
        if meeting.presenter_id == actor.pk or selectors.can_manage(actor, meeting):
            meeting.live_version = None
            meeting.presenter = None
            meeting.live_seq += 1
            meeting.save(update_fields=["live_version", "presenter", "live_seq", "updated_at"])
            log_event(actor=actor, action="meetings.live.stop", obj=meeting)
            return selectors.live_state(meeting)
    _refuse_command(actor, meeting_id, {"command": "stop"})


def record_presence(*, meeting_id: int, user: User) -> None:
    """A connection during the meeting counts as attendance, unless the organiser corrected it."""
    meeting = Meeting.objects.filter(pk=meeting_id).only("status", "starts_at", "ends_at").first()
    if meeting is None or meeting.status not in (Meeting.Status.PUBLISHED, Meeting.Status.IN_PROGRESS):
        return
    now = timezone.now()
    if meeting.status != Meeting.Status.IN_PROGRESS and not (
        meeting.starts_at - datetime.timedelta(minutes=30) <= now <= meeting.ends_at
    ):
        return
    Attendance.objects.get_or_create(meeting_id=meeting_id, user=user,
                                     defaults={"present": True, "first_seen_at": now})


@transaction.atomic
def correct_attendance(*, actor: User, meeting: Meeting, user: User, present: bool) -> Attendance:
    _require_manager(actor, meeting)
    att, _created = Attendance.objects.update_or_create(
        meeting=meeting, user=user, defaults={"present": present, "source": Attendance.Source.ORGANISER})
    log_event(actor=actor, action="meetings.attendance.correct", obj=meeting, subject=user,
              details={"present": present})
    return att

"""Thin views: parse, call a selector or a service, render. DomainError → message, nothing changed."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from meetings import selectors, services
from meetings.forms import AgendaItemForm, AttendeeForm, MaterialForm, MeetingForm, UploadForm
from meetings.models import AgendaItem, Attendee, Meeting, Minutes, Upload
from workstyle.errors import DomainError
from workstyle.models import OrgUnit, User
from workstyle.selectors.org import active_user_by_number, profile_of


def _private(response):
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def index(request):
    q = request.GET.get("q", "").strip()
    results = selectors.search(request.user, q) if q else None
    meetings = (selectors.visible_meetings(request.user).select_related("section")
                .order_by("-starts_at", "-id")[:100])
    return render(request, "meetings/index.html", {
        "meetings": meetings, "q": q, "results": results, "can_create": profile_of(request.user) is not None,
    })


@login_required
def create(request):
    profile = profile_of(request.user)
    if profile is None:
        raise Http404
    form = MeetingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            meeting = services.create_meeting(actor=request.user, section=profile.section, **form.cleaned_data)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Meeting created. Add attendees and the agenda, then publish it."))
            return redirect("meetings:detail", meeting.pk)
    return render(request, "meetings/form.html", {"form": form, "meeting": None})


@login_required
def edit(request, meeting_id: int):
    meeting = selectors.meeting_for_manager(request.user, meeting_id)
    form = MeetingForm(request.POST or None, instance=Meeting.objects.get(pk=meeting.pk))
    if request.method == "POST" and form.is_valid():
        try:
            services.update_meeting(actor=request.user, meeting=meeting, **form.cleaned_data)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Meeting saved."))
            return redirect("meetings:detail", meeting.pk)
    return render(request, "meetings/form.html", {"form": form, "meeting": meeting})


@login_required
def detail(request, meeting_id: int):
    meeting = selectors.meeting_for_user(request.user, meeting_id)
    manage = selectors.can_manage(request.user, meeting)
    reason = selectors.materials_access_reason(request.user, meeting)
    items = selectors.agenda(meeting, only_published=not manage)
    minutes = Minutes.objects.filter(meeting=meeting).first()
    uploads = list(meeting.uploads.filter(status__in=[Upload.Status.QUEUED, Upload.Status.PROCESSING,
                                                      Upload.Status.REFUSED]).order_by("-id")[:10]) if manage else []
    for up in uploads:
        up.refusal_text = services.refusal_message(up.message) if up.status == Upload.Status.REFUSED else ""
    return _private(render(request, "meetings/detail.html", {
        "meeting": meeting, "manage": manage, "items": items, "access_reason": reason,
        "attendees": selectors.attendee_rows(meeting) if manage else None,
        "invited": selectors.invited_count(meeting),
        "organisers": meeting.organisers.select_related("staff"),
        "sheets": selectors.paper_saved_for_meeting(meeting), "duplex": selectors.assume_duplex(),
        "minutes": minutes, "uploads": uploads,
        "attendee_form": AttendeeForm(), "item_form": AgendaItemForm(), "material_form": MaterialForm(),
        "upload_form": UploadForm(), "transitions": sorted(services.TRANSITIONS.get(meeting.status, ())),
    }))


def _done(request, meeting, ok_message=None):
    if ok_message:
        messages.success(request, ok_message)
    return redirect("meetings:detail", meeting.pk)


@login_required
@require_POST
def status(request, meeting_id: int):
    meeting = selectors.meeting_for_manager(request.user, meeting_id)
    try:
        services.change_status(actor=request.user, meeting=meeting, to=request.POST.get("to", ""))
    except (DomainError, ValueError) as exc:
        messages.error(request, getattr(exc, "message", str(exc)))
        return redirect("meetings:detail", meeting.pk)
    return _done(request, meeting, _("Status changed."))


@login_required
@require_POST
def attendee_add(request, meeting_id: int):
    meeting = selectors.meeting_for_manager(request.user, meeting_id)
    form = AttendeeForm(request.POST)
    form.is_valid()
    data = form.cleaned_data
    user = section = None
    if data.get("employee_number"):
        user = active_user_by_number(data["employee_number"])
        if user is None:
            messages.error(request, _("No active member of staff has that number."))
            return redirect("meetings:detail", meeting.pk)
    if data.get("section_code"):
        section = OrgUnit.objects.filter(code=data["section_code"], is_active=True).first()
        if section is None:
            messages.error(request, _("No organisation unit has that code."))
            return redirect("meetings:detail", meeting.pk)
    try:
        services.add_attendee(actor=request.user, meeting=meeting, user=user, section=section,
                              guest_name=data.get("guest_name", ""))
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("meetings:detail", meeting.pk)
    return _done(request, meeting, _("Attendee added."))


@login_required
@require_POST
def organiser_add(request, meeting_id: int):
    meeting = selectors.meeting_for_manager(request.user, meeting_id)
    user = active_user_by_number(request.POST.get("employee_number", ""))
    if user is None:
        messages.error(request, _("No active member of staff has that number."))
        return redirect("meetings:detail", meeting.pk)
    try:
        services.add_organiser(actor=request.user, meeting=meeting, user=user)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("meetings:detail", meeting.pk)
    return _done(request, meeting, _("Organiser added."))


@login_required
@require_POST
def attendee_remove(request, meeting_id: int, attendee_id: int):
    meeting = selectors.meeting_for_manager(request.user, meeting_id)
    attendee = Attendee.objects.filter(pk=attendee_id, meeting=meeting).first()
    if attendee is None:
        raise Http404
    try:
        services.remove_attendee(actor=request.user, attendee=attendee)
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("meetings:detail", meeting.pk)


@login_required
@require_POST
def item_add(request, meeting_id: int):
    meeting = selectors.meeting_for_manager(request.user, meeting_id)
    form = AgendaItemForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Check the agenda item: %(errors)s") % {"errors": form.errors.as_text()})
        return redirect("meetings:detail", meeting.pk)
    presenter = None
    if form.cleaned_data["presenter"]:
        presenter = active_user_by_number(form.cleaned_data["presenter"])
        if presenter is None:
            messages.error(request, _("No active member of staff has that number."))
            return redirect("meetings:detail", meeting.pk)
    try:
        services.add_agenda_item(actor=request.user, meeting=meeting, title=form.cleaned_data["title"],
                                 presenter=presenter, starts_at=form.cleaned_data["starts_at"],
                                 duration_minutes=form.cleaned_data["duration_minutes"] or 10)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("meetings:detail", meeting.pk)
    return _done(request, meeting, _("Agenda item added."))


@login_required
@require_POST
def material_add(request, meeting_id: int, item_id: int):
    meeting = selectors.meeting_for_manager(request.user, meeting_id)
    item = AgendaItem.objects.filter(pk=item_id, meeting=meeting).first()
    if item is None:
        raise Http404
    form = MaterialForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Check the material: %(errors)s") % {"errors": form.errors.as_text()})
        return redirect("meetings:detail", meeting.pk)
    item.meeting = meeting
    try:
        services.add_material(actor=request.user, item=item, **form.cleaned_data)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("meetings:detail", meeting.pk)
    return _done(request, meeting, _("Material added. Upload its PDF."))


@login_required
@require_POST
def upload(request, meeting_id: int, material_id: int | None = None):
    meeting = selectors.meeting_for_manager(request.user, meeting_id)
    material = None
    kind = Upload.Kind.MINUTES
    if material_id is not None:
        meeting_materials = {m.pk: m for item in selectors.agenda(meeting) for m in item.material_list}
        material = meeting_materials.get(material_id)
        if material is None:
            raise Http404
        material.item.meeting = meeting
        kind = Upload.Kind.MATERIAL
    f = request.FILES.get("file")
    if f is None:
        messages.error(request, _("Choose a PDF file."))
        return redirect("meetings:detail", meeting.pk)
    try:
        up = services.start_upload(actor=request.user, meeting=meeting, material=material, kind=kind,
                                   uploaded_file=f)
    except DomainError as exc:
        if request.htmx:
            return render(request, "meetings/_upload_status.html", {"error": exc.message}, status=400)
        messages.error(request, exc.message)
        return redirect("meetings:detail", meeting.pk)
    if request.htmx:
        return _upload_status(request, up)
    if up.status == Upload.Status.REFUSED:
        messages.error(request, services.refusal_message(up.message))
    elif up.status == Upload.Status.DONE:
        messages.success(request, _("The PDF was checked and stored."))
    else:
        messages.info(request, _("The PDF is being checked and rendered; this page shows the progress."))
    return redirect("meetings:detail", meeting.pk)


@login_required
@require_GET
def upload_status(request, upload_id: int):
    return _upload_status(request, selectors.upload_for_user(request.user, upload_id))


def _upload_status(request, up):
    up.refusal_text = services.refusal_message(up.message) if up.status == Upload.Status.REFUSED else ""
    return render(request, "meetings/_upload_status.html", {
        "up": up, "final": up.status in (Upload.Status.DONE, Upload.Status.REFUSED),
    })


def _materials_json(request, meeting, items):
    out = {}
    for item in items:
        for m in item.material_list:
            if m.current_version_id:
                out[m.pk] = {"title": m.title, "version": m.current_version_id,
                             "pages": m.current_version.page_count, "item": item.title}
    return out


@login_required
def viewer(request, material_id: int):
    material = selectors.material_for_user(request.user, material_id)
    meeting = material.item.meeting
    version = material.current_version
    requested = request.GET.get("v")
    if requested and requested.isdigit():
        version = material.versions.filter(pk=int(requested)).first() or version
    if version is None:
        messages.info(request, _("This material has no file yet."))
        return redirect("meetings:detail", meeting.pk)
    services.log_material_access(actor=request.user, material=material, action="view", version=version)
    notes = selectors.notes_for(request.user, material)
    items = selectors.agenda(meeting, only_published=not selectors.can_manage(request.user, meeting))
    return _private(render(request, "meetings/viewer.html", {
        "meeting": meeting, "material": material, "version": version, "live": False,
        "versions": material.versions.order_by("-number"),
        "notes_json": {p: {"text": n.text, "changed": n.page_may_have_changed} for p, n in notes.items()},
        "materials_json": _materials_json(request, meeting, items),
        "can_present": selectors.can_present(request.user, meeting, material),
        "pages": range(1, version.page_count + 1),
    }))


@login_required
def live(request, meeting_id: int):
    meeting = selectors.meeting_for_user(request.user, meeting_id)
    if selectors.materials_access_reason(request.user, meeting):
        raise Http404
    manage = selectors.can_manage(request.user, meeting)
    items = selectors.agenda(meeting, only_published=not manage)
    materials = _materials_json(request, meeting, items)
    first = next(iter(materials.items()), None)
    return _private(render(request, "meetings/viewer.html", {
        "meeting": meeting, "material": None, "version": None, "live": True, "items": items,
        "materials_json": materials, "first": first,
        "can_present": selectors.can_present(request.user, meeting),
        "notes_json": {},
    }))


@login_required
@require_GET
def notes_json(request, material_id: int):
    material = selectors.material_for_user(request.user, material_id)
    notes = selectors.notes_for(request.user, material)
    return _private(JsonResponse({str(p): {"text": n.text, "changed": n.page_may_have_changed}
                                  for p, n in notes.items()}))


@login_required
@require_POST
def note_save(request, material_id: int, page: int):
    material = selectors.material_for_user(request.user, material_id)
    try:
        note = services.save_note(actor=request.user, material=material, page=page, text=request.POST.get("text", ""))
    except DomainError as exc:
        return JsonResponse({"error": str(exc.message)}, status=400)
    return JsonResponse({"saved": True, "text": note.text if note else ""})


@login_required
@require_GET
def page_image(request, version_id: int, page: int, size: str):
    path, ctype = selectors.page_image_file(request.user, version_id, page, size)
    return _private(FileResponse(open(path, "rb"), content_type=ctype))


@login_required
@require_GET
def download(request, version_id: int):
    version = selectors.version_for_user(request.user, version_id)
    data, filename = services.download_version(actor=request.user, version=version)
    if isinstance(data, bytes):
        resp = HttpResponse(data, content_type="application/pdf")
        resp["Content-Disposition"] = f"attachment; filename*=UTF-8''{_quote(filename)}"
    else:
        resp = FileResponse(open(data, "rb"), content_type="application/pdf", as_attachment=True, filename=filename)
    return _private(resp)


def _quote(name: str) -> str:
    from urllib.parse import quote

    return quote(name)


@login_required
@require_GET
def binder(request, meeting_id: int):
    meeting = selectors.meeting_for_user(request.user, meeting_id)
    if selectors.materials_access_reason(request.user, meeting):
        raise Http404
    data = services.build_binder(actor=request.user, meeting=meeting)
    resp = HttpResponse(data, content_type="application/pdf")
    resp["Content-Disposition"] = f"attachment; filename*=UTF-8''{_quote(meeting.title)}.pdf"
    return _private(resp)


@login_required
def attendance(request, meeting_id: int):
    meeting = selectors.meeting_for_manager(request.user, meeting_id)
    if request.method == "POST":
        user = User.objects.filter(pk=request.POST.get("user")).first()
        if user is None or not selectors.attendee_users(meeting).filter(pk=user.pk).exists():
            raise Http404
        try:
            services.correct_attendance(actor=request.user, meeting=meeting, user=user,
                                        present=request.POST.get("present") == "1")
        except DomainError as exc:
            messages.error(request, exc.message)
        return redirect("meetings:attendance", meeting.pk)
    return _private(render(request, "meetings/attendance.html", {
        "meeting": meeting, "rows": selectors.attendance_rows(meeting)}))


@login_required
@require_GET
def minutes(request, meeting_id: int):
    meeting = selectors.meeting_for_user(request.user, meeting_id)
    if selectors.materials_access_reason(request.user, meeting) or not hasattr(meeting, "minutes"):
        raise Http404
    m = meeting.minutes
    services.log_minutes_download(actor=request.user, meeting=meeting)
    return _private(FileResponse(open(selectors.media_path(m.file), "rb"), content_type="application/pdf",
                                 as_attachment=True, filename=m.filename))


@login_required
@require_GET
def materials_status(request, meeting_id: int):
    """JSON used by tests and the live page: materials with their current versions."""
    meeting = selectors.meeting_for_user(request.user, meeting_id)
    if selectors.materials_access_reason(request.user, meeting):
        raise Http404
    items = selectors.agenda(meeting, only_published=not selectors.can_manage(request.user, meeting))
    return JsonResponse({"materials": _materials_json(request, meeting, items)})


"""Reads with access built in. Every meeting, material, page image, PDF and binder URL goes through here.

Who sees a meeting: its organisers, its attendees (named, or through a whole section they belong to,
including sections below an attending department) and admins. Drafts: organisers and admins only.
Everyone else gets 404. After a confidential meeting's access end date attendees still see the meeting
but no longer its materials (403).
"""

from __future__ import annotations

import datetime
import math
from collections import defaultdict
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from meetings.models import (
    AgendaItem,
    Attendance,
    Attendee,
    Material,
    MaterialVersion,
    Meeting,
    Note,
    PageRender,
    Upload,
)
from workstyle.models import StaffProfile, User
from workstyle.roles import is_admin
from workstyle.selectors.org import profile_of

ACTIVE_STATUSES = (Meeting.Status.PUBLISHED, Meeting.Status.IN_PROGRESS, Meeting.Status.ENDED, Meeting.Status.ARCHIVED)


def media_path(relative: str) -> Path:
    root = Path(settings.MEDIA_ROOT).resolve()
    path = (root / relative).resolve()
    if root not in path.parents:
        raise Http404
    return path


def _section_prefixes(user) -> list[str]:
    profile = profile_of(user)
    if profile is None:
        return []
    path = profile.section.path
    parts = [p for p in path.split("/") if p]
    return ["/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


def _attendee_q(user, prefix: str = "") -> Q:
    prefixes = _section_prefixes(user)
    q = Q(**{f"{prefix}attendees__user": user})
    if prefixes:
        q |= Q(**{f"{prefix}attendees__section__path__in": prefixes})
    return q


def visible_meetings(user) -> QuerySet[Meeting]:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Meeting.objects.none()
    if is_admin(user):
        return Meeting.objects.all()
    organised = Meeting.objects.filter(organisers=user).values("pk")
    attending = Meeting.objects.filter(_attendee_q(user), status__in=ACTIVE_STATUSES + (Meeting.Status.CANCELLED,))
    return Meeting.objects.filter(Q(pk__in=organised) | Q(pk__in=attending.values("pk")))


def is_organiser(user, meeting: Meeting) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    cache = getattr(meeting, "_organiser_ids", None)
    if cache is None:
        cache = set(meeting.organisers.values_list("pk", flat=True))
        meeting._organiser_ids = cache
    return user.pk in cache


def can_manage(user, meeting: Meeting) -> bool:
    return is_organiser(user, meeting) or is_admin(user)


def is_attendee(user, meeting: Meeting) -> bool:
    return Attendee.objects.filter(Q(meeting=meeting) & (Q(user=user) | Q(
        section__path__in=_section_prefixes(user) or ["-"]))).exists()


def can_present(user, meeting: Meeting, material: Material | None = None) -> bool:
    """Organisers, admins, and the presenter of the agenda item being shown."""
    if can_manage(user, meeting):
        return True
    if material is not None:
        return material.item.presenter_id == user.pk
    return AgendaItem.objects.filter(meeting=meeting, presenter=user).exists()


def meeting_for_user(user, meeting_id: int) -> Meeting:
    meeting = visible_meetings(user).select_related("section").filter(pk=meeting_id).first()
    if meeting is None:
        raise Http404
    return meeting


def meeting_for_manager(user, meeting_id: int) -> Meeting:
    meeting = meeting_for_user(user, meeting_id)
    if not can_manage(user, meeting):
        raise Http404
    return meeting


def materials_access_reason(user, meeting: Meeting) -> str | None:
    """None when the user may open the meeting's materials, else why not."""
    if can_manage(user, meeting):
        return None
    if meeting.status == Meeting.Status.CANCELLED:
        return "cancelled"
    ends = meeting.access_ends_at
    if ends is not None and timezone.now() > ends:
        return "access_ended"
    return None


def material_for_user(user, material_id: int) -> Material:
    material = Material.objects.select_related("item__meeting", "current_version").filter(pk=material_id).first()
    if material is None:
        raise Http404
    meeting = meeting_for_user(user, material.item.meeting_id)
    if not can_manage(user, meeting) and not material.is_published():
        raise Http404
    if materials_access_reason(user, meeting):
        raise PermissionDenied
    material.item.meeting = meeting
    return material


def version_for_user(user, version_id: int) -> MaterialVersion:
    version = MaterialVersion.objects.filter(pk=version_id).only("material_id").first()
    if version is None:
        raise Http404
    material = material_for_user(user, version.material_id)
    version = MaterialVersion.objects.get(pk=version_id)
    version.material = material
    return version


def page_image_file(user, version_id: int, page: int, size: str) -> tuple[Path, str]:
    """(file path, content type) of a page image the user may see; renders a missing page in the child."""
    if size not in PageRender.Size.values:
        raise Http404
    version = version_for_user(user, version_id)
    if not 1 <= page <= version.page_count:
        raise Http404
    render = PageRender.objects.filter(version=version, page=page, size=size).first()
    if render is None:
        from meetings.services import render_pages

        render_pages(version=version, pages=[page])
        render = PageRender.objects.filter(version=version, page=page, size=size).first()
        if render is None:
            raise Http404
    path = media_path(render.file)
    ctype = "image/webp" if render.file.endswith(".webp") else "image/png"
    return path, ctype


def agenda(meeting: Meeting, *, user=None, only_published: bool = False) -> list[AgendaItem]:
    """Items with their materials and current versions in two queries."""
    items = list(AgendaItem.objects.filter(meeting=meeting).select_related("presenter__staff").order_by("position"))
    mats = Material.objects.filter(item__meeting=meeting).select_related("current_version").order_by(
        "item__position", "position", "id")
    now = timezone.now()
    by_item: dict[int, list[Material]] = defaultdict(list)
    for m in mats:
        if only_published and not m.is_published(now):
            continue
        by_item[m.item_id].append(m)
    for item in items:
        item.material_list = by_item.get(item.pk, [])
    return items


def attendee_rows(meeting: Meeting) -> list[Attendee]:
    return list(meeting.attendees.select_related("user__staff", "section").order_by("id"))


def attendee_users(meeting: Meeting) -> QuerySet[User]:
    """Every person invited: named attendees and active staff of attending sections (and below)."""
    section_paths = list(meeting.attendees.filter(section__isnull=False).values_list("section__path", flat=True))
    q = Q(pk__in=meeting.attendees.filter(user__isnull=False).values("user_id"))
    for path in section_paths:
        q |= Q(staff__section__path__startswith=path, staff__is_active=True)
    return User.objects.filter(q, is_active=True).distinct()


def invited_count(meeting: Meeting) -> int:
    return attendee_users(meeting).count()


def assume_duplex() -> bool:
    return bool(getattr(settings, "MEETINGS_ASSUME_DUPLEX", True))


def sheets_for(pages: int, copies: int, duplex: bool | None = None) -> int:
    duplex = assume_duplex() if duplex is None else duplex
    return (math.ceil(pages / 2) if duplex else pages) * copies


def paper_saved_for_meeting(meeting: Meeting) -> int:
    """A4 sheets not printed: each current material printed once per attendee and organiser.

    Assumptions (shown on the meeting page): one copy per invited person (named attendees, staff of
    attending sections, organisers; external guests count one copy each as they would get paper), each
    material printed on its own sheets, duplex when ``MEETINGS_ASSUME_DUPLEX`` (default True).
    """
    if meeting.status in (Meeting.Status.DRAFT, Meeting.Status.CANCELLED):
        return 0
    pages = list(Material.objects.filter(item__meeting=meeting, current_version__isnull=False)
                 .values_list("current_version__page_count", flat=True))
    if not pages:
        return 0
    users = set(attendee_users(meeting).values_list("pk", flat=True))
    users |= set(meeting.organisers.values_list("pk", flat=True))
    guests = meeting.attendees.exclude(guest_name="").count()
    copies = len(users) + guests
    return sum(sheets_for(p, copies) for p in pages)


def paper_saved_by_section_month(*, start: datetime.date, end: datetime.date) -> list[tuple[int, datetime.date, int]]:
    """(organising section id, first day of month, A4 sheets not printed) for meetings held in [start, end].

    At most five queries whatever the number of meetings: meetings, material pages, attendees,
    organisers, and the staff of attending units.
    """
    tz = timezone.get_current_timezone()
    lo = datetime.datetime.combine(start, datetime.time.min, tzinfo=tz)
    hi = datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz)
    rows = list(
        Meeting.objects.filter(starts_at__gte=lo, starts_at__lt=hi)
        .exclude(status__in=[Meeting.Status.DRAFT, Meeting.Status.CANCELLED])
        .values_list("pk", "section_id", "starts_at")
    )
    if not rows:
        return []
    meetings = {pk: section_id for pk, section_id, _ in rows}
    starts = {pk: start for pk, _, start in rows}
    pages: dict[int, list[int]] = defaultdict(list)
    for mid, count in Material.objects.filter(item__meeting__in=meetings, current_version__isnull=False).values_list(
        "item__meeting_id", "current_version__page_count"
    ):
        pages[mid].append(count)
    people: dict[int, set] = defaultdict(set)
    guests: dict[int, int] = defaultdict(int)
    section_paths: dict[int, list[str]] = defaultdict(list)
    for mid, uid, spath, guest in Attendee.objects.filter(meeting__in=meetings).values_list(
        "meeting_id", "user_id", "section__path", "guest_name"
    ):
        if uid:
            people[mid].add(("u", uid))
        elif spath:
            section_paths[mid].append(spath)
        elif guest:
            guests[mid] += 1
    for mid, uid in Meeting.organisers.through.objects.filter(meeting_id__in=meetings).values_list(
        "meeting_id", "user_id"
    ):
        people[mid].add(("u", uid))
    all_paths = {p for paths in section_paths.values() for p in paths}
    staff_by_path: dict[str, set[int]] = defaultdict(set)
    if all_paths:
        q = Q()
        for p in all_paths:
            q |= Q(section__path__startswith=p)
        for uid, spath in StaffProfile.objects.filter(q, is_active=True).values_list("user_id", "section__path"):
            for p in all_paths:
                if spath.startswith(p):
                    staff_by_path[p].add(uid)
    totals: dict[tuple[int, datetime.date], int] = defaultdict(int)
    for mid, section_id in meetings.items():
        if not pages.get(mid):
            continue
        who = {uid for _, uid in people[mid]}
        for p in section_paths.get(mid, []):
            who |= staff_by_path[p]
        copies = len(who) + guests[mid]
        local = timezone.localtime(starts[mid], tz)
        month = datetime.date(local.year, local.month, 1)
        totals[(section_id, month)] += sum(sheets_for(n, copies) for n in pages[mid])
    return sorted((sid, month, sheets) for (sid, month), sheets in totals.items())


def upload_for_user(user, upload_id: int) -> Upload:
    upload = Upload.objects.select_related("meeting").filter(pk=upload_id).first()
    if upload is None or not can_manage(user, upload.meeting):
        raise Http404
    return upload


def notes_for(user, material: Material) -> dict[int, Note]:
    return {n.page: n for n in Note.objects.filter(user=user, material=material)}


def attendance_rows(meeting: Meeting) -> list[dict]:
    invited = list(attendee_users(meeting).select_related("staff").order_by("username"))
    records = {a.user_id: a for a in Attendance.objects.filter(meeting=meeting)}
    return [{"user": u, "record": records.get(u.pk)} for u in invited]


def search(user, query: str, limit: int = 50) -> list[dict]:
    """Meetings and materials matching ``query`` in titles or in PDF text, among those the user may see."""
    q = (query or "").strip()
    if not q:
        return []
    visible = visible_meetings(user)
    results: list[dict] = []
    for m in visible.filter(title__icontains=q).select_related("section").order_by("-starts_at")[:limit]:
        results.append({"kind": "meeting", "meeting": m, "material": None, "snippet": ""})
    text_match = MaterialVersion.objects.filter(material=OuterRef("pk"), text__icontains=q)
    mats = (
        Material.objects.filter(item__meeting__in=visible.values("pk"))
        .annotate(in_text=Exists(text_match))
        .filter(Q(title__icontains=q) | Q(in_text=True))
        .select_related("item__meeting", "current_version")
        .order_by("-item__meeting__starts_at")[:limit]
    )
    now = timezone.now()
    for mat in mats:
        meeting = mat.item.meeting
        if not can_manage(user, meeting) and (not mat.is_published(now) or materials_access_reason(user, meeting)):
            continue
        snippet = ""
        text = mat.current_version.text if mat.current_version else ""
        idx = text.lower().find(q.lower())
        if idx >= 0:
            snippet = text[max(0, idx - 40): idx + len(q) + 40].replace("\n", " ")
        results.append({"kind": "material", "meeting": meeting, "material": mat, "snippet": snippet})
    return results


def meetings_today(user) -> list[Meeting]:
    from workstyle import dates

    day = dates.today()
    tz = timezone.get_current_timezone()
    lo = datetime.datetime.combine(day, datetime.time.min, tzinfo=tz)
    hi = lo + datetime.timedelta(days=1)
    return list(
        visible_meetings(user).filter(starts_at__gte=lo, starts_at__lt=hi)
        .exclude(status__in=[Meeting.Status.DRAFT, Meeting.Status.CANCELLED])
        .annotate(n_materials=Count("items__materials"))
        .order_by("starts_at")[:10]
    )


def live_state(meeting: Meeting) -> dict:
    """The presenter state every follower renders (also sent to late joiners)."""
    v = meeting.live_version
    return {
        "type": "state",
        "seq": meeting.live_seq,
        "presenting": bool(v),
        "presenter": meeting.presenter.display_name() if meeting.presenter_id and meeting.presenter else "",
        "presenter_id": meeting.presenter_id,
        "material": v.material_id if v else None,
        "version": v.pk if v else None,
        "page": meeting.live_page,
        "pages": v.page_count if v else 0,
    }

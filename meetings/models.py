"""Meetings: attendees, agenda, PDF materials with versions and page renders, notes, attendance, minutes.

Files live under MEDIA_ROOT/meetings/ and are never served directly: every URL goes through
``meetings.selectors``, which checks access first.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from workstyle.models import OrgUnit


class Meeting(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        IN_PROGRESS = "in_progress", _("In progress")
        ENDED = "ended", _("Ended")
        ARCHIVED = "archived", _("Archived")
        CANCELLED = "cancelled", _("Cancelled")

    class Confidentiality(models.TextChoices):
        NORMAL = "normal", _("Normal")
        CONFIDENTIAL = "confidential", _("Confidential")

    title = models.CharField(_("title"), max_length=200)
    section = models.ForeignKey(
        OrgUnit, verbose_name=_("organising section"), on_delete=models.PROTECT, related_name="+"
    )
    organisers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("organisers"), related_name="organised_meetings"
    )
    starts_at = models.DateTimeField(_("start"))
    ends_at = models.DateTimeField(_("end"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    online_url = models.URLField(_("online meeting link"), blank=True)
    description = models.TextField(_("description"), blank=True)
    confidentiality = models.CharField(
        _("confidentiality"), max_length=16, choices=Confidentiality.choices, default=Confidentiality.NORMAL
    )
    access_days_after = models.PositiveSmallIntegerField(
        _("days of attendee access after the meeting"), default=7,
        help_text=_("Confidential meetings only: attendees lose access to the materials this many days after the end."),
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    sequence = models.PositiveIntegerField(default=0, help_text="iCalendar SEQUENCE, raised on every change sent.")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    # Live presenter state: the server's truth, read by late joiners and reconnecting tablets.
    presenter = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    live_version = models.ForeignKey(
        "MaterialVersion", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    live_page = models.PositiveIntegerField(default=1)
    live_seq = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["-starts_at", "-id"]
        indexes = [models.Index(fields=["starts_at"]), models.Index(fields=["section", "starts_at"])]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="meeting_ends_after_start"),
            models.CheckConstraint(condition=Q(live_page__gte=1), name="meeting_live_page_positive"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_confidential(self) -> bool:
        return self.confidentiality == self.Confidentiality.CONFIDENTIAL

    @property
    def access_ends_at(self) -> datetime.datetime | None:
        if not self.is_confidential:
            return None
        return self.ends_at + datetime.timedelta(days=self.access_days_after)


class Attendee(models.Model):
    """A person, a whole section, or an external guest (by name only, without access)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendees")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    section = models.ForeignKey(OrgUnit, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    guest_name = models.CharField(_("guest"), max_length=120, blank=True)

    class Meta:
        verbose_name = _("attendee")
        verbose_name_plural = _("attendees")
        constraints = [
            models.CheckConstraint(
                condition=(Q(user__isnull=False, section__isnull=True, guest_name="")
                           | Q(user__isnull=True, section__isnull=False, guest_name="")
                           | (Q(user__isnull=True, section__isnull=True) & ~Q(guest_name=""))),
                name="attendee_exactly_one_kind",
            ),
            models.UniqueConstraint(fields=["meeting", "user"], condition=Q(user__isnull=False),
                                    name="attendee_unique_user"),
            models.UniqueConstraint(fields=["meeting", "section"], condition=Q(section__isnull=False),
                                    name="attendee_unique_section"),
            models.UniqueConstraint(fields=["meeting", "guest_name"], condition=~Q(guest_name=""),
                                    name="attendee_unique_guest"),
        ]

    def __str__(self) -> str:
        if self.user_id:
            return self.user.display_name()
        if self.section_id:
            return str(self.section)
        return self.guest_name


class AgendaItem(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField(_("order"))
    title = models.CharField(_("title"), max_length=200)
    presenter = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("presenter"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    starts_at = models.TimeField(_("time"), null=True, blank=True)
    duration_minutes = models.PositiveSmallIntegerField(_("minutes"), default=10)

    class Meta:
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        ordering = ["meeting", "position"]
        constraints = [models.UniqueConstraint(fields=["meeting", "position"], name="agendaitem_unique_position")]

    def __str__(self) -> str:
        return f"{self.position}. {self.title}"


class Material(models.Model):
    item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="materials")
    position = models.PositiveSmallIntegerField(_("order"), default=1)
    title = models.CharField(_("title"), max_length=200)
    publish_at = models.DateTimeField(
        _("published to attendees at"), null=True, blank=True,
        help_text=_("Empty: published with the meeting."),
    )
    published_notified_at = models.DateTimeField(null=True, blank=True)
    current_version = models.ForeignKey(
        "MaterialVersion", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("material")
        verbose_name_plural = _("materials")
        ordering = ["item__position", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["item", "position"], name="material_unique_position")]

    def __str__(self) -> str:
        return self.title

    def is_published(self, now=None) -> bool:
        return self.publish_at is None or self.publish_at <= (now or timezone.now())


class MaterialVersion(models.Model):
    material = models.ForeignKey(Material, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    file = models.CharField(max_length=300, help_text="Path relative to MEDIA_ROOT; never served directly.")
    filename = models.CharField(_("file name"), max_length=200)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    page_count = models.PositiveIntegerField()
    text = models.TextField(blank=True, help_text="Extracted text, for search.")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("material version")
        verbose_name_plural = _("material versions")
        ordering = ["material", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["material", "number"], name="materialversion_unique_number"),
            models.CheckConstraint(condition=Q(page_count__gte=1), name="materialversion_has_pages"),
        ]

    def __str__(self) -> str:
        return f"{self.material} v{self.number}"


class PageRender(models.Model):
    class Size(models.TextChoices):
        THUMB = "thumb", _("Thumbnail")
        FULL = "full", _("Full size")

    version = models.ForeignKey(MaterialVersion, on_delete=models.CASCADE, related_name="renders")
    page = models.PositiveIntegerField()
    size = models.CharField(max_length=8, choices=Size.choices)
    file = models.CharField(max_length=300)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["version", "page", "size"], name="pagerender_unique"),
            models.CheckConstraint(condition=Q(page__gte=1), name="pagerender_page_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.version_id} p{self.page} {self.size}"


class Upload(models.Model):
    """One upload job: what the uploader polls. A refused file leaves only this record with the reason."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        PROCESSING = "processing", _("Processing")
        DONE = "done", _("Done")
        REFUSED = "refused", _("Refused")

    class Kind(models.TextChoices):
        MATERIAL = "material", _("Material")
        MINUTES = "minutes", _("Minutes")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="uploads")
    material = models.ForeignKey(Material, null=True, blank=True, on_delete=models.CASCADE, related_name="uploads")
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.MATERIAL)
    filename = models.CharField(max_length=200)
    tmp_path = models.CharField(max_length=300, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    message = models.CharField(max_length=300, blank=True)
    version = models.ForeignKey(MaterialVersion, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="upload_progress_le_100"),
        ]

    def __str__(self) -> str:
        return f"{self.filename} ({self.status})"


class Note(models.Model):
    """A private text note of one user on one page of a material (all versions)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    material = models.ForeignKey(Material, on_delete=models.CASCADE, related_name="notes")
    page = models.PositiveIntegerField()
    version = models.ForeignKey(MaterialVersion, on_delete=models.CASCADE, related_name="+")
    text = models.TextField(_("note"), max_length=4000)
    page_may_have_changed = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "material", "page"], name="note_unique_per_page"),
            models.CheckConstraint(condition=Q(page__gte=1), name="note_page_positive"),
        ]

    def __str__(self) -> str:
        return f"note {self.user_id} {self.material_id} p{self.page}"


class Attendance(models.Model):
    class Source(models.TextChoices):
        PRESENCE = "presence", _("Connected during the meeting")
        ORGANISER = "organiser", _("Corrected by the organiser")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    present = models.BooleanField(default=True)
    source = models.CharField(max_length=12, choices=Source.choices, default=Source.PRESENCE)
    first_seen_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["meeting", "user"], name="attendance_unique")]

    def __str__(self) -> str:
        return f"{self.meeting_id} {self.user_id} {self.present}"


class Minutes(models.Model):
    meeting = models.OneToOneField(Meeting, on_delete=models.CASCADE, related_name="minutes")
    file = models.CharField(max_length=300)
    filename = models.CharField(max_length=200)
    size = models.PositiveBigIntegerField()
    page_count = models.PositiveIntegerField()
    text = models.TextField(blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.filename


class LivePresence(models.Model):
    """One open live-mode WebSocket (any server process). Rows not seen for a while are stale."""

    channel_name = models.CharField(max_length=200, unique=True)
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    following = models.BooleanField(default=True)
    connected_at = models.DateTimeField(default=timezone.now)
    seen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["meeting", "seen_at"])]

    def __str__(self) -> str:
        return self.channel_name

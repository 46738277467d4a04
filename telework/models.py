"""Telework: policy rules, exclusions, deputies, the sorting of tasks, requests and their days, work logs."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from workstyle.models import OrgUnit


class Mode(models.TextChoices):
    BLOCK = "block", _("Hard block")
    WARN = "warn", _("Warning to the approver")


MODE_FIELD_KW = dict(max_length=8, choices=Mode.choices, blank=True, default="")


class TeleworkRule(models.Model):
    """Rules for one organisation unit (or the city default). Empty fields inherit from the parent unit."""

    is_default = models.BooleanField(_("city default"), default=False)
    unit = models.OneToOneField(
        OrgUnit, verbose_name=_("organisation unit"), null=True, blank=True, on_delete=models.CASCADE,
        related_name="telework_rule",
    )
    max_days_per_week = models.DecimalField(
        _("most telework days per week"), max_digits=3, decimal_places=1, null=True, blank=True)
    max_days_per_week_mode = models.CharField(_("when exceeded"), **MODE_FIELD_KW)
    max_days_per_month = models.DecimalField(
        _("most telework days per month"), max_digits=4, decimal_places=1, null=True, blank=True)
    max_days_per_month_mode = models.CharField(_("when exceeded"), **MODE_FIELD_KW)
    min_notice_days = models.PositiveSmallIntegerField(_("minimum notice (working days)"), null=True, blank=True)
    min_notice_days_mode = models.CharField(_("when too late"), **MODE_FIELD_KW)
    excluded_employment_types = models.JSONField(_("excluded staff types"), null=True, blank=True)
    excluded_employment_types_mode = models.CharField(_("for excluded staff"), **MODE_FIELD_KW)
    blackout_mode = models.CharField(_("on blackout dates"), **MODE_FIELD_KW)
    office_days_per_week = models.PositiveSmallIntegerField(
        _("required office days per week"), null=True, blank=True)
    office_days_per_week_mode = models.CharField(_("when too few"), **MODE_FIELD_KW)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        verbose_name = _("telework rule")
        verbose_name_plural = _("telework rules")
        constraints = [
            models.UniqueConstraint(fields=["is_default"], condition=Q(is_default=True), name="tw_rule_one_default"),
            models.CheckConstraint(
                condition=Q(is_default=True, unit__isnull=True) | Q(is_default=False, unit__isnull=False),
                name="tw_rule_default_xor_unit",
            ),
            models.CheckConstraint(condition=Q(max_days_per_week__isnull=True) | Q(max_days_per_week__gte=0,
                                                                                   max_days_per_week__lte=7),
                                   name="tw_rule_week_range"),
            models.CheckConstraint(condition=Q(max_days_per_month__isnull=True) | Q(max_days_per_month__gte=0,
                                                                                    max_days_per_month__lte=31),
                                   name="tw_rule_month_range"),
            models.CheckConstraint(condition=Q(office_days_per_week__isnull=True) | Q(office_days_per_week__lte=7),
                                   name="tw_rule_office_range"),
        ]

    def __str__(self) -> str:
        return str(_("City default")) if self.is_default else str(self.unit)


class BlackoutDate(models.Model):
    """A day without telework, for one unit and everything below it, or city-wide (unit empty)."""

    unit = models.ForeignKey(OrgUnit, verbose_name=_("organisation unit"), null=True, blank=True,
                             on_delete=models.CASCADE, related_name="+")
    date = models.DateField(_("date"))
    reason = models.CharField(_("reason"), max_length=200)

    class Meta:
        verbose_name = _("blackout date")
        verbose_name_plural = _("blackout dates")
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "date"], name="tw_blackout_unique"),
            models.UniqueConstraint(fields=["date"], condition=Q(unit__isnull=True), name="tw_blackout_city_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.reason}"


class PersonExclusion(models.Model):
    """A person excluded from telework (counter or shift work)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="telework_exclusion")
    reason = models.CharField(_("reason"), max_length=200)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("exclusion from telework")
        verbose_name_plural = _("exclusions from telework")

    def __str__(self) -> str:
        return f"exclusion of {self.user_id}"


class Deputy(models.Model):
    """Someone who approves instead of a chief for a period (both days inclusive)."""

    principal = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("chief"), on_delete=models.CASCADE,
                                  related_name="telework_deputies")
    deputy = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("deputy"), on_delete=models.CASCADE,
                               related_name="telework_deputy_for")
    start_date = models.DateField(_("from"))
    end_date = models.DateField(_("until"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("deputy")
        verbose_name_plural = _("deputies")
        ordering = ["-start_date"]
        constraints = [
            models.CheckConstraint(condition=Q(end_date__gte=models.F("start_date")), name="tw_deputy_period"),
            models.CheckConstraint(condition=~Q(principal=models.F("deputy")), name="tw_deputy_not_self"),
        ]
        indexes = [models.Index(fields=["deputy", "start_date", "end_date"])]

    def __str__(self) -> str:
        return f"deputy {self.deputy_id} for {self.principal_id} {self.start_date}–{self.end_date}"


class Suitability(models.TextChoices):
    SUITABLE = "suitable", _("Suitable")
    PARTLY = "partly", _("Partly suitable")
    UNSUITABLE = "unsuitable", _("Not suitable")


class TaskItem(models.Model):
    """One task of a section, sorted by how well it suits telework (業務の仕分け)."""

    section = models.ForeignKey(OrgUnit, verbose_name=_("section"), on_delete=models.CASCADE,
                                related_name="telework_tasks")
    title = models.CharField(_("task"), max_length=200)
    suitability = models.CharField(_("suitability"), max_length=12, choices=Suitability.choices)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    is_active = models.BooleanField(_("in use"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        ordering = ["section", "title"]
        constraints = [
            models.UniqueConstraint(fields=["section", "title"], name="tw_task_unique_title"),
            models.CheckConstraint(condition=Q(suitability__in=["suitable", "partly", "unsuitable"]),
                                   name="tw_task_suitability_valid"),
        ]

    def __str__(self) -> str:
        return self.title


class Part(models.TextChoices):
    DAY = "day", _("Whole day")
    AM = "am", _("Morning")
    PM = "pm", _("Afternoon")


class Place(models.TextChoices):
    HOME = "home", _("Home")
    SATELLITE = "satellite", _("Satellite office")
    MOBILE = "mobile", _("Mobile (on the move)")


class Contact(models.TextChoices):
    PHONE = "phone", _("Mobile phone")
    CHAT = "chat", _("Business chat")
    EMAIL = "email", _("E-mail")
    WEB = "web", _("Web meeting")


class Status(models.TextChoices):
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    CANCEL_REQUESTED = "cancel_requested", _("Cancellation requested")
    CANCELLED = "cancelled", _("Cancelled")


ACTIVE_STATUSES = (Status.PENDING, Status.APPROVED, Status.CANCEL_REQUESTED)


class TeleworkRequest(models.Model):
    class Kind(models.TextChoices):
        SINGLE = "single", _("One day")
        RANGE = "range", _("A range of days")
        PATTERN = "pattern", _("Weekly pattern")

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="telework_requests")
    section = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    approver = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("approver"), on_delete=models.PROTECT,
                                 related_name="telework_to_approve")
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.SINGLE)
    part = models.CharField(_("time"), max_length=3, choices=Part.choices, default=Part.DAY)
    start_date = models.DateField(_("first day"))
    end_date = models.DateField(_("last day"))
    weekdays = models.JSONField(_("weekdays"), default=list, blank=True)
    place = models.CharField(_("place"), max_length=12, choices=Place.choices, default=Place.HOME)
    planned_tasks = models.TextField(_("planned work"), blank=True)
    tasks = models.ManyToManyField(TaskItem, verbose_name=_("tasks from the section's list"), blank=True,
                                   related_name="+")
    contact_method = models.CharField(_("contact method"), max_length=8, choices=Contact.choices,
                                      default=Contact.PHONE)
    contact_detail = models.CharField(_("contact details"), max_length=200, blank=True)
    warnings = models.JSONField(default=list, blank=True)
    version = models.PositiveIntegerField(default=1)
    sequence = models.PositiveIntegerField(default=0)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_comment = models.TextField(_("comment"), blank=True)
    cancel_reason = models.TextField(_("reason for cancelling"), blank=True)
    pending_flagged_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("telework request")
        verbose_name_plural = _("telework requests")
        ordering = ["-start_date", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(end_date__gte=models.F("start_date")), name="tw_request_dates"),
            models.CheckConstraint(condition=Q(status__in=[s.value for s in Status]), name="tw_request_status"),
            models.CheckConstraint(condition=Q(part__in=["day", "am", "pm"]), name="tw_request_part"),
            models.CheckConstraint(condition=~Q(approver=models.F("user")), name="tw_request_not_self_approved"),
        ]
        indexes = [
            models.Index(fields=["approver", "status"]),
            models.Index(fields=["user", "start_date"]),
            models.Index(fields=["status", "start_date"]),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.start_date}–{self.end_date}"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    def pending_at_start(self, today) -> bool:
        return self.status == Status.PENDING and self.start_date <= today


class TeleworkDay(models.Model):
    """One half-day slot of a request. A whole day is two rows; overlaps are impossible by constraint."""

    class Slot(models.TextChoices):
        AM = "am", _("Morning")
        PM = "pm", _("Afternoon")

    request = models.ForeignKey(TeleworkRequest, on_delete=models.CASCADE, related_name="days")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    date = models.DateField()
    slot = models.CharField(max_length=2, choices=Slot.choices)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["date", "slot"]
        constraints = [
            models.UniqueConstraint(fields=["user", "date", "slot"], condition=Q(active=True),
                                    name="tw_day_no_overlap"),
            models.CheckConstraint(condition=Q(slot__in=["am", "pm"]), name="tw_day_slot"),
        ]
        indexes = [models.Index(fields=["date", "active"]), models.Index(fields=["user", "date"])]

    def __str__(self) -> str:
        return f"{self.user_id} {self.date} {self.slot}"


class RequestVersion(models.Model):
    """The state of a request before a change (who changed what, when)."""

    request = models.ForeignKey(TeleworkRequest, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField()
    snapshot = models.JSONField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-version"]
        constraints = [models.UniqueConstraint(fields=["request", "version"], name="tw_version_unique")]

    def __str__(self) -> str:
        return f"request {self.request_id} v{self.version}"


class WorkLog(models.Model):
    """Start and end of work on a telework day, and the end-of-day report against the plan."""

    class Progress(models.TextChoices):
        AS_PLANNED = "as_planned", _("Done as planned")
        PARTLY = "partly", _("Partly done")
        CHANGED = "changed", _("Other work than planned")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="telework_logs")
    date = models.DateField()
    request = models.ForeignKey(TeleworkRequest, null=True, on_delete=models.SET_NULL, related_name="+")
    started_at = models.DateTimeField(_("start of work"), null=True, blank=True)
    ended_at = models.DateTimeField(_("end of work"), null=True, blank=True)
    report = models.TextField(_("what was done"), blank=True)
    progress = models.CharField(_("against the plan"), max_length=12, choices=Progress.choices, blank=True)
    reported_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-date"]
        constraints = [
            models.UniqueConstraint(fields=["user", "date"], name="tw_log_one_per_day"),
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | Q(started_at__isnull=False, ended_at__gte=models.F("started_at")),
                name="tw_log_end_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"work log {self.user_id} {self.date}"


class Absence(models.Model):
    """Leave a person records for the presence view (休暇)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    date = models.DateField(_("date"))
    note = models.CharField(_("note"), max_length=100, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "date"], name="tw_absence_unique")]

    def __str__(self) -> str:
        return f"absence {self.user_id} {self.date}"

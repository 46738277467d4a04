"""Core data: users, the organisation tree, staff profiles, audit events, notifications, feed tokens."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    EMPLOYEE = "employee", _("Employee")
    MANAGER = "manager", _("Manager / section chief")
    HR = "hr", _("HR and training")
    FACILITIES = "facilities", _("Facilities")
    DX_OFFICE = "dx_office", _("DX/AI strategy office")
    EXECUTIVE = "executive", _("Executive")
    ADMIN = "admin", _("Administrator")


class User(AbstractUser):
    """A login. The username is the employee number; the person's data is on StaffProfile."""

    locate_opt_in = models.BooleanField(
        _("colleagues may see where I sit"), default=False,
        help_text=_("Off by default. When on, colleagues can find the desk you booked today."),
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def display_name(self) -> str:
        profile = getattr(self, "staff", None)
        if profile is not None:
            return profile.name
        return self.get_full_name() or self.username


class OrgUnit(models.Model):
    class Kind(models.TextChoices):
        BUREAU = "bureau", _("Bureau")
        WARD = "ward", _("Ward office")
        DEPARTMENT = "department", _("Department")
        SECTION = "section", _("Section")

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    # The top-level unit (bureau or ward) this unit belongs to; itself for a top-level unit.
    top = models.ForeignKey(
        "self", verbose_name=_("bureau or ward"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    path = models.CharField(max_length=255, db_index=True, editable=False, default="")
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("organisation unit")
        verbose_name_plural = _("organisation units")
        ordering = ["path"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["bureau", "ward"], parent__isnull=True)
                | Q(kind__in=["department", "section"], parent__isnull=False),
                name="orgunit_parent_matches_kind",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_top(self) -> bool:
        return self.kind in (self.Kind.BUREAU, self.Kind.WARD)


class StaffProfile(models.Model):
    class EmploymentType(models.TextChoices):
        REGULAR = "regular", _("Regular staff")
        FISCAL_YEAR = "fiscal_year", _("Fiscal-year appointee")
        REAPPOINTED = "reappointed", _("Reappointed staff")
        FIXED_TERM = "fixed_term", _("Fixed-term staff")
        OTHER = "other", _("Other")

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="staff")
    employee_number = models.CharField(_("employee number"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    name_kana = models.CharField(_("name (kana)"), max_length=100, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    section = models.ForeignKey(
        OrgUnit, verbose_name=_("section"), on_delete=models.PROTECT, related_name="staff"
    )
    title = models.CharField(_("title"), max_length=100, blank=True)
    employment_type = models.CharField(
        _("employment type"), max_length=16, choices=EmploymentType.choices, default=EmploymentType.REGULAR
    )
    is_manager = models.BooleanField(_("manager"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("staff profile")
        verbose_name_plural = _("staff profiles")
        ordering = ["employee_number"]
        indexes = [models.Index(fields=["section", "is_active"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.employee_number})"


class AuditEvent(models.Model):
    """An append-only record of a state change or of reading someone's personal record."""

    actor = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    actor_label = models.CharField(max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=80, db_index=True)
    object_type = models.CharField(_("object type"), max_length=80, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=255, blank=True)
    subject = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        help_text="The person whose record this event concerns, if any.",
    )
    details = models.JSONField(_("details"), default=dict, blank=True)
    client_address = models.GenericIPAddressField(_("client address"), null=True, blank=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_label} {self.action}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.pop("_allow_update", False):
            raise PermissionError("Audit events cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Audit events cannot be deleted.")


class Notification(models.Model):
    recipient = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=60, blank=True)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("message"), blank=True)
    url = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self) -> str:
        return self.title


class FeedToken(models.Model):
    """A secret calendar-feed URL. Only the SHA-256 of the token is stored."""

    class Scope(models.TextChoices):
        PERSONAL = "personal", _("Personal calendar")
        SECTION = "section", _("Section presence")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="feed_tokens")
    scope = models.CharField(max_length=16, choices=Scope.choices, default=Scope.PERSONAL)
    section = models.ForeignKey(OrgUnit, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=Q(revoked_at__isnull=True, scope="personal"),
                name="feedtoken_one_active_personal",
            ),
            models.UniqueConstraint(
                fields=["user", "section"], condition=Q(revoked_at__isnull=True, scope="section"),
                name="feedtoken_one_active_per_section",
            ),
            models.CheckConstraint(
                condition=Q(scope="personal", section__isnull=True) | Q(scope="section", section__isnull=False),
                name="feedtoken_section_matches_scope",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_scope_display()} feed of {self.user_id}"

"""DX talent: courses, sessions, enrolments, completions, tier rules, awards, DX leaders, badge keys."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Tier(models.TextChoices):
    BRONZE = "bronze", _("Bronze")
    SILVER = "silver", _("Silver")
    GOLD = "gold", _("Gold")
    SPECIALIST = "specialist", _("Advanced specialist")


# The main ladder; the specialist track stands apart.
LADDER = [Tier.BRONZE, Tier.SILVER, Tier.GOLD]
RANK = {Tier.BRONZE: 1, Tier.SILVER: 2, Tier.GOLD: 3, Tier.SPECIALIST: 0}
EVALUATION_ORDER = [Tier.BRONZE, Tier.SILVER, Tier.GOLD, Tier.SPECIALIST]


class Course(models.Model):
    class Kind(models.TextChoices):
        ELEARNING = "elearning", _("e-learning")
        CLASSROOM = "classroom", _("Classroom")
        UNIVERSITY = "university", _("Partner university course")
        EXAM = "exam", _("Certification exam")

    code = models.CharField(_("code"), max_length=32, unique=True)
    title = models.CharField(_("title"), max_length=200)
    tier = models.CharField(_("tier"), max_length=16, choices=Tier.choices)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    hours = models.DecimalField(_("hours"), max_digits=6, decimal_places=1, default=0)
    provider = models.CharField(_("provider"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("course")
        verbose_name_plural = _("courses")
        ordering = ["tier", "code"]
        constraints = [models.CheckConstraint(condition=Q(hours__gte=0), name="course_hours_not_negative")]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class CourseSession(models.Model):
    course = models.ForeignKey(Course, verbose_name=_("course"), on_delete=models.CASCADE, related_name="sessions")
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    location = models.CharField(_("place"), max_length=200, blank=True)
    capacity = models.PositiveIntegerField(_("capacity"))
    # Maintained by the enrolment services under a row lock; the check makes over-booking impossible.
    enrolled_count = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["starts_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="session_ends_after_start"),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="session_capacity_positive"),
            models.CheckConstraint(condition=Q(enrolled_count__lte=F("capacity")), name="session_not_over_capacity"),
        ]

    def __str__(self) -> str:
        return f"{self.course.title} {self.starts_on:%Y-%m-%d}"

    @property
    def seats_left(self) -> int:
        return max(self.capacity - self.enrolled_count, 0)


class Enrolment(models.Model):
    class Status(models.TextChoices):
        ENROLLED = "enrolled", _("Enrolled")
        WAITLISTED = "waitlisted", _("On the waiting list")
        CANCELLED = "cancelled", _("Cancelled")

    session = models.ForeignKey(CourseSession, on_delete=models.CASCADE, related_name="enrolments")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="training_enrolments")
    status = models.CharField(_("status"), max_length=16, choices=Status.choices)
    attended = models.BooleanField(_("attended"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "user"], condition=~Q(status="cancelled"), name="enrolment_one_live_per_person"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} @ {self.session_id} ({self.status})"


class Completion(models.Model):
    class Source(models.TextChoices):
        MANUAL = "manual", _("Entered by HR")
        IMPORT = "import", _("Imported")
        ATTENDANCE = "attendance", _("Attendance")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="training_completions")
    course = models.ForeignKey(Course, verbose_name=_("course"), on_delete=models.PROTECT, related_name="completions")
    completed_on = models.DateField(_("completed on"))
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=1, null=True, blank=True)
    evidence = models.CharField(_("evidence"), max_length=300, blank=True)
    source = models.CharField(max_length=16, choices=Source.choices, default=Source.MANUAL)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("completion")
        verbose_name_plural = _("completions")
        ordering = ["-completed_on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["user", "course", "completed_on"], name="completion_once_per_day"),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__gte=0, score__lte=100), name="completion_score_0_100"
            ),
        ]
        indexes = [models.Index(fields=["completed_on"])]

    def __str__(self) -> str:
        return f"{self.user_id} {self.course_id} {self.completed_on}"


class DxProjectReport(models.Model):
    """A DX project report (a workplace improvement the person led); approved reports can count for a tier."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Returned")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="dx_reports")
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"))
    submitted_on = models.DateField(_("submitted on"), default=timezone.localdate)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.SUBMITTED)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("DX project report")
        verbose_name_plural = _("DX project reports")
        ordering = ["-submitted_on", "-pk"]

    def __str__(self) -> str:
        return self.title


class TierSetting(models.Model):
    """Per-tier options HR configures: validity of an award and when to remind before expiry."""

    tier = models.CharField(_("tier"), max_length=16, choices=Tier.choices, unique=True)
    validity_months = models.PositiveIntegerField(_("valid for (months)"), null=True, blank=True,
                                                  help_text=_("Empty: the award does not expire."))
    remind_days_before = models.PositiveIntegerField(_("remind days before expiry"), default=60)
    auto_award = models.BooleanField(_("award automatically when the requirements are met"), default=True)

    class Meta:
        verbose_name = _("tier setting")
        verbose_name_plural = _("tier settings")
        constraints = [
            models.CheckConstraint(condition=Q(validity_months__isnull=True) | Q(validity_months__gte=1),
                                   name="tiersetting_validity_positive"),
        ]

    def __str__(self) -> str:
        return self.get_tier_display()


class RequirementSet(models.Model):
    """One way of reaching a tier: every requirement in the set must be met (ALL).
    A tier is reached when ANY of its active sets is met."""

    tier = models.CharField(_("tier"), max_length=16, choices=Tier.choices)
    name = models.CharField(_("name"), max_length=200)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("requirement set")
        verbose_name_plural = _("requirement sets")
        ordering = ["tier", "pk"]

    def __str__(self) -> str:
        return f"{self.get_tier_display()}: {self.name}"


class Requirement(models.Model):
    class Kind(models.TextChoices):
        ALL_OF = "all_of", _("All of these courses")
        ANY_N_OF = "any_n_of", _("Any n of these courses")
        PREVIOUS_TIER = "previous_tier", _("Holds a tier")
        PROJECT_REPORT = "project_report", _("An approved DX project report")
        MIN_HOURS = "min_hours", _("Training hours in a tier's courses")

    requirement_set = models.ForeignKey(RequirementSet, on_delete=models.CASCADE, related_name="requirements")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    courses = models.ManyToManyField(Course, verbose_name=_("courses"), blank=True, related_name="+")
    n = models.PositiveIntegerField(_("how many"), default=1)
    tier = models.CharField(_("tier"), max_length=16, choices=Tier.choices, blank=True)
    hours = models.DecimalField(_("hours"), max_digits=6, decimal_places=1, default=0)

    class Meta:
        verbose_name = _("requirement")
        verbose_name_plural = _("requirements")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(kind="any_n_of") | Q(n__gte=1), name="requirement_n_positive"),
            models.CheckConstraint(condition=~Q(kind__in=["previous_tier", "min_hours"]) | ~Q(tier=""),
                                   name="requirement_tier_given"),
        ]

    def __str__(self) -> str:
        return self.get_kind_display()


class Award(models.Model):
    """A tier held by a person. Rows are never deleted: renewals supersede, revocations keep the row."""

    class Basis(models.TextChoices):
        AUTOMATIC = "automatic", _("Requirements met (automatic)")
        MANUAL = "manual", _("Awarded by HR, requirements met")
        OVERRIDE = "override", _("Awarded by HR by override")
        RENEWAL = "renewal", _("Renewal")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="dx_awards")
    tier = models.CharField(_("tier"), max_length=16, choices=Tier.choices)
    awarded_on = models.DateField(_("awarded on"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    issuer = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+", verbose_name=_("issued by"))
    issuer_label = models.CharField(_("issued by"), max_length=150, blank=True)
    basis = models.CharField(_("basis"), max_length=16, choices=Basis.choices)
    override_reason = models.CharField(_("override reason"), max_length=500, blank=True)
    renewed_from = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT,
                                        related_name="renewed_by")
    superseded_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    revocation_reason = models.CharField(_("reason for revocation"), max_length=500, blank=True)
    reminder_sent_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("award")
        verbose_name_plural = _("awards")
        ordering = ["-awarded_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "tier"], condition=Q(revoked_at__isnull=True, superseded_at__isnull=True),
                name="award_one_current_per_tier",
            ),
            models.CheckConstraint(condition=Q(valid_until__isnull=True) | Q(valid_until__gte=F("awarded_on")),
                                   name="award_valid_after_awarded"),
            models.CheckConstraint(condition=Q(revoked_at__isnull=True) | ~Q(revocation_reason=""),
                                   name="award_revocation_has_reason"),
            models.CheckConstraint(condition=~Q(basis="override") | ~Q(override_reason=""),
                                   name="award_override_has_reason"),
        ]
        indexes = [models.Index(fields=["tier", "awarded_on"])]

    def __str__(self) -> str:
        return f"{self.get_tier_display()} {self.awarded_on:%Y-%m-%d}"

    def status_on(self, day) -> str:
        """valid / expired / revoked / superseded (renewed) on ``day``."""
        if self.revoked_at is not None:
            return "revoked"
        if self.valid_until is not None and self.valid_until < day:
            return "expired"
        if self.superseded_at is not None:
            return "superseded"
        return "valid"

    def is_current(self, day) -> bool:
        return self.status_on(day) == "valid"


class LeaderPolicy(models.Model):
    """Singleton (pk=1): how DX transformation leader designations behave."""

    class TransferRule(models.TextChoices):
        ENDS = "ends_on_transfer", _("The designation ends when the leader transfers")
        CONTINUES = "continues_until_term_end", _("The designation continues until the end of the term")

    transfer_rule = models.CharField(_("on transfer"), max_length=32, choices=TransferRule.choices,
                                     default=TransferRule.CONTINUES)
    term_years = models.PositiveIntegerField(_("term (years)"), default=3)

    class Meta:
        verbose_name = _("leader policy")
        verbose_name_plural = _("leader policy")
        constraints = [models.CheckConstraint(condition=Q(term_years__gte=1), name="leaderpolicy_term_positive")]

    def __str__(self) -> str:
        return self.get_transfer_rule_display()


class LeaderDesignation(models.Model):
    """A DX transformation leader (DX変革リーダー) named by the chief of a section for a term."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="dx_leaderships")
    section = models.ForeignKey("workstyle.OrgUnit", verbose_name=_("section"), on_delete=models.PROTECT,
                                related_name="dx_leaders")
    term_start = models.DateField(_("term starts"))
    term_end = models.DateField(_("term ends"))
    designated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                      related_name="+")
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    end_reason = models.CharField(_("reason"), max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("DX transformation leader")
        verbose_name_plural = _("DX transformation leaders")
        ordering = ["section__path", "term_start"]
        constraints = [
            models.UniqueConstraint(fields=["user", "section"], condition=Q(ended_on__isnull=True),
                                    name="leader_one_open_per_section"),
            models.CheckConstraint(condition=Q(term_end__gt=F("term_start")), name="leader_term_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} @ {self.section_id} {self.term_start}–{self.term_end}"


class SigningKey(models.Model):
    """A development Ed25519 key, generated when BADGE_SIGNING_KEY is not configured."""

    kid = models.CharField(max_length=64, unique=True)
    private_pem = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.kid

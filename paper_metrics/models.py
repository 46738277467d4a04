"""Paper use: import records, raw print jobs and purchases, monthly roll-ups, configuration, follow-up."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from paper_metrics.conversion import DEFAULT_SIZE_FACTORS, DEFAULT_TARGET_STEPS

BASELINE_FY = 2023
TARGET_FY = 2027


def default_size_factors():
    return dict(DEFAULT_SIZE_FACTORS)


def default_target_steps():
    return dict(DEFAULT_TARGET_STEPS)


class PaperSettings(models.Model):
    """One row (pk 1): factors and targets the dx office can change."""

    co2_g_per_sheet = models.FloatField(_("CO2 per sheet (g)"), default=12.7)
    sheets_per_tree = models.FloatField(_("sheets per tree"), default=8333)
    size_factors = models.JSONField(_("paper size factors"), default=default_size_factors)
    target_steps = models.JSONField(_("yearly reduction targets (%)"), default=default_target_steps)
    at_risk_margin = models.FloatField(
        _("at-risk margin (percentage points)"), default=5.0,
        help_text=_("A forecast above the target by at most this many points of the baseline is 'at risk'."),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("paper settings")
        verbose_name_plural = _("paper settings")
        constraints = [
            models.CheckConstraint(condition=Q(id=1), name="papersettings_singleton"),
            models.CheckConstraint(condition=Q(co2_g_per_sheet__gte=0), name="papersettings_co2_nonneg"),
            models.CheckConstraint(condition=Q(sheets_per_tree__gt=0), name="papersettings_tree_pos"),
            models.CheckConstraint(condition=Q(at_risk_margin__gte=0), name="papersettings_margin_nonneg"),
        ]

    def __str__(self) -> str:
        return "paper settings"

    @classmethod
    def load(cls) -> PaperSettings:
        obj = cls.objects.filter(pk=1).first()
        return obj if obj is not None else cls(pk=1)


class Printer(models.Model):
    """A device and the section it belongs to (used when a log's user is not a known member of staff)."""

    name = models.CharField(_("printer name"), max_length=200)
    name_key = models.CharField(max_length=200, unique=True, editable=False)
    section = models.ForeignKey("workstyle.OrgUnit", verbose_name=_("section"), on_delete=models.PROTECT,
                                related_name="+")
    location = models.CharField(_("location"), max_length=200, blank=True)
    model_name = models.CharField(_("model"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("printer")
        verbose_name_plural = _("printers")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.name_key = self.key_for(self.name)
        super().save(*args, **kwargs)

    @staticmethod
    def key_for(name: str) -> str:
        return name.strip().rsplit("\\", 1)[-1].rsplit("/", 1)[-1].lower()


class SectionCodeMap(models.Model):
    """A reorganisation: data filed under the old section code counts for the new section."""

    old_code = models.CharField(_("old section code"), max_length=32, unique=True)
    new_section = models.ForeignKey("workstyle.OrgUnit", verbose_name=_("new section"), on_delete=models.PROTECT,
                                    related_name="+")
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("section code mapping")
        verbose_name_plural = _("section code mappings")
        ordering = ["old_code"]

    def __str__(self) -> str:
        return f"{self.old_code} → {self.new_section.code}"


class ColumnMapping(models.Model):
    """How to read one device family's job-log CSV (Canon, RICOH, FUJIFILM, Sharp, Kyocera …)."""

    FIELDS = ("time", "user", "department", "printer", "pages", "copies", "sheets", "color", "duplex",
              "paper_size", "document")

    source = models.SlugField(_("source"), max_length=50, unique=True)
    columns = models.JSONField(_("columns"), default=dict,
                               help_text=_("Our field → the column header in the device's file."))
    time_format = models.CharField(_("time format"), max_length=50, blank=True,
                                   help_text=_("strftime format, e.g. %Y/%m/%d %H:%M; empty: detect."))
    duplex_values = models.CharField(_("values meaning duplex"), max_length=200, default="duplex,両面,1,true,yes,on")
    color_values = models.CharField(_("values meaning colour"), max_length=200, default="color,colour,カラー,1,true,yes")
    skip_lines = models.PositiveSmallIntegerField(_("lines before the header"), default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("column mapping")
        verbose_name_plural = _("column mappings")
        ordering = ["source"]
        constraints = [
            models.CheckConstraint(condition=Q(skip_lines__lte=50), name="columnmapping_skip_small"),
        ]

    def __str__(self) -> str:
        return self.source


class ImportBatch(models.Model):
    class Kind(models.TextChoices):
        PRINT_LOG = "print_log", _("Print log")
        PURCHASES = "purchases", _("Paper purchases")
        DEMO = "demo", _("Demo data")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    format = models.CharField(_("format"), max_length=16)
    source = models.CharField(_("source"), max_length=50)
    file_name = models.CharField(_("file name"), max_length=255)
    sha256 = models.CharField(_("SHA-256"), max_length=64, unique=True)
    encoding = models.CharField(_("encoding"), max_length=16, blank=True)
    rows_read = models.PositiveIntegerField(_("rows read"), default=0)
    rows_stored = models.PositiveIntegerField(_("rows stored"), default=0)
    sheets = models.FloatField(_("A4-equivalent sheets"), default=0)
    unmapped_count = models.PositiveIntegerField(_("unmapped rows"), default=0)
    unmapped = models.JSONField(_("unmapped rows (line, reason)"), default=list, blank=True)
    details = models.JSONField(default=dict, blank=True)
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name=_("imported by"))
    imported_at = models.DateTimeField(_("imported at"), default=timezone.now)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-imported_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(rows_stored__lte=models.F("rows_read")), name="importbatch_stored_le_read"),
        ]

    def __str__(self) -> str:
        return self.file_name


class PrintJob(models.Model):
    """One raw job row, kept for audit and re-aggregation. Only administrators see these."""

    # No database FK constraints on this bulk table: a deferred FK check per row doubles the cost of COPYing
    # millions of rows. Both ids come from the same transaction (the batch just created, sections from the
    # lookup read under the import lock); deleting a batch still cascades through the ORM.
    # Indexes: the primary key and, on PostgreSQL, one BRIN index on (batch_id, month) (migration 0002). Rows
    # arrive in big contiguous batches in time order, so a BRIN index finds a batch or a period almost as well as
    # a B-tree at a negligible cost per row, where two B-trees doubled the database's share of an import.
    # SQLite gets a B-tree on batch_id.
    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="jobs", db_constraint=False,
                              db_index=False)
    line = models.PositiveIntegerField()
    printed_at = models.DateTimeField()
    month = models.DateField()
    user_name = models.CharField(max_length=150, blank=True)
    section = models.ForeignKey("workstyle.OrgUnit", null=True, blank=True, on_delete=models.DO_NOTHING,
                                related_name="+", db_constraint=False, db_index=False)
    printer = models.CharField(max_length=200, blank=True)
    document = models.CharField(max_length=500, blank=True)
    pages = models.IntegerField()
    copies = models.IntegerField(default=1)
    duplex = models.BooleanField(default=False)
    color = models.BooleanField(default=False)
    paper_size = models.CharField(max_length=20, default="A4")
    sheets = models.FloatField()

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(pages__gte=0) & Q(copies__gte=1) & Q(sheets__gte=0),
                                   name="printjob_counts_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.batch_id}:{self.line}"


class PaperPurchase(models.Model):
    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="purchases")
    line = models.PositiveIntegerField()
    date = models.DateField()
    section = models.ForeignKey("workstyle.OrgUnit", on_delete=models.PROTECT, related_name="+")
    paper_size = models.CharField(max_length=20)
    packs = models.IntegerField()
    sheets_per_pack = models.IntegerField()
    sheets = models.FloatField()

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(packs__gte=0) & Q(sheets_per_pack__gt=0), name="purchase_counts_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.batch_id}:{self.line}"


class MonthlyUsage(models.Model):
    """Roll-up: A4-equivalent sheets per section, month (first day), kind, source and printer."""

    class Kind(models.TextChoices):
        PRINT = "print", _("Printed (logs)")
        MANUAL = "manual", _("Manual entry")
        PURCHASE = "purchase", _("Purchased")

    section = models.ForeignKey("workstyle.OrgUnit", on_delete=models.PROTECT, related_name="+")
    month = models.DateField()
    kind = models.CharField(max_length=10, choices=Kind.choices)
    source = models.CharField(max_length=50)
    sheets = models.FloatField(default=0)
    jobs = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["section", "month", "kind", "source"], name="monthlyusage_unique_key"),
            models.CheckConstraint(condition=Q(sheets__gte=0), name="monthlyusage_sheets_nonneg"),
        ]
        indexes = [models.Index(fields=["month", "kind"])]

    def __str__(self) -> str:
        return f"{self.section_id} {self.month:%Y-%m} {self.kind}/{self.source}"


class PrinterMonthly(models.Model):
    """Roll-up per printer and month (drill-down); ``section`` is the printer's section from the printer table."""

    printer = models.CharField(max_length=200)
    month = models.DateField()
    source = models.CharField(max_length=50)
    section = models.ForeignKey("workstyle.OrgUnit", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    sheets = models.FloatField(default=0)
    jobs = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["printer", "month", "source"], name="printermonthly_unique_key"),
            models.CheckConstraint(condition=Q(sheets__gte=0), name="printermonthly_sheets_nonneg"),
        ]

    def __str__(self) -> str:
        return f"{self.printer} {self.month:%Y-%m}"


class EnteredBaseline(models.Model):
    """An FY2023 baseline entered by hand for a section without FY2023 data (replaces the computed one)."""

    section = models.OneToOneField("workstyle.OrgUnit", on_delete=models.PROTECT, related_name="+")
    annual_sheets = models.FloatField(_("FY2023 sheets"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    entered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(annual_sheets__gte=0), name="enteredbaseline_nonneg")]

    def __str__(self) -> str:
        return f"{self.section_id}: {self.annual_sheets}"


class FollowUpComment(models.Model):
    class Kind(models.TextChoices):
        COMMENT = "comment", _("Comment")
        REMINDER = "reminder", _("Reminder sent")

    unit = models.ForeignKey("workstyle.OrgUnit", on_delete=models.CASCADE, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.COMMENT)
    body = models.TextField(_("comment"))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.CheckConstraint(condition=~Q(body=""), name="followup_body_not_empty")]

    def __str__(self) -> str:
        return self.body[:50]

from __future__ import annotations

import json

from django import forms
from django.utils.translation import gettext_lazy as _

from paper_metrics.models import ColumnMapping
from workstyle.models import OrgUnit


class SectionField(forms.CharField):
    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        unit = OrgUnit.objects.filter(code=value.strip(), kind=OrgUnit.Kind.SECTION).first()
        if unit is None:
            raise forms.ValidationError(_("No section has the code %(code)s.") % {"code": value})
        return unit


class PrintLogForm(forms.Form):
    file = forms.FileField(label=_("Print log (CSV)"))
    format = forms.ChoiceField(label=_("Format"), choices=[
        ("papercut", _("PaperCut Print Logger")), ("cups", _("CUPS page_log")), ("mapped", _("Other CSV (saved column mapping)"))])
    source = forms.CharField(label=_("Source"), max_length=50, required=False,
                             help_text=_("For other CSV files: the name of the saved column mapping."))
    strict = forms.BooleanField(label=_("Refuse the file if any row cannot be mapped to a section"), required=False)


class PurchaseForm(forms.Form):
    file = forms.FileField(label=_("Paper purchases (CSV)"))


class ManualEntryForm(forms.Form):
    section = SectionField(label=_("Section code"), max_length=32)
    month = forms.DateField(label=_("Month"), input_formats=["%Y-%m", "%Y-%m-%d"],
                            widget=forms.DateInput(attrs={"type": "month"}))
    sheets = forms.FloatField(label=_("A4-equivalent sheets"), min_value=0)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class SettingsForm(forms.Form):
    co2_g_per_sheet = forms.FloatField(label=_("CO2 per sheet (g)"), min_value=0)
    sheets_per_tree = forms.FloatField(label=_("Sheets per tree"), min_value=1)
    at_risk_margin = forms.FloatField(label=_("At-risk margin (percentage points of the baseline)"), min_value=0)
    size_factors = forms.CharField(label=_("Paper size factors (JSON)"), widget=forms.Textarea(attrs={"rows": 4}))
    target_steps = forms.CharField(label=_("Yearly reduction against FY2023 in % (JSON)"),
                                   widget=forms.Textarea(attrs={"rows": 3}))

    def _json(self, name):
        try:
            value = json.loads(self.cleaned_data[name])
            if not isinstance(value, dict):
                raise ValueError
            return {str(k): float(v) for k, v in value.items()}
        except (ValueError, TypeError):
            raise forms.ValidationError(_("Enter a JSON object such as {\"A4\": 1, \"A3\": 2}.")) from None

    def clean_size_factors(self):
        return self._json("size_factors")

    def clean_target_steps(self):
        steps = self._json("target_steps")
        if not all(k.isdigit() for k in steps):
            raise forms.ValidationError(_("Keys are fiscal years such as \"2025\"."))
        return steps


class PrinterForm(forms.Form):
    name = forms.CharField(label=_("Printer name"), max_length=200)
    section = SectionField(label=_("Section code"), max_length=32)
    location = forms.CharField(label=_("Location"), max_length=200, required=False)


class CodeMapForm(forms.Form):
    old_code = forms.CharField(label=_("Old section code"), max_length=32)
    new_section = SectionField(label=_("New section code"), max_length=32)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class BaselineForm(forms.Form):
    section = SectionField(label=_("Section code"), max_length=32)
    annual_sheets = forms.FloatField(label=_("FY2023 sheets (empty: use the computed baseline)"), min_value=0,
                                     required=False)


FIELD_LABELS = {
    "time": _("Column: time"), "user": _("Column: user"), "department": _("Column: department code"),
    "printer": _("Column: printer"), "pages": _("Column: pages"), "copies": _("Column: copies"),
    "sheets": _("Column: sheets"), "color": _("Column: colour"), "duplex": _("Column: duplex"),
    "paper_size": _("Column: paper size"), "document": _("Column: document name"),
}


class ColumnMappingForm(forms.Form):
    source = forms.SlugField(label=_("Source"), max_length=50)
    time_format = forms.CharField(label=_("Time format"), max_length=50, required=False)
    skip_lines = forms.IntegerField(label=_("Lines before the header"), min_value=0, max_value=50, initial=0)
    duplex_values = forms.CharField(label=_("Values meaning duplex"), max_length=200, required=False)
    color_values = forms.CharField(label=_("Values meaning colour"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for f in ColumnMapping.FIELDS:
            self.fields[f"col_{f}"] = forms.CharField(label=FIELD_LABELS[f], max_length=100, required=False)

    def columns(self):
        return {f: self.cleaned_data.get(f"col_{f}", "") for f in ColumnMapping.FIELDS}


class CommentForm(forms.Form):
    body = forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from training.models import Course, LeaderPolicy, Requirement, Tier


class CourseForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=32)
    title = forms.CharField(label=_("Title"), max_length=200)
    tier = forms.ChoiceField(label=_("Tier"), choices=Tier.choices)
    kind = forms.ChoiceField(label=_("Kind"), choices=Course.Kind.choices)
    hours = forms.DecimalField(label=_("Hours"), min_value=0, max_digits=6, decimal_places=1)
    provider = forms.CharField(label=_("Provider"), max_length=200, required=False)


class SessionForm(forms.Form):
    starts_on = forms.DateField(label=_("Starts on"), widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(label=_("Ends on"), widget=forms.DateInput(attrs={"type": "date"}))
    capacity = forms.IntegerField(label=_("Capacity"), min_value=1)
    location = forms.CharField(label=_("Place"), max_length=200, required=False)


class CsvForm(forms.Form):
    file = forms.FileField(label=_("CSV file"))


class CompletionForm(forms.Form):
    course = forms.ModelChoiceField(label=_("Course"), queryset=Course.objects.filter(is_active=True))
    completed_on = forms.DateField(label=_("Completed on"), widget=forms.DateInput(attrs={"type": "date"}))
    score = forms.DecimalField(label=_("Score"), min_value=0, max_value=100, required=False, decimal_places=1)
    evidence = forms.CharField(label=_("Evidence"), max_length=300, required=False)


class RequirementSetForm(forms.Form):
    tier = forms.ChoiceField(label=_("Tier"), choices=Tier.choices)
    name = forms.CharField(label=_("Name"), max_length=200)


class RequirementForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Requirement.Kind.choices)
    courses = forms.ModelMultipleChoiceField(label=_("Courses"), queryset=Course.objects.all(), required=False)
    n = forms.IntegerField(label=_("How many (for “any n of”)"), min_value=1, initial=1, required=False)
    tier = forms.ChoiceField(label=_("Tier (for “holds a tier” and hours)"), choices=[("", "—"), *Tier.choices],
                             required=False)
    hours = forms.DecimalField(label=_("Hours"), min_value=0, required=False, decimal_places=1)


class TierSettingForm(forms.Form):
    tier = forms.ChoiceField(label=_("Tier"), choices=Tier.choices)
    validity_months = forms.IntegerField(label=_("Valid for (months)"), min_value=1, required=False)
    remind_days_before = forms.IntegerField(label=_("Remind days before expiry"), min_value=0, initial=60)
    auto_award = forms.BooleanField(label=_("Award automatically"), required=False, initial=True)


class LeaderPolicyForm(forms.Form):
    transfer_rule = forms.ChoiceField(label=_("On transfer"), choices=LeaderPolicy.TransferRule.choices)
    term_years = forms.IntegerField(label=_("Term (years)"), min_value=1, max_value=10)


class AwardForm(forms.Form):
    employee_number = forms.CharField(label=_("Employee number"), max_length=32)
    tier = forms.ChoiceField(label=_("Tier"), choices=Tier.choices)
    awarded_on = forms.DateField(label=_("Awarded on"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    override_reason = forms.CharField(label=_("Override reason (only when the requirements are not met)"),
                                      max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ReportForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    summary = forms.CharField(label=_("Summary"), widget=forms.Textarea(attrs={"rows": 4}))


class RosterForm(forms.Form):
    numbers = forms.CharField(label=_("Employee numbers (one per line)"), widget=forms.Textarea(attrs={"rows": 6}))
    tier = forms.ChoiceField(label=_("Tier"), choices=Tier.choices)
    awarded_on = forms.DateField(label=_("Awarded on"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    override_reason = forms.CharField(label=_("Override reason (only when the requirements are not met)"),
                                      max_length=500, required=False)


class CourseEditForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    tier = forms.ChoiceField(label=_("Tier"), choices=Tier.choices)
    kind = forms.ChoiceField(label=_("Kind"), choices=Course.Kind.choices)
    hours = forms.DecimalField(label=_("Hours"), min_value=0, max_digits=6, decimal_places=1)
    provider = forms.CharField(label=_("Provider"), max_length=200, required=False)
    is_active = forms.BooleanField(label=_("Offered (uncheck to retire the course)"), required=False)

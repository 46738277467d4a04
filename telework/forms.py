from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from telework.models import Contact, Mode, Part, Place, Suitability, TaskItem, TeleworkRequest, WorkLog
from workstyle.models import StaffProfile

WEEKDAYS = [(0, _("Monday")), (1, _("Tuesday")), (2, _("Wednesday")), (3, _("Thursday")), (4, _("Friday"))]


class DateInput(forms.DateInput):
    input_type = "date"


class RequestForm(forms.Form):
    kind = forms.ChoiceField(label=_("Days"), choices=TeleworkRequest.Kind.choices, widget=forms.RadioSelect,
                             initial=TeleworkRequest.Kind.SINGLE)
    start = forms.DateField(label=_("Day (or first day)"), widget=DateInput)
    end = forms.DateField(label=_("Last day (range or pattern)"), required=False, widget=DateInput)
    weekdays = forms.TypedMultipleChoiceField(label=_("Weekdays (weekly pattern)"), choices=WEEKDAYS, coerce=int,
                                              required=False, widget=forms.CheckboxSelectMultiple)
    part = forms.ChoiceField(label=_("Time"), choices=Part.choices, widget=forms.RadioSelect, initial=Part.DAY)
    place = forms.ChoiceField(label=_("Place"), choices=Place.choices, initial=Place.HOME)
    tasks = forms.ModelMultipleChoiceField(label=_("Tasks from the section's list"), queryset=TaskItem.objects.none(),
                                           required=False, widget=forms.CheckboxSelectMultiple)
    planned_tasks = forms.CharField(label=_("Planned work"), required=False,
                                    widget=forms.Textarea(attrs={"rows": 3}))
    contact_method = forms.ChoiceField(label=_("Contact method"), choices=Contact.choices, initial=Contact.PHONE)
    contact_detail = forms.CharField(label=_("Contact details (number, chat name)"), required=False, max_length=200)

    def __init__(self, *args, section=None, **kwargs):
        super().__init__(*args, **kwargs)
        if section is not None:
            self.fields["tasks"].queryset = TaskItem.objects.filter(section=section, is_active=True).order_by(
                "suitability", "title")
            self.fields["tasks"].label_from_instance = lambda t: f"{t.title}（{t.get_suitability_display()}）"

    def service_kwargs(self) -> dict:
        d = self.cleaned_data
        return {
            "kind": d["kind"], "start": d["start"], "end": d.get("end"), "weekdays": d.get("weekdays") or [],
            "part": d["part"], "place": d["place"], "planned_tasks": d.get("planned_tasks") or "",
            "task_ids": [t.pk for t in d.get("tasks") or []], "contact_method": d["contact_method"],
            "contact_detail": d.get("contact_detail") or "",
        }


class ReportForm(forms.Form):
    progress = forms.ChoiceField(label=_("Against the plan"), choices=WorkLog.Progress.choices,
                                 widget=forms.RadioSelect)
    report = forms.CharField(label=_("What you did today"), widget=forms.Textarea(attrs={"rows": 5}))


class DeputyForm(forms.Form):
    deputy = forms.CharField(label=_("Deputy's employee number"), max_length=32)
    start = forms.DateField(label=_("From"), widget=DateInput)
    end = forms.DateField(label=_("Until"), widget=DateInput)


class TaskForm(forms.Form):
    title = forms.CharField(label=_("Task"), max_length=200)
    suitability = forms.ChoiceField(label=_("Suitability for telework"), choices=Suitability.choices)
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)
    is_active = forms.BooleanField(label=_("In use"), required=False, initial=True)


MODE_CHOICES = [("", _("Inherit")), *Mode.choices]


class RuleForm(forms.Form):
    max_days_per_week = forms.DecimalField(label=_("Most telework days per week"), required=False, min_value=0,
                                           max_value=7, decimal_places=1)
    max_days_per_week_mode = forms.ChoiceField(label=_("When exceeded"), choices=MODE_CHOICES, required=False)
    max_days_per_month = forms.DecimalField(label=_("Most telework days per month"), required=False, min_value=0,
                                            max_value=31, decimal_places=1)
    max_days_per_month_mode = forms.ChoiceField(label=_("When exceeded"), choices=MODE_CHOICES, required=False)
    min_notice_days = forms.IntegerField(label=_("Minimum notice (working days)"), required=False, min_value=0,
                                         max_value=30)
    min_notice_days_mode = forms.ChoiceField(label=_("When too late"), choices=MODE_CHOICES, required=False)
    inherit_types = forms.BooleanField(label=_("Inherit the excluded staff types"), required=False, initial=True)
    excluded_employment_types = forms.MultipleChoiceField(
        label=_("Excluded staff types"), choices=StaffProfile.EmploymentType.choices, required=False,
        widget=forms.CheckboxSelectMultiple)
    excluded_employment_types_mode = forms.ChoiceField(label=_("For excluded staff"), choices=MODE_CHOICES,
                                                       required=False)
    blackout_mode = forms.ChoiceField(label=_("On blackout dates"), choices=MODE_CHOICES, required=False)
    office_days_per_week = forms.IntegerField(label=_("Required office days per week"), required=False, min_value=0,
                                              max_value=5)
    office_days_per_week_mode = forms.ChoiceField(label=_("When too few"), choices=MODE_CHOICES, required=False)

    def values(self) -> dict:
        d = dict(self.cleaned_data)
        inherit = d.pop("inherit_types")
        d["excluded_employment_types"] = None if inherit else list(d["excluded_employment_types"])
        return d


class BlackoutForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=DateInput)
    reason = forms.CharField(label=_("Reason"), max_length=200)

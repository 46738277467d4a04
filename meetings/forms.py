from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from meetings.models import Meeting


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class MeetingForm(forms.ModelForm):
    online_url = forms.URLField(label=_("online meeting link"), required=False, assume_scheme="https")

    class Meta:
        model = Meeting
        fields = ["title", "starts_at", "ends_at", "place", "online_url", "description", "confidentiality",
                  "access_days_after"]
        widgets = {"starts_at": DateTimeInput(), "ends_at": DateTimeInput(),
                   "description": forms.Textarea(attrs={"rows": 3})}


class AttendeeForm(forms.Form):
    employee_number = forms.CharField(label=_("Staff number"), required=False, max_length=32)
    section_code = forms.CharField(label=_("Section code"), required=False, max_length=32)
    guest_name = forms.CharField(label=_("External guest (name only)"), required=False, max_length=120)


class AgendaItemForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    presenter = forms.CharField(label=_("Presenter (staff number)"), required=False, max_length=32)
    starts_at = forms.TimeField(label=_("Time"), required=False, widget=forms.TimeInput(attrs={"type": "time"}))
    duration_minutes = forms.IntegerField(label=_("Minutes"), min_value=1, max_value=600, initial=10)


class MaterialForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    publish_at = forms.DateTimeField(label=_("Publish to attendees at"), required=False, widget=DateTimeInput())


class UploadForm(forms.Form):
    file = forms.FileField(label=_("PDF file"))

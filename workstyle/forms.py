from __future__ import annotations

from allauth.account.forms import LoginForm
from django import forms
from django.utils.translation import gettext_lazy as _


class StaffLoginForm(LoginForm):
    """Login with employee number or e-mail."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["login"].label = _("Employee number or e-mail")
        self.fields["login"].widget.attrs.update({"placeholder": _("e.g. 10000001"), "autocomplete": "username"})
        if "remember" in self.fields:
            del self.fields["remember"]

    def clean_login(self):
        return self.cleaned_data["login"].strip()


class CsvUploadForm(forms.Form):
    file = forms.FileField(label=_("CSV file"))
    full = forms.BooleanField(
        label=_("Full list: deactivate staff missing from the file"), required=False, initial=True
    )

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import AMENITIES, Zone


class DeskForm(forms.Form):
    zone = forms.ModelChoiceField(label=_("Zone"), queryset=Zone.objects.none())
    x = forms.IntegerField(label=_("x"), min_value=0)
    y = forms.IntegerField(label=_("y"), min_value=0)
    width = forms.IntegerField(label=_("width"), min_value=1)
    height = forms.IntegerField(label=_("height"), min_value=1)
    amenities = forms.MultipleChoiceField(label=_("Amenities"), choices=list(AMENITIES.items()), required=False,
                                          widget=forms.CheckboxSelectMultiple)
    bookable = forms.BooleanField(label=_("bookable"), required=False)

    def __init__(self, *args, floor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["zone"].queryset = Zone.objects.filter(floor=floor).order_by("name")

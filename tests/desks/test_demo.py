"""The demo loader: the main building, zones per department, history with no-shows; idempotent."""

import io

import pytest
from django.core.management import call_command

from desks.models import Booking, Desk, DeskOccupancy, Zone

pytestmark = pytest.mark.django_db


def test_small_demo_is_idempotent(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    call_command("load_demo", "--small", "--only", "workstyle,desks", stdout=io.StringIO())
    n_desks, n_bookings = Desk.objects.count(), Booking.objects.count()
    assert n_desks > 20 and n_bookings > 50
    assert Zone.objects.filter(reserved_for__isnull=False).exists()
    assert Booking.objects.filter(status="no_show").exists()
    # every active booking holds its halves; the constraints held during the bulk load
    assert DeskOccupancy.objects.filter(active=True).count() >= Booking.objects.filter(status="active").count()
    assert Booking.objects.filter(user__username="10000001", status="active").exists()
    call_command("load_demo", "--small", "--only", "workstyle,desks", stdout=io.StringIO())
    assert (Desk.objects.count(), Booking.objects.count()) == (n_desks, n_bookings)

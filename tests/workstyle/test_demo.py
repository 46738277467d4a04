"""The demo city: idempotent, every demo account logs in, the full city has the promised size."""

from __future__ import annotations

import time
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from django.test import Client

from workstyle.demo import DEMO_ACCOUNTS, DEMO_PASSWORD
from workstyle.models import OrgUnit, StaffProfile, User


def all_counts() -> dict[str, int]:
    return {m._meta.label: m._default_manager.count() for m in apps.get_models()
            if m._meta.label not in ("sessions.Session",)}


def test_small_demo_is_idempotent(db):
    out = StringIO()
    call_command("load_demo", "--small", stdout=out)
    first = all_counts()
    assert first["workstyle.StaffProfile"] >= 150
    call_command("load_demo", "--small", stdout=StringIO())
    assert all_counts() == first
    text = out.getvalue()
    for _role, number, *_rest in DEMO_ACCOUNTS:
        assert number in text  # the accounts are printed
    assert DEMO_PASSWORD in text


@pytest.mark.parametrize("account", DEMO_ACCOUNTS, ids=[a[0].value for a in DEMO_ACCOUNTS])
def test_every_demo_account_logs_in_by_number_and_by_email(db, account):
    call_command("load_demo", "--small", "--only", "workstyle", stdout=StringIO())
    role, number, _name, _kana, email, *_ = account
    for login in (number, email):
        c = Client()
        resp = c.post("/accounts/login/", {"login": login, "password": DEMO_PASSWORD})
        assert resp.status_code == 302, (login, resp.context["form"].errors if resp.context else None)
        assert c.session["_auth_user_id"] == str(User.objects.get(username=number).pk)
        assert c.get("/").status_code == 200
    assert User.objects.get(username=number).groups.filter(name=role.value).exists()


def test_generated_staff_have_no_password(db):
    call_command("load_demo", "--small", "--only", "workstyle", stdout=StringIO())
    demo_numbers = [a[1] for a in DEMO_ACCOUNTS]
    other = User.objects.exclude(username__in=demo_numbers).first()
    assert other is not None and not other.has_usable_password()


def test_full_city_size_and_speed(db):
    start = time.monotonic()
    call_command("load_demo", "--only", "workstyle", stdout=StringIO())
    elapsed = time.monotonic() - start
    assert StaffProfile.objects.count() == 7200
    assert OrgUnit.objects.filter(kind="ward").count() == 7
    assert OrgUnit.objects.filter(kind="bureau").count() == 15
    assert 390 <= OrgUnit.objects.filter(kind="section").count() <= 420
    # every section has a chief, found from the data
    sections_without_chief = OrgUnit.objects.filter(kind="section").exclude(staff__is_manager=True).count()
    assert sections_without_chief == 0
    assert elapsed < 30, f"load_demo took {elapsed:.1f}s"

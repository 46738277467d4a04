import pytest
from django.core import mail

from tests.conftest import PASSWORD
from workstyle.models import AuditEvent


def test_login_with_employee_number(personas, client):
    resp = client.post("/accounts/login/", {"login": "sato", "password": PASSWORD})
    assert resp.status_code == 302
    assert client.get("/").status_code == 200


def test_login_with_email(personas, client):
    resp = client.post("/accounts/login/", {"login": "sato@city.example.jp", "password": PASSWORD})
    assert resp.status_code == 302


def test_wrong_password_is_refused_logged_and_rate_limited(personas, client):
    for _ in range(5):
        resp = client.post("/accounts/login/", {"login": "sato", "password": "wrong-password"})
        assert resp.status_code == 200
    assert AuditEvent.objects.filter(action="auth.login_failed").count() >= 5
    # the per-login limit (5 failures in 5 minutes) now refuses even the right password
    resp = client.post("/accounts/login/", {"login": "sato", "password": PASSWORD})
    assert "_auth_user_id" not in client.session
    assert resp.context["form"].errors


def test_no_public_signup(db, client):
    resp = client.get("/accounts/signup/")
    assert resp.status_code in (200, 403)
    assert "signup_closed" in resp.templates[0].name if resp.templates else True
    resp = client.post("/accounts/signup/", {"username": "x", "email": "x@y.jp", "password1": "Abcdefgh123!", "password2": "Abcdefgh123!"})
    from workstyle.models import User

    assert not User.objects.filter(username="x").exists()


def test_logout_ends_the_session(personas, client_for):
    c = client_for(personas.sato)
    assert c.get("/").status_code == 200
    c.post("/accounts/logout/")
    assert c.get("/").status_code == 302


def test_admin_login_goes_through_allauth(db, client):
    resp = client.get("/admin/login/")
    assert resp.status_code == 302
    assert resp["Location"].startswith("/accounts/login/")


def test_password_reset_sends_mail(personas, client):
    resp = client.post("/accounts/password/reset/", {"email": "sato@city.example.jp"})
    assert resp.status_code == 302
    assert len(mail.outbox) == 1


def test_inactive_user_cannot_log_in(personas, client):
    personas.sato.is_active = False
    personas.sato.save()
    client.post("/accounts/login/", {"login": "sato", "password": PASSWORD})
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("role_user", ["tanaka", "ito", "yamamoto"])
def test_mfa_required_roles_are_sent_to_setup(personas, client_for, settings, role_user):
    settings.MFA_REQUIRED_ROLES = ["hr", "facilities", "admin"]
    resp = client_for(getattr(personas, role_user)).get("/")
    assert resp.status_code == 302 and "/accounts/2fa/totp/activate" in resp["Location"]
    # an employee is not affected
    assert client_for(personas.sato).get("/").status_code == 200


def test_deactivation_ends_sessions(personas, client_for):
    from workstyle.services.org import deactivate_staff

    c = client_for(personas.sato)
    assert c.get("/").status_code == 200
    from django.db import transaction  # noqa: F401

    deactivate_staff(profile=personas.sato.staff, actor=personas.yamamoto, reason="test")
    assert c.get("/").status_code == 302

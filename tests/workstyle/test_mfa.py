"""TOTP multi-factor authentication through the real allauth pages, with codes computed per RFC 6238."""

from __future__ import annotations

import base64
import hashlib
import hmac
import struct
import time

import pytest
from allauth.mfa.models import Authenticator

from tests.conftest import PASSWORD


def totp(secret_b32: str, *, at: float | None = None, step: int = 30, digits: int = 6) -> str:
    """RFC 6238 TOTP (HMAC-SHA1), independent of allauth's implementation."""
    key = base64.b32decode(secret_b32, casefold=True)
    if at is None and step - time.time() % step < 2:  # don't hand out a code about to expire
        time.sleep(step - time.time() % step + 0.05)
    counter = int((time.time() if at is None else at) // step)
    mac = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    value = struct.unpack(">I", mac[offset:offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 10 ** digits:0{digits}d}"


def test_rfc6238_reference_vector():
    # RFC 6238 appendix B, SHA1, T=59 → 94287082 (8 digits)
    secret = base64.b32encode(b"12345678901234567890").decode()
    assert totp(secret, at=59, digits=8) == "94287082"


def password_login(client, username):
    return client.post("/accounts/login/", {"login": username, "password": PASSWORD})


def enrol_totp(client) -> str:
    resp = client.get("/accounts/2fa/totp/activate/")
    if resp.status_code == 302:  # allauth asks for the password again before changing security settings
        assert resp["Location"].startswith("/accounts/reauthenticate/")
        resp = client.post(resp["Location"], {"password": PASSWORD})
        assert resp.status_code == 302
        resp = client.get("/accounts/2fa/totp/activate/")
    assert resp.status_code == 200
    secret = client.session["mfa.totp.secret"]
    assert secret in resp.content.decode()  # shown for manual entry next to the QR code
    resp = client.post("/accounts/2fa/totp/activate/", {"code": totp(secret)})
    assert resp.status_code == 302, resp.context["form"].errors if resp.context else resp
    return secret


def test_enrol_then_log_in_with_a_totp_code(personas, client):
    assert password_login(client, "sato").status_code == 302
    secret = enrol_totp(client)
    user = personas.sato
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    # recovery codes are generated with the first authenticator
    rc = Authenticator.objects.get(user=user, type=Authenticator.Type.RECOVERY_CODES)
    codes = rc.wrap().get_unused_codes()
    assert len(codes) == 10
    client.post("/accounts/logout/")

    # the password alone no longer logs in: a second step is asked for
    resp = password_login(client, "sato")
    assert resp.status_code == 302 and resp["Location"].startswith("/accounts/2fa/authenticate/")
    assert "_auth_user_id" not in client.session
    assert client.get("/").status_code == 302
    resp = client.post("/accounts/2fa/authenticate/", {"code": "000000" if totp(secret) != "000000" else "111111"})
    assert resp.status_code == 200 and "_auth_user_id" not in client.session
    resp = client.post("/accounts/2fa/authenticate/", {"code": totp(secret)})
    assert resp.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)
    assert client.get("/").status_code == 200


def test_recovery_code_logs_in_once(personas, client):
    password_login(client, "kato")
    enrol_totp(client)
    code = Authenticator.objects.get(user=personas.kato, type=Authenticator.Type.RECOVERY_CODES).wrap().get_unused_codes()[0]
    client.post("/accounts/logout/")
    password_login(client, "kato")
    assert client.post("/accounts/2fa/authenticate/", {"code": code}).status_code == 302
    assert client.session["_auth_user_id"] == str(personas.kato.pk)
    client.post("/accounts/logout/")
    password_login(client, "kato")
    client.post("/accounts/2fa/authenticate/", {"code": code})  # used up
    assert "_auth_user_id" not in client.session


def test_recovery_codes_page_lists_codes(personas, client):
    password_login(client, "sato")
    enrol_totp(client)
    resp = client.get("/accounts/2fa/recovery-codes/")
    assert resp.status_code == 200
    codes = Authenticator.objects.get(user=personas.sato, type=Authenticator.Type.RECOVERY_CODES).wrap().get_unused_codes()
    assert codes[0] in resp.content.decode()


@pytest.mark.parametrize("path", ["/", "/admin/", "/org/", "/settings/"])
def test_required_roles_must_enrol_before_anything_including_admin(personas, client, settings, path):
    settings.MFA_REQUIRED_ROLES = ["hr", "facilities", "admin"]
    password_login(client, "yamamoto")  # admin (superuser)
    resp = client.get(path)
    assert resp.status_code == 302 and resp["Location"].startswith("/accounts/2fa/totp/activate/")
    enrol_totp(client)
    resp = client.get(path)
    assert resp.status_code == 200


def test_admin_login_page_requires_the_second_factor(personas, client, settings):
    settings.MFA_REQUIRED_ROLES = ["admin"]
    password_login(client, "yamamoto")
    secret = enrol_totp(client)
    client.post("/accounts/logout/")
    resp = client.get("/admin/")
    assert resp.status_code == 302
    resp = client.get(resp["Location"])  # the admin login is allauth's login
    assert resp.status_code == 302 and resp["Location"].startswith("/accounts/login/")
    resp = client.post(resp["Location"], {"login": "yamamoto", "password": PASSWORD})
    assert resp["Location"].startswith("/accounts/2fa/authenticate/")
    assert client.get("/admin/").status_code == 302  # still anonymous
    resp = client.post("/accounts/2fa/authenticate/", {"code": totp(secret)})
    assert resp.status_code == 302
    assert client.get("/admin/").status_code == 200

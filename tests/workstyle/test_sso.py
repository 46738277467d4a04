"""Single sign-on (OpenID Connect) at the HTTP boundary against a fake identity provider.

Only the provider's side is faked: every HTTP call allauth makes to it (discovery, token, userinfo) goes
through ``requests.Session.request``, which we answer here. The browser side (login page → redirect to the
provider → callback with ``code`` and ``state``) runs through the real views.
"""

from __future__ import annotations

import base64
import hashlib
import json
import time
from urllib.parse import parse_qs, urlparse

import jwt
import pytest
import requests
from allauth.socialaccount.models import SocialAccount
from django.test import Client

from tests.conftest import PASSWORD
from workstyle.models import AuditEvent, User

ISSUER = "https://sso.city.example.jp/realms/city"
CLIENT_ID = "workstyle"
CLIENT_SECRET = "s3cret-for-tests-only-0123456789abcdef"


class FakeIdP:
    """Answers the provider's endpoints; remembers what it was asked."""

    def __init__(self):
        self.calls: list[tuple[str, str]] = []
        self.codes: dict[str, dict] = {}  # code -> {"claims": ..., "challenge": ..., "redirect_uri": ...}
        self.tokens: dict[str, dict] = {}  # access token -> claims

    def issue_code(self, authorize_url: str, claims: dict) -> str:
        q = parse_qs(urlparse(authorize_url).query)
        code = f"code-{len(self.codes) + 1}"
        self.codes[code] = {"claims": claims, "challenge": q["code_challenge"][0],
                            "method": q["code_challenge_method"][0], "redirect_uri": q["redirect_uri"][0]}
        return code

    @staticmethod
    def _response(status: int, payload: dict) -> requests.Response:
        resp = requests.Response()
        resp.status_code = status
        resp._content = json.dumps(payload).encode()
        resp.headers["Content-Type"] = "application/json"
        resp.encoding = "utf-8"
        return resp

    def request(self, session, method, url, params=None, data=None, headers=None, auth=None, **kwargs):
        self.calls.append((method.upper(), url))
        if not url.startswith(ISSUER):
            raise AssertionError(f"unexpected outbound request to {url}")
        path = url[len(ISSUER):]
        if path == "/.well-known/openid-configuration":
            return self._response(200, {
                "issuer": ISSUER,
                "authorization_endpoint": f"{ISSUER}/protocol/openid-connect/auth",
                "token_endpoint": f"{ISSUER}/protocol/openid-connect/token",
                "userinfo_endpoint": f"{ISSUER}/protocol/openid-connect/userinfo",
                "jwks_uri": f"{ISSUER}/protocol/openid-connect/certs",
                "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
            })
        if path == "/protocol/openid-connect/token":
            assert method.upper() == "POST"
            assert data["grant_type"] == "authorization_code"
            assert data["client_id"] == CLIENT_ID and data["client_secret"] == CLIENT_SECRET
            grant = self.codes.pop(data["code"], None)  # a code works once
            if grant is None:
                return self._response(400, {"error": "invalid_grant"})
            assert data["redirect_uri"] == grant["redirect_uri"]
            digest = hashlib.sha256(data["code_verifier"].encode()).digest()
            assert grant["method"] == "S256"
            assert base64.urlsafe_b64encode(digest).rstrip(b"=").decode() == grant["challenge"], "PKCE mismatch"
            access = f"at-{len(self.tokens) + 1}"
            self.tokens[access] = grant["claims"]
            now = int(time.time())
            id_token = jwt.encode({"iss": ISSUER, "aud": CLIENT_ID, "iat": now, "exp": now + 300,
                                   **grant["claims"]}, CLIENT_SECRET, algorithm="HS256")
            return self._response(200, {"access_token": access, "token_type": "Bearer", "expires_in": 300,
                                        "id_token": id_token})
        if path == "/protocol/openid-connect/userinfo":
            token = (headers or {}).get("Authorization", "").removeprefix("Bearer ")
            if token not in self.tokens:
                return self._response(401, {"error": "invalid_token"})
            return self._response(200, self.tokens[token])
        return self._response(404, {"error": "not_found"})


@pytest.fixture
def idp(settings, monkeypatch):
    settings.SOCIALACCOUNT_PROVIDERS = {
        "openid_connect": {
            "APPS": [{"provider_id": "city", "name": "City SSO", "client_id": CLIENT_ID,
                      "secret": CLIENT_SECRET, "settings": {"server_url": ISSUER}}],
            "OAUTH_PKCE_ENABLED": True,
        }
    }
    fake = FakeIdP()

    def request(self, method, url, **kwargs):
        return fake.request(self, method, url, **kwargs)

    monkeypatch.setattr(requests.Session, "request", request)
    return fake


def sso_login(client, idp, claims: dict):
    """Drive the browser side: our login page → the provider → our callback. Returns the callback response."""
    page = client.get("/accounts/login/")
    assert b"/accounts/oidc/city/login/" in page.content  # the SSO button is offered
    resp = client.post("/accounts/oidc/city/login/")
    assert resp.status_code == 302
    authorize_url = resp["Location"]
    assert authorize_url.startswith(f"{ISSUER}/protocol/openid-connect/auth?")
    q = parse_qs(urlparse(authorize_url).query)
    assert q["client_id"] == [CLIENT_ID] and "openid" in q["scope"][0]
    code = idp.issue_code(authorize_url, claims)
    callback = urlparse(q["redirect_uri"][0])
    assert callback.path == "/accounts/oidc/city/login/callback/"
    return client.get(callback.path, {"code": code, "state": q["state"][0]})


def test_known_staff_member_signs_in_by_email(personas, client, idp):
    resp = sso_login(client, idp, {"sub": "idp-0001", "email": "SATO@city.example.jp", "email_verified": True,
                                   "name": "佐藤 翔太"})
    assert resp.status_code == 302 and resp["Location"] == "/"
    assert client.session["_auth_user_id"] == str(personas.sato.pk)
    assert client.get("/").status_code == 200
    account = SocialAccount.objects.get(user=personas.sato)
    assert (account.provider, account.uid) == ("city", "idp-0001")
    assert AuditEvent.objects.filter(action="auth.sso_connect", actor=personas.sato).exists()
    # the local password still works: SSO must not wipe it
    personas.sato.refresh_from_db()
    assert personas.sato.check_password(PASSWORD)
    # the provider was asked for discovery, token and userinfo, nothing else
    paths = {url.removeprefix(ISSUER) for _, url in idp.calls}
    assert paths == {"/.well-known/openid-configuration", "/protocol/openid-connect/token",
                     "/protocol/openid-connect/userinfo"}


def test_second_sso_login_uses_the_connected_account(personas, client, idp):
    claims = {"sub": "idp-0002", "email": "kato@city.example.jp", "email_verified": True}
    sso_login(client, idp, claims)
    client.post("/accounts/logout/")
    assert "_auth_user_id" not in client.session
    # even if the e-mail changed at the provider, the uid keeps pointing to the same person
    resp = sso_login(client, idp, {**claims, "email": "kato.new@city.example.jp"})
    assert resp.status_code == 302
    assert client.session["_auth_user_id"] == str(personas.kato.pk)
    assert SocialAccount.objects.filter(user=personas.kato).count() == 1


def test_unknown_email_is_not_signed_up(personas, client, idp):
    users_before = User.objects.count()
    resp = sso_login(client, idp, {"sub": "idp-9999", "email": "stranger@example.com", "email_verified": True,
                                   "preferred_username": "stranger"})
    assert resp.status_code == 200
    assert "signup_closed" in " ".join(t.name for t in resp.templates if t.name)
    assert "_auth_user_id" not in client.session
    assert User.objects.count() == users_before
    assert not SocialAccount.objects.exists()
    assert AuditEvent.objects.filter(action="auth.sso_refused").exists()
    # allauth's pending sign-up form is closed too
    resp = client.post("/accounts/3rdparty/signup/", {"email": "stranger@example.com", "username": "stranger"})
    assert User.objects.count() == users_before


def test_unverified_email_is_not_trusted(personas, client, idp):
    resp = sso_login(client, idp, {"sub": "idp-0003", "email": "sato@city.example.jp", "email_verified": False})
    assert "_auth_user_id" not in client.session
    assert resp.status_code == 200
    assert not SocialAccount.objects.exists()


def test_deactivated_staff_cannot_sign_in(personas, client, idp):
    personas.charlie.is_active = False
    personas.charlie.save()
    sso_login(client, idp, {"sub": "idp-0004", "email": "charlie@city.example.jp", "email_verified": True})
    assert "_auth_user_id" not in client.session
    assert not SocialAccount.objects.exists()


def test_sso_button_absent_without_configuration(db, client, settings):
    settings.SOCIALACCOUNT_PROVIDERS = {}
    assert b"/accounts/oidc/" not in client.get("/accounts/login/").content
    assert client.post("/accounts/oidc/city/login/").status_code == 404


def test_sso_session_is_not_sent_to_totp_setup(personas, client, idp, settings):
    """The IdP enforces its own second factor; SSO-only staff could not re-authenticate to enrol TOTP here."""
    settings.MFA_REQUIRED_ROLES = ["hr"]
    personas.tanaka.set_unusable_password()  # an SSO-only member of HR
    personas.tanaka.save()
    sso_login(client, idp, {"sub": "idp-hr-1", "email": "tanaka@city.example.jp", "email_verified": True})
    assert client.session["_auth_user_id"] == str(personas.tanaka.pk)
    assert client.get("/").status_code == 200
    # the same role logging in with a password must still enrol
    other = Client()
    other.post("/accounts/login/", {"login": "ito", "password": PASSWORD})
    settings.MFA_REQUIRED_ROLES = ["hr", "facilities"]
    resp = other.get("/")
    assert resp.status_code == 302 and resp["Location"].startswith("/accounts/2fa/totp/activate/")

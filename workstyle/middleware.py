from __future__ import annotations

import contextvars

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation

from workstyle.roles import has_role

client_address: contextvars.ContextVar[str | None] = contextvars.ContextVar("client_address", default=None)


def request_client_address(request) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


class ClientAddressMiddleware:
    """Remembers the client address for audit events written during this request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = client_address.set(request_client_address(request))
        try:
            return self.get_response(request)
        finally:
            client_address.reset(token)


class RequireMFAMiddleware:
    """Users holding a role listed in MFA_REQUIRED_ROLES must set up TOTP before using the site."""

    ALLOWED_PREFIXES = ("/accounts/", "/static/", "/i18n/", "/healthz")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        required = settings.MFA_REQUIRED_ROLES
        user = getattr(request, "user", None)
        if (
            required
            and user is not None
            and user.is_authenticated
            and not request.path.startswith(self.ALLOWED_PREFIXES)
            and has_role(user, *required)
        ):
            from allauth.mfa.models import Authenticator

            if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
                return redirect(reverse("mfa_activate_totp"))
        return self.get_response(request)


class JapaneseFirstLocaleMiddleware(LocaleMiddleware):
    """Japanese unless the person chose English with the language switch (a cookie).

    The browser's Accept-Language is deliberately ignored: the city's users read Japanese first, and
    shared tablets and kiosks often come with English system settings.
    """

    def process_request(self, request):
        code = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if code not in dict(settings.LANGUAGES):
            code = settings.LANGUAGE_CODE
        translation.activate(code)
        request.LANGUAGE_CODE = translation.get_language()

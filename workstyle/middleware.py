"""Project middleware. All of it works in both modes, so that under ASGI requests cross no thread boundary
before the view (a sync-only middleware anywhere in the stack costs two extra thread hops per request)."""

from __future__ import annotations

import contextvars

from asgiref.sync import iscoroutinefunction, markcoroutinefunction, sync_to_async
from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from whitenoise.middleware import WhiteNoiseMiddleware

from workstyle.roles import has_role

client_address: contextvars.ContextVar[str | None] = contextvars.ContextVar("client_address", default=None)


def request_client_address(request) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


class _DualMode:
    sync_capable = True
    async_capable = True

    def __init__(self, get_response):
        self.get_response = get_response
        self._async = iscoroutinefunction(get_response)
        if self._async:
            markcoroutinefunction(self)

    def __call__(self, request):
        if self._async:
            return self.__acall__(request)
        return self.handle(request)


class ClientAddressMiddleware(_DualMode):
    """Remembers the client address for audit events written during this request."""

    def handle(self, request):
        token = client_address.set(request_client_address(request))
        try:
            return self.get_response(request)
        finally:
            client_address.reset(token)

    async def __acall__(self, request):
        # contextvars set here are seen by sync code run through sync_to_async (asgiref copies the context)
        token = client_address.set(request_client_address(request))
        try:
            return await self.get_response(request)
        finally:
            client_address.reset(token)


class RequireMFAMiddleware(_DualMode):
    """Users holding a role listed in MFA_REQUIRED_ROLES must set up TOTP before using the site (admin included).

    A session opened through the city's single sign-on is exempt: the identity provider enforces its own
    second factor, and SSO-only staff (no local password) could not re-authenticate to enrol TOTP here.
    """

    ALLOWED_PREFIXES = ("/accounts/", "/static/", "/i18n/", "/healthz")

    @classmethod
    def _setup_needed(cls, request, user, required) -> bool:
        if not (user is not None and user.is_authenticated and has_role(user, *required)):
            return False
        from allauth.account.authentication import get_authentication_records
        from allauth.mfa.models import Authenticator

        if any(r.get("method") == "socialaccount" for r in get_authentication_records(request, user)):
            return False
        return not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()

    def _applies(self, request) -> bool:
        return bool(settings.MFA_REQUIRED_ROLES) and not request.path.startswith(self.ALLOWED_PREFIXES)

    def handle(self, request):
        user = getattr(request, "user", None)
        if self._applies(request) and self._setup_needed(request, user, settings.MFA_REQUIRED_ROLES):
            return redirect(reverse("mfa_activate_totp"))
        return self.get_response(request)

    async def __acall__(self, request):
        if self._applies(request):
            user = await request.auser() if hasattr(request, "auser") else None
            if await sync_to_async(self._setup_needed)(request, user, settings.MFA_REQUIRED_ROLES):
                return redirect(reverse("mfa_activate_totp"))
        return await self.get_response(request)


class StaticFilesMiddleware(WhiteNoiseMiddleware):
    """WhiteNoise, able to run in async mode: non-static requests pass straight through without a thread hop."""

    sync_capable = True
    async_capable = True

    def __init__(self, get_response=None, settings=settings):
        super().__init__(get_response, settings=settings)
        self._async = iscoroutinefunction(get_response)
        if self._async:
            markcoroutinefunction(self)

    def __call__(self, request):
        if self._async:
            return self.__acall__(request)
        return super().__call__(request)

    _finder_files: dict = {}

    def add_files_from_finders(self):
        """Scan the finders once per process (the test client builds a middleware stack per client)."""
        key = (self.static_prefix, tuple(map(str, settings.STATICFILES_DIRS)), tuple(settings.INSTALLED_APPS))
        cached = self._finder_files.get(key)
        if cached is None:
            before = dict(self.files)
            super().add_files_from_finders()
            cached = self._finder_files[key] = {k: v for k, v in self.files.items() if before.get(k) is not v}
        self.files.update(cached)

    async def __acall__(self, request):
        if self.autorefresh:  # development: looks at the file system
            static_file = await sync_to_async(self.find_file)(request.path_info)
        else:
            static_file = self.files.get(request.path_info)
        if static_file is not None:
            response = await sync_to_async(self.serve)(static_file, request)
            # stream the file without blocking the event loop (and without Django's sync-iterator warning)
            response.streaming_content = _aiter_file(response.file_to_stream)
            return response
        return await self.get_response(request)


async def _aiter_file(f, chunk_size: int = 64 * 1024):
    if f is None:  # HEAD, 304 Not Modified
        return
    try:
        while True:
            data = await sync_to_async(f.read, thread_sensitive=False)(chunk_size)
            if not data:
                break
            yield data
    finally:
        await sync_to_async(f.close, thread_sensitive=False)()


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

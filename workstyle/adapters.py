from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.contrib.auth.signals import user_login_failed
from django.dispatch import receiver

from workstyle.services.audit import log_event


class AccountAdapter(DefaultAccountAdapter):
    """No public sign-up: staff accounts come from HR data or single sign-on."""

    def is_open_for_signup(self, request):
        return False


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    """Single sign-on may only log in staff we already know (matched by e-mail); it never creates accounts."""

    def is_open_for_signup(self, request, sociallogin):
        return False

    def is_auto_signup_allowed(self, request, sociallogin):
        return False


@receiver(user_login_failed)
def _log_failed_login(sender, credentials, request=None, **kwargs):
    login = credentials.get("username") or credentials.get("email") or credentials.get("login") or ""
    log_event(actor=None, action="auth.login_failed", details={"login": str(login)[:150]})

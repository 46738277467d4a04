from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.contrib.auth.signals import user_login_failed
from django.db.models import Q
from django.dispatch import receiver

from workstyle.services.audit import log_event


class AccountAdapter(DefaultAccountAdapter):
    """No public sign-up: staff accounts come from HR data or single sign-on."""

    def is_open_for_signup(self, request):
        return False


def _sso_emails(sociallogin) -> list[str]:
    """E-mail addresses the identity provider vouches for.

    The city's identity provider is fed from the same HR data as this site, so its e-mail claim is trusted
    unless it says explicitly that the address is unverified (``email_verified: false``).
    """
    data = sociallogin.account.extra_data or {}
    claims = data.get("userinfo") or data.get("id_token") or data
    if str(claims.get("email_verified", "true")).strip().lower() in ("false", "0", "no"):
        return []
    emails = [e.email for e in sociallogin.email_addresses if e.email]
    if claims.get("email") and claims["email"] not in emails:
        emails.append(claims["email"])
    return [e.strip() for e in emails if e and e.strip()]


def staff_user_for_email(email: str):
    """The one active staff member whose HR e-mail (or login e-mail) is ``email``, or None."""
    from workstyle.models import User

    users = list(
        User.objects.filter(is_active=True)
        .filter(Q(staff__email__iexact=email) | Q(email__iexact=email))
        .filter(Q(staff__isnull=True) | Q(staff__is_active=True))
        .distinct()[:2]
    )
    return users[0] if len(users) == 1 else None


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    """Single sign-on may only log in staff we already know (matched by e-mail); it never creates accounts.

    The first SSO login of a staff member connects the IdP identity to their account (audited). We do this
    ourselves instead of allauth's "email authentication", which would also wipe the local password of
    accounts whose address has no verified allauth EmailAddress row (all our HR-imported staff).
    """

    def is_open_for_signup(self, request, sociallogin):
        return False

    def is_auto_signup_allowed(self, request, sociallogin):
        return False

    def authenticate_by_email(self, sociallogin):
        return None

    def pre_social_login(self, request, sociallogin):
        if sociallogin.is_existing:
            return
        for email in _sso_emails(sociallogin):
            user = staff_user_for_email(email)
            if user is not None:
                sociallogin.connect(request, user)
                log_event(actor=user, action="auth.sso_connect", obj=user,
                          details={"provider": sociallogin.account.provider, "uid": sociallogin.account.uid})
                return
        log_event(actor=None, action="auth.sso_refused",
                  details={"provider": sociallogin.account.provider, "uid": str(sociallogin.account.uid)[:150],
                           "email": ", ".join(_sso_emails(sociallogin))[:150]})


@receiver(user_login_failed)
def _log_failed_login(sender, credentials, request=None, **kwargs):
    login = credentials.get("username") or credentials.get("email") or credentials.get("login") or ""
    log_event(actor=None, action="auth.login_failed", details={"login": str(login)[:150]})

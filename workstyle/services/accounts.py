"""Account-level operations: ending sessions, feed tokens."""

from __future__ import annotations

import hashlib
import secrets

from django.contrib.sessions.models import Session
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from workstyle.errors import DomainError
from workstyle.models import FeedToken, OrgUnit, User
from workstyle.services.audit import log_event
from workstyle.services.notifications import push_to_user


def end_all_sessions(*, user_id: int) -> int:
    """End every session of a user and close their WebSockets."""
    from allauth.usersessions.models import UserSession

    ended = 0
    for us in UserSession.objects.filter(user_id=user_id):
        us.end()
        ended += 1
    # Sessions created before tracking (e.g. the Django test client's force_login) are removed as well.
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if session.get_decoded().get("_auth_user_id") == str(user_id):
            session.delete()
            ended += 1
    push_to_user(user_id, {"type": "session.close"})
    return ended


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_feed_token(*, user: User, scope: str = FeedToken.Scope.PERSONAL, section: OrgUnit | None = None) -> str:
    """Create (or rotate) a secret feed token. Returns the clear token once; only its hash is stored."""
    if scope == FeedToken.Scope.SECTION and section is None:
        raise DomainError(_("A section feed needs a section."))
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        FeedToken.objects.select_for_update().filter(
            user=user, scope=scope, section=section, revoked_at__isnull=True
        ).update(revoked_at=timezone.now())
        ft = FeedToken.objects.create(user=user, scope=scope, section=section, token_hash=hash_token(token))
        log_event(actor=user, action="feed_token.issue", obj=ft, details={"scope": scope})
    return token


def revoke_feed_token(*, user: User, scope: str = FeedToken.Scope.PERSONAL, section: OrgUnit | None = None) -> int:
    with transaction.atomic():
        n = FeedToken.objects.filter(user=user, scope=scope, section=section, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        if n:
            log_event(actor=user, action="feed_token.revoke", object_type="workstyle.feedtoken", details={"scope": scope})
    return n

"""The one notification service every module calls: in-app, live count over WebSockets, and e-mail."""

from __future__ import annotations

from collections.abc import Iterable

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone, translation

from workstyle.models import Notification, User


def user_group(user_id: int) -> str:
    return f"user.{user_id}"


def push_to_user(user_id: int, message: dict) -> None:
    """Send a channel-layer event to every socket of one user (best effort)."""
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(user_group(user_id), message)
    except Exception:  # noqa: BLE001 - a push must never break the write that caused it
        import logging

        logging.getLogger(__name__).warning("push to user %s failed", user_id, exc_info=True)


def unread_count(user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def _push_counts(user_ids: list[int]) -> None:
    counts = dict.fromkeys(user_ids, 0)
    for uid in (
        Notification.objects.filter(recipient_id__in=user_ids, read_at__isnull=True)
        .values_list("recipient_id", flat=True)
    ):
        counts[uid] += 1
    for uid, count in counts.items():
        push_to_user(uid, {"type": "notify.count", "count": count})


def notify(
    *,
    recipients: Iterable[User],
    title: str,
    body: str = "",
    url: str = "",
    kind: str = "",
    email: bool = True,
) -> list[Notification]:
    """Create in-app notifications, then (after commit) push the new unread count and send e-mail.

    ``title`` and ``body`` should be rendered in the recipient's language by the caller when it matters;
    lazy translation objects are rendered in Japanese, the default language.
    """
    recipients = [r for r in recipients if r is not None and r.is_active]
    if not recipients:
        return []
    with translation.override(settings.LANGUAGE_CODE):
        title_s, body_s = str(title), str(body)
    now = timezone.now()
    items = Notification.objects.bulk_create(
        [Notification(recipient=r, title=title_s[:200], body=body_s, url=url, kind=kind, created_at=now) for r in recipients]
    )
    ids = [r.pk for r in recipients]
    addresses = [r.email for r in recipients if email and r.email]

    def after_commit():
        _push_counts(ids)
        if addresses:
            link = f"\n\n{settings.SITE_URL}{url}" if url else ""
            for address in addresses:
                send_mail(title_s, body_s + link, None, [address], fail_silently=True)

    transaction.on_commit(after_commit)
    return items


def mark_read(*, user, notification_ids: Iterable[int] | None = None) -> int:
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_ids is not None:
        qs = qs.filter(pk__in=list(notification_ids))
    n = qs.update(read_at=timezone.now())
    transaction.on_commit(lambda: _push_counts([user.pk]))
    return n

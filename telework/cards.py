"""Home card: my telework today; for chiefs and deputies, the requests waiting for them."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from telework import selectors as sel
from workstyle import dates
from workstyle.registry import HomeCard


def home_card(request):
    user = request.user
    day = dates.today()
    status = sel.day_status(user, day)
    log = sel.work_log(user, day) if status["status"] == "approved" else None
    pending = sel.queue_count(user)
    started = [r for r in sel.approval_queue(user)[:50] if r.pending_at_start(day)] if pending else []
    return HomeCard(
        title=_("Telework"),
        template="telework/cards/home.html",
        context={"day": day, "status": status, "log": log, "pending": pending, "started_pending": len(started),
                 "working_day": dates.is_working_day(day)},
        order=20,
    )

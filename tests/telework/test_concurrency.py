"""Approve and reject arriving at once: one final state, one audit event, one notification (PostgreSQL)."""

import datetime as dt
import threading

import pytest
from django.db import connection

from telework import services
from telework.models import Status, TeleworkRequest
from workstyle.errors import DomainError
from workstyle.models import AuditEvent, Notification

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_concurrent_approve_and_reject(personas, city_rules):
    from tests.telework.conftest import submit

    deputy_period = dict(start_date=dt.date(2026, 5, 1), end_date=dt.date(2026, 6, 30))
    from telework.models import Deputy

    Deputy.objects.create(principal=personas.suzuki, deputy=personas.kato, **deputy_period)
    for round_ in range(3):
        req = submit(personas.sato, dt.date(2026, 6, 2 + round_))
        barrier = threading.Barrier(2)
        results = {}

        def run(name, actor, approve, req_id=req.pk, barrier=barrier, results=results):
            try:
                barrier.wait()
                results[name] = services.decide_request(actor=actor, request_id=req_id, approve=approve).status
            except DomainError as exc:
                results[name] = exc.code
            finally:
                connection.close()

        threads = [threading.Thread(target=run, args=("approve", personas.suzuki, True)),
                   threading.Thread(target=run, args=("reject", personas.kato, False))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        final = TeleworkRequest.objects.get(pk=req.pk).status
        assert final in (Status.APPROVED, Status.REJECTED)
        assert sorted(results.values(), key=str) == sorted([final, "conflict"], key=str), results
        decisions = AuditEvent.objects.filter(object_id=str(req.pk),
                                              action__in=["telework.request.approve", "telework.request.reject"])
        assert decisions.count() == 1
        assert Notification.objects.filter(recipient=personas.sato, kind="telework.decision",
                                           url=f"/telework/requests/{req.pk}/").count() == 1

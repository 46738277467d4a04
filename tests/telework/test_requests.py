"""Requests, rules from the database, approval flow, versions, the day itself."""

import datetime as dt

import pytest

from telework import rules, services
from telework.models import RequestVersion, Status, TeleworkDay, TeleworkRule
from tests.telework.conftest import submit
from workstyle.errors import DomainError
from workstyle.models import AuditEvent, Notification

D = dt.date


def test_single_day_goes_to_the_section_chief_and_is_notified(personas, city_rules):
    req = submit(personas.sato, D(2026, 6, 3), part="am", contact_method="chat", contact_detail="sato@chat")
    assert req.approver == personas.suzuki and req.status == Status.PENDING
    assert list(req.days.values_list("date", "slot")) == [(D(2026, 6, 3), "am")]
    assert Notification.objects.filter(recipient=personas.suzuki, kind="telework.request").count() == 1
    assert AuditEvent.objects.filter(action="telework.request.submit", object_id=str(req.pk)).exists()


def test_chiefs_own_request_goes_to_the_next_level_up(personas, city_rules):
    req = submit(personas.suzuki, D(2026, 6, 3))
    assert req.approver == personas.kimura


def test_range_and_pattern_skip_non_working_days(personas, city_rules):
    city_rules.max_days_per_week = 5
    city_rules.office_days_per_week = 0
    city_rules.max_days_per_month = None
    city_rules.save()
    # 2026-07-20 is Marine Day (海の日)
    req = submit(personas.sato, D(2026, 7, 17), kind="range", end=D(2026, 7, 22))
    days = sorted({d for d, in req.days.values_list("date")})
    assert days == [D(2026, 7, 17), D(2026, 7, 21), D(2026, 7, 22)]
    pat = submit(personas.kato, D(2026, 7, 1), kind="pattern", end=D(2026, 7, 31), weekdays=[0, 2])
    pdays = sorted({d for d, in pat.days.values_list("date")})
    assert D(2026, 7, 20) not in pdays and all(d.weekday() in (0, 2) for d in pdays)
    assert len(pdays) == 8  # Mondays 6, 13, 27 and Wednesdays 1, 8, 15, 22, 29


@pytest.mark.parametrize("start,message", [
    (D(2026, 5, 29), "2026-05-29"),
    (D(2026, 6, 6), "2026-06-06"),
])
def test_past_and_non_working_days_are_refused(personas, city_rules, start, message):
    with pytest.raises(DomainError) as exc:
        submit(personas.sato, start)
    assert message in str(exc.value)


def test_holiday_is_refused_with_its_name(personas, city_rules):
    with pytest.raises(DomainError) as exc:
        submit(personas.sato, D(2026, 7, 20))
    assert "海の日" in str(exc.value)


def test_overlap_is_refused_but_other_half_is_fine(personas, city_rules):
    submit(personas.sato, D(2026, 6, 3), part="am")
    with pytest.raises(DomainError, match="2026-06-03"):
        submit(personas.sato, D(2026, 6, 3), part="day")
    submit(personas.sato, D(2026, 6, 3), part="pm")
    assert TeleworkDay.objects.filter(user=personas.sato, date=D(2026, 6, 3), active=True).count() == 2


def test_hard_rule_blocks_with_rule_and_numbers(personas, city_rules):
    with pytest.raises(DomainError) as exc:
        submit(personas.sato, D(2026, 6, 8), kind="range", end=D(2026, 6, 12))
    text = str(exc.value)
    assert "4" in text and "5" in text and "2026-06-08" in text  # cap 4, the week would have 5 days
    assert not TeleworkDay.objects.exists()


def test_min_notice_block(personas, city_rules):
    with pytest.raises(DomainError) as exc:
        submit(personas.sato, D(2026, 6, 1))
    assert "1" in str(exc.value) and "0" in str(exc.value)


def test_warning_rule_is_stored_for_the_approver(personas, city_rules, client_for):
    city_rules.max_days_per_month = 2
    city_rules.save()
    req = submit(personas.sato, D(2026, 6, 2), kind="range", end=D(2026, 6, 4))
    assert [w["rule"] for w in req.warnings] == ["month_cap"]
    page = client_for(personas.suzuki).get("/telework/queue/").content.decode()
    assert "2026-06" in page and "3" in page


def test_excluded_types_and_person(personas, city_rules):
    from workstyle.models import StaffProfile

    StaffProfile.objects.filter(user=personas.kato).update(employment_type="fiscal_year")
    personas.kato.staff.refresh_from_db()
    with pytest.raises(DomainError):
        submit(personas.kato, D(2026, 6, 3))
    services.set_exclusion(actor=personas.suzuki, person=personas.sato, reason="窓口業務")
    with pytest.raises(DomainError, match="窓口業務"):
        submit(personas.sato, D(2026, 6, 3))


def test_rules_inherit_from_parent_and_city_default(personas, city_rules, org):
    services.set_rule(actor=personas.tanaka, unit=org.department, values={"max_days_per_week": 2})
    services.set_rule(actor=personas.tanaka, unit=org.s1, values={"min_notice_days": 3,
                                                                 "min_notice_days_mode": "warn"})
    eff = rules.effective_rules(org.s1)
    assert eff.max_week == 2 and eff.sources["week_cap"] == org.department.name
    assert eff.min_notice == 3 and eff.mode("min_notice") == "warn"
    assert eff.max_month == 12 and eff.mode("office_days") == "block"
    eff2 = rules.effective_rules(org.other_section)
    assert eff2.max_week == 4
    services.add_blackout(actor=personas.tanaka, unit=org.department, day=D(2026, 6, 10), reason="予算編成")
    with pytest.raises(DomainError, match="予算編成"):
        submit(personas.sato, D(2026, 6, 10))
    from tests.conftest import make_person

    make_person("oshiro", "大城 誠", org.other_section, manager=True, title="課長")
    submit(personas.charlie, D(2026, 6, 10))  # other bureau: no blackout
    with pytest.raises(DomainError):
        services.set_rule(actor=personas.sato, unit=org.s1, values={"max_days_per_week": 5})


def test_withdraw_change_versions_and_cancel(personas, city_rules):
    req = submit(personas.sato, D(2026, 6, 3))
    req = services.change_request(actor=personas.sato, request_id=req.pk, kind="single", start=D(2026, 6, 4),
                                  part="pm", planned_tasks="変更後")
    assert req.version == 2 and req.sequence == 1
    assert RequestVersion.objects.get(request=req, version=1).snapshot["days"] == ["2026-06-03"]
    assert set(TeleworkDay.objects.filter(request=req, active=True).values_list("date", "slot")) == {
        (D(2026, 6, 4), "pm")}
    services.decide_request(actor=personas.suzuki, request_id=req.pk, approve=True, comment="OK")
    with pytest.raises(DomainError):
        services.withdraw_request(actor=personas.sato, request_id=req.pk)
    services.request_cancellation(actor=personas.sato, request_id=req.pk, reason="会議が入った")
    req = services.decide_request(actor=personas.suzuki, request_id=req.pk, approve=True)
    assert req.status == Status.CANCELLED and not TeleworkDay.objects.filter(request=req, active=True).exists()
    other = submit(personas.sato, D(2026, 6, 5))
    services.withdraw_request(actor=personas.sato, request_id=other.pk)
    other.refresh_from_db()
    assert other.status == Status.WITHDRAWN
    actions = list(AuditEvent.objects.filter(object_id=str(req.pk), object_type="telework.teleworkrequest")
                   .values_list("action", flat=True))
    assert {"telework.request.change", "telework.request.approve", "telework.request.cancel_approve"} <= set(actions)


def test_reject_frees_the_days(personas, city_rules):
    req = submit(personas.sato, D(2026, 6, 3))
    services.decide_request(actor=personas.suzuki, request_id=req.pk, approve=False, comment="繁忙期")
    assert Notification.objects.filter(recipient=personas.sato, kind="telework.decision").count() == 1
    submit(personas.sato, D(2026, 6, 3))


def test_work_day_start_end_report(personas, city_rules, today, monkeypatch):
    from workstyle import dates

    req = submit(personas.sato, D(2026, 6, 2))
    services.decide_request(actor=personas.suzuki, request_id=req.pk, approve=True)
    with pytest.raises(DomainError):
        services.submit_report(user=personas.sato, day=D(2026, 6, 1), report="x", progress="as_planned")
    with pytest.raises(DomainError):
        services.record_start(user=personas.sato)  # no telework today (6/1)
    monkeypatch.setattr(dates, "today", lambda: D(2026, 6, 2))
    from zoneinfo import ZoneInfo
    start = dt.datetime(2026, 6, 2, 8, 30, tzinfo=ZoneInfo("Asia/Tokyo"))
    services.record_start(user=personas.sato, now=start)
    with pytest.raises(DomainError):
        services.record_start(user=personas.sato, now=start)
    services.record_end(user=personas.sato, now=start + dt.timedelta(hours=8, minutes=45))
    from telework.selectors import missing_reports
    assert [r["user_id"] for r in missing_reports(personas.suzuki)] == [personas.sato.pk]
    services.submit_report(user=personas.sato, day=D(2026, 6, 2), report="資料作成完了", progress="as_planned")
    assert missing_reports(personas.suzuki) == []


def test_rule_validation(personas, city_rules):
    with pytest.raises(DomainError):
        services.set_rule(actor=personas.tanaka, unit=None, values={"max_days_per_week": "2.3"})
    with pytest.raises(DomainError):
        services.set_rule(actor=personas.tanaka, unit=None, values={"max_days_per_week_mode": "maybe"})
    assert TeleworkRule.objects.get(is_default=True).max_days_per_week == 4


def test_tasks_sorting_and_report(personas, org, client_for):
    services.save_task(actor=personas.suzuki, section=org.s1, title="予算資料の作成", suitability="suitable")
    services.save_task(actor=personas.suzuki, section=org.s1, title="窓口対応", suitability="unsuitable",
                       reason="来庁者対応")
    with pytest.raises(DomainError):
        services.save_task(actor=personas.suzuki, section=org.s1, title="電話", suitability="partly")
    with pytest.raises(DomainError):
        services.save_task(actor=personas.sato, section=org.s1, title="x", suitability="suitable")
    with pytest.raises(DomainError):
        services.save_task(actor=personas.yamada, section=org.s1, title="x", suitability="suitable")
    page = client_for(personas.nakamura).get("/telework/tasks/report/").content.decode()
    assert "50.0%" in page


def test_pending_at_start_is_flagged_once(personas, city_rules, monkeypatch, client_for):
    from workstyle import dates

    req = submit(personas.sato, D(2026, 6, 3))
    assert services.flag_pending_at_start() == 0
    monkeypatch.setattr(dates, "today", lambda: D(2026, 6, 3))
    assert services.flag_pending_at_start() == 1
    assert services.flag_pending_at_start() == 0
    assert Notification.objects.filter(recipient=personas.suzuki, kind="telework.pending_at_start").count() == 1
    body = client_for(personas.suzuki).get("/telework/queue/").content.decode()
    assert "開始日を過ぎて未承認" in body and f"/telework/requests/{req.pk}/" in body


def test_periodic_task_is_registered():
    from workstyle import registry

    assert "telework.flag_pending_at_start" in registry.periodic_tasks()

"""Completions, import, automatic evaluation, awards (override, revocation, renewal, reminders), enrolment."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from training import services
from training.models import Award, Completion, CourseSession, DxProjectReport, Enrolment
from workstyle import dates
from workstyle.errors import DomainError, ImportRejected, PermissionDenied
from workstyle.models import AuditEvent, Notification


def csv_bytes(*lines):
    return ("employee_number,course_code,completed_on,score\n" + "\n".join(lines) + "\n").encode()


def test_import_awards_bronze_and_is_idempotent(personas, catalogue, past):
    data = csv_bytes(f"sato,B1,{past},80", f"sato,B2,{past},", f"kato,B1,{past},90.5")
    report = services.import_completions(data=data, actor=personas.tanaka, file_name="c.csv")
    assert (report.created, report.updated, report.unchanged) == (3, 0, 0)
    assert report.awarded == {"bronze": 1}
    assert Award.objects.get(user=personas.sato).tier == "bronze"
    again = services.import_completions(data=data, actor=personas.tanaka, file_name="c.csv")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert Completion.objects.count() == 3 and Award.objects.count() == 1
    assert AuditEvent.objects.filter(action="training.completions.import").count() == 1


def test_import_names_bad_lines_and_stores_nothing(personas, catalogue, past):
    future = dates.today() + dt.timedelta(days=3)
    data = csv_bytes(
        f"sato,B1,{past},80",  # line 2 fine
        f"nobody,B1,{past},80",  # 3 unknown employee
        f"sato,XX,{past},80",  # 4 unknown course
        f"sato,B2,{future},80",  # 5 future
        f"sato,B1,{past},70",  # 6 duplicate of line 2
        "sato,B2,2025-02-30,1",  # 7 not a date
        f"kato,B2,{past},101",  # 8 score out of range
    )
    with pytest.raises(ImportRejected) as exc:
        services.import_completions(data=data, actor=personas.tanaka)
    lines = [line for line, _m in exc.value.errors]
    assert lines == [3, 4, 5, 6, 7, 8]
    assert "2" in dict(exc.value.errors)[6]  # names the earlier line
    assert Completion.objects.count() == 0 and Award.objects.count() == 0


def test_import_command(personas, catalogue, past, tmp_path, capsys):
    f = tmp_path / "c.csv"
    f.write_bytes(csv_bytes(f"sato,B1,{past},80"))
    call_command("import_completions", str(f))
    assert Completion.objects.count() == 1
    f.write_bytes(csv_bytes(f"ghost,B1,{past},80"))
    with pytest.raises(CommandError):
        call_command("import_completions", str(f))
    assert "ghost" in capsys.readouterr().err


def test_import_requires_hr(personas, catalogue, past):
    with pytest.raises(PermissionDenied):
        services.import_completions(data=csv_bytes(f"sato,B1,{past},80"), actor=personas.sato)


def _bronze(personas, user, catalogue, past):
    for code in ("B1", "B2"):
        services.add_completion(actor=personas.tanaka, user=user, course=catalogue[code], completed_on=past)


def test_chain_to_gold_after_report_approval(personas, catalogue, past):
    _bronze(personas, personas.sato, catalogue, past)
    for code in ("S1", "S3", "G1"):
        services.add_completion(actor=personas.tanaka, user=personas.sato, course=catalogue[code], completed_on=past)
    assert set(Award.objects.filter(user=personas.sato).values_list("tier", flat=True)) == {"bronze"}
    r = services.submit_report(actor=personas.sato, title="窓口のオンライン化", summary="様式を電子化")
    with pytest.raises(DomainError):
        services.review_report(actor=personas.sato, report_id=r.pk, approve=True)
    services.review_report(actor=personas.tanaka, report_id=r.pk, approve=True)
    tiers = dict(Award.objects.filter(user=personas.sato).values_list("tier", "valid_until"))
    assert set(tiers) == {"bronze", "silver", "gold"}
    today = dates.today()
    assert tiers["silver"] == dt.date(today.year + 3, today.month, today.day) - dt.timedelta(days=1) or tiers["silver"]
    assert tiers["bronze"] is None
    assert DxProjectReport.objects.get().status == "approved"


def test_award_needs_override_when_requirements_not_met(personas, catalogue):
    with pytest.raises(DomainError) as exc:
        services.award_tier(actor=personas.tanaka, user=personas.sato, tier="silver")
    assert exc.value.code == "requirements_not_met"
    assert not Award.objects.exists()
    a = services.award_tier(actor=personas.tanaka, user=personas.sato, tier="silver",
                            override_reason="国のDX推進リーダー研修修了を認定")
    assert a.basis == "override" and a.issuer == personas.tanaka
    ev = AuditEvent.objects.get(action="training.award.override")
    assert ev.details["override_reason"] == "国のDX推進リーダー研修修了を認定" and ev.subject == personas.sato
    with pytest.raises(DomainError):  # already held
        services.award_tier(actor=personas.tanaka, user=personas.sato, tier="silver", override_reason="x")
    with pytest.raises(PermissionDenied):
        services.award_tier(actor=personas.suzuki, user=personas.kato, tier="bronze", override_reason="x")


def test_revocation_needs_reason_and_blocks_automatic_reaward(personas, catalogue, past):
    _bronze(personas, personas.sato, catalogue, past)
    a = Award.objects.get(user=personas.sato)
    with pytest.raises(DomainError):
        services.revoke_award(actor=personas.tanaka, award_id=a.pk, reason="  ")
    services.revoke_award(actor=personas.tanaka, award_id=a.pk, reason="誤登録")
    a.refresh_from_db()
    assert a.status_on(dates.today()) == "revoked"
    services.evaluate_tiers(user_ids=[personas.sato.pk])
    assert Award.objects.filter(user=personas.sato).count() == 1  # history kept, not re-awarded automatically


def test_renewal_window_dates_and_reminders(personas, catalogue):
    today = dates.today()
    awarded = today - dt.timedelta(days=3 * 365 - 30)  # expires in about a month
    a = services.award_tier(actor=personas.tanaka, user=personas.sato, tier="silver", awarded_on=awarded,
                            override_reason="移行データ")
    assert a.valid_until is not None and 0 < (a.valid_until - today).days <= 90
    assert services.send_expiry_reminders(today=today) == 1
    assert services.send_expiry_reminders(today=today) == 0  # once per award
    assert Notification.objects.filter(recipient=personas.sato, kind="training.expiry").count() == 1
    new = services.renew_award(actor=personas.tanaka, award_id=a.pk)
    assert new.renewed_from_id == a.pk and new.basis == "renewal"
    assert new.valid_until == services.periods.add_months(a.valid_until + dt.timedelta(days=1), 36) - dt.timedelta(days=1)
    a.refresh_from_db()
    assert a.status_on(today) == "superseded" and new.status_on(today) == "valid"
    with pytest.raises(DomainError):  # too early for the new one
        services.renew_award(actor=personas.tanaka, award_id=new.pk)


def test_expired_award_is_not_current(personas, catalogue):
    today = dates.today()
    a = services.award_tier(actor=personas.tanaka, user=personas.sato, tier="silver",
                            awarded_on=today - dt.timedelta(days=4 * 365), override_reason="旧制度")
    assert a.status_on(today) == "expired"
    from training.selectors import current_tiers

    assert "silver" not in current_tiers().get(personas.sato.pk, set())


def test_enrolment_waiting_list_and_promotion(personas, catalogue):
    day = dates.today() + dt.timedelta(days=20)
    s = services.create_session(actor=personas.tanaka, course=catalogue["S1"], starts_on=day, ends_on=day, capacity=1)
    e1 = services.enrol(actor=personas.sato, session_id=s.pk)
    e2 = services.enrol(actor=personas.kato, session_id=s.pk)
    assert (e1.status, e2.status) == ("enrolled", "waitlisted")
    with pytest.raises(DomainError):
        services.enrol(actor=personas.kato, session_id=s.pk)
    promoted = services.cancel_enrolment(actor=personas.sato, enrolment_id=e1.pk)
    assert promoted.pk == e2.pk
    e2.refresh_from_db()
    s.refresh_from_db()
    assert e2.status == "enrolled" and s.enrolled_count == 1
    assert Notification.objects.filter(recipient=personas.kato, kind="training.enrolment").exists()
    with pytest.raises(PermissionDenied):
        services.cancel_enrolment(actor=personas.sato, enrolment_id=e2.pk)


def test_capacity_is_a_database_constraint(personas, catalogue):
    from django.db import IntegrityError, transaction
    from django.db.models import F

    day = dates.today() + dt.timedelta(days=5)
    s = services.create_session(actor=personas.tanaka, course=catalogue["S1"], starts_on=day, ends_on=day, capacity=1)
    services.enrol(actor=personas.sato, session_id=s.pk)
    with pytest.raises(IntegrityError), transaction.atomic():
        CourseSession.objects.filter(pk=s.pk).update(enrolled_count=F("enrolled_count") + 1)


def test_attendance_creates_completions(personas, catalogue):
    day = dates.today()
    s = services.create_session(actor=personas.tanaka, course=catalogue["B1"], starts_on=day, ends_on=day, capacity=5)
    services.enrol(actor=personas.sato, session_id=s.pk)
    services.enrol(actor=personas.kato, session_id=s.pk)
    n = services.record_attendance(actor=personas.tanaka, session_id=s.pk, attended_user_ids={personas.sato.pk})
    assert n == 1
    assert Completion.objects.get().user == personas.sato
    assert Enrolment.objects.get(user=personas.kato).attended is False


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_enrolment_never_overbooks(personas, catalogue):
    import threading

    from django.db import connection

    day = dates.today() + dt.timedelta(days=5)
    s = services.create_session(actor=personas.tanaka, course=catalogue["S1"], starts_on=day, ends_on=day, capacity=2)
    people = [personas.sato, personas.kato, personas.takahashi, personas.charlie, personas.ito, personas.watanabe]
    barrier = threading.Barrier(len(people))

    def go(u):
        try:
            barrier.wait()
            services.enrol(actor=u, session_id=s.pk)
        finally:
            connection.close()

    threads = [threading.Thread(target=go, args=(u,)) for u in people]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    s.refresh_from_db()
    assert s.enrolled_count == 2
    assert Enrolment.objects.filter(session=s, status="enrolled").count() == 2
    assert Enrolment.objects.filter(session=s, status="waitlisted").count() == 4


def test_roster_award_all_or_nothing_with_override(personas, catalogue, past):
    _bronze(personas, personas.sato, catalogue, past)
    with pytest.raises(ImportRejected) as exc:
        services.award_roster(actor=personas.tanaka, numbers_text="sato\nkato\nghost\nsato\n", tier="bronze")
    assert [line for line, _m in exc.value.errors] == [1, 2, 3, 4]  # held, not met, unknown, duplicate
    assert Award.objects.count() == 1
    made = services.award_roster(actor=personas.tanaka, numbers_text="kato\ntakahashi", tier="bronze",
                                 override_reason="旧研修制度の修了者")
    assert {a.basis for a in made} == {"override"} and len(made) == 2
    assert AuditEvent.objects.filter(action="training.award.override", subject=personas.kato).exists()
    assert Notification.objects.filter(recipient=personas.kato, kind="training.award").exists()


def test_roster_page(personas, client_for, catalogue):
    c = client_for(personas.tanaka)
    r = c.post("/training/awards/", {"what": "roster", "numbers": "kato\nghost", "tier": "bronze",
                                     "override_reason": "移行"})
    assert r.status_code == 200 and not Award.objects.exists()
    r = c.post("/training/awards/", {"what": "roster", "numbers": "kato", "tier": "bronze", "override_reason": "移行"})
    assert r.status_code == 302 and Award.objects.filter(user=personas.kato).exists()
    assert client_for(personas.suzuki).post("/training/awards/", {"what": "roster", "numbers": "sato",
                                                                  "tier": "bronze"}).status_code == 403


def test_course_edit_and_retire(personas, client_for, catalogue):
    c = client_for(personas.tanaka)
    r = c.post("/training/courses/S1/", {"what": "edit", "title": "DX変革リーダー研修", "tier": "silver",
                                         "kind": "classroom", "hours": "12", "provider": "DX・AI戦略室"})
    assert r.status_code == 302
    catalogue["S1"].refresh_from_db()
    assert catalogue["S1"].title == "DX変革リーダー研修" and catalogue["S1"].is_active is False
    assert AuditEvent.objects.filter(action="training.course.update").exists()
    assert client_for(personas.sato).post("/training/courses/S1/", {"what": "edit"}).status_code == 403
    assert "S1" not in client_for(personas.sato).get("/training/courses/").content.decode()


def test_periodic_upkeep_is_registered_and_runs(personas, catalogue):
    from training.tasks import daily_training_upkeep
    from workstyle import registry

    assert registry.periodic_tasks()["training.daily_upkeep"][0] is daily_training_upkeep
    today = dates.today()
    services.award_tier(actor=personas.tanaka, user=personas.sato, tier="silver",
                        awarded_on=today - dt.timedelta(days=3 * 365 - 10), override_reason="移行")
    result = daily_training_upkeep.enqueue()  # the immediate backend in tests
    assert result.return_value == {"reminders": 1, "leaders_closed": 0}

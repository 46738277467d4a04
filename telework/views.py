"""Thin views: parse, call one service or selector, render. DomainErrors become messages (or 403/404)."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseForbidden
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from telework import kpis, rules, services
from telework import selectors as sel
from telework.forms import BlackoutForm, DeputyForm, ReportForm, RequestForm, RuleForm, TaskForm
from telework.models import BlackoutDate, PersonExclusion, TeleworkRule
from workstyle import dates
from workstyle.errors import DomainError, PermissionDenied
from workstyle.models import FeedToken, OrgUnit, Role, StaffProfile
from workstyle.roles import EXECUTIVE_VIEW_ROLES, has_role
from workstyle.selectors import org as org_selectors
from workstyle.selectors.org import active_user_by_number
from workstyle.services import accounts as account_services
from workstyle.services.audit import log_event


def _fail(request, exc: DomainError):
    """Map a refusal: 404 for what the user may not see, 403 for what they may not do, else a message."""
    if isinstance(exc, services.NotFound):
        raise Http404
    if isinstance(exc, PermissionDenied):
        return HttpResponseForbidden(str(exc))
    messages.error(request, str(exc))
    return None


def _warn(request, req):
    for w in req.warnings:
        messages.warning(request, rules.finding_message(w["rule"], w["params"]))


def _next(request, default: str) -> str:
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    return default


def _parse_day(value, default=None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else default
    except ValueError:
        return default


@login_required
def index(request):
    today = dates.today()
    profile = org_selectors.profile_of(request.user)
    context = {
        "today": today,
        "status": sel.day_status(request.user, today),
        "log": sel.work_log(request.user, today),
        "requests": sel.my_requests(request.user, since=today - dt.timedelta(days=31))[:50],
        "queue_count": sel.queue_count(request.user),
        "profile": profile,
        "exclusion": sel.is_excluded(request.user),
        "is_chief": bool(profile and profile.is_manager),
        "deputy_roles": sel.deputy_roles_of(request.user),
        "can_rules": has_role(request.user, Role.HR, Role.ADMIN),
        "can_counts": has_role(request.user, *EXECUTIVE_VIEW_ROLES),
    }
    return render(request, "telework/index.html", context)


@login_required
def request_new(request):
    profile = org_selectors.profile_of(request.user)
    if profile is None:
        raise Http404
    form = RequestForm(request.POST or None, section=profile.section,
                       initial={"start": dates.add_working_days(dates.today(), 1)})
    if request.method == "POST" and form.is_valid():
        try:
            req = services.submit_request(user=request.user, **form.service_kwargs())
        except DomainError as exc:
            if (resp := _fail(request, exc)) is not None:
                return resp
        else:
            messages.success(request, _("Your request was sent to %(name)s.") % {"name": req.approver.display_name()})
            _warn(request, req)
            return redirect("telework:detail", req.pk)
    eff = rules.effective_rules(profile.section)
    return render(request, "telework/request_form.html", {"form": form, "rules": eff, "change": None},
                  status=400 if request.method == "POST" else 200)


@login_required
def detail(request, pk: int):
    req = sel.request_for_user(request.user, pk)
    events = sel.request_events(req)
    return render(request, "telework/detail.html", {
        "req": req, "days": sorted({d.date for d in req.days.all() if d.active}),
        "tasks": req.tasks.all(), "versions": req.versions.select_related("created_by"),
        "events": events, "can_decide": sel.can_decide(request.user, req), "today": dates.today(),
        "warnings": [rules.finding_message(w["rule"], w["params"]) for w in req.warnings],
        "is_owner": req.user_id == request.user.pk,
    })


@login_required
def change(request, pk: int):
    req = sel.request_for_user(request.user, pk)
    if req.user_id != request.user.pk:
        raise Http404
    initial = {"kind": req.kind, "start": req.start_date, "end": req.end_date, "weekdays": req.weekdays,
               "part": req.part, "place": req.place, "planned_tasks": req.planned_tasks,
               "tasks": list(req.tasks.all()), "contact_method": req.contact_method,
               "contact_detail": req.contact_detail}
    form = RequestForm(request.POST or None, section=req.section, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            req = services.change_request(actor=request.user, request_id=pk, **form.service_kwargs())
        except DomainError as exc:
            if (resp := _fail(request, exc)) is not None:
                return resp
        else:
            messages.success(request, _("The request was changed (version %(v)s) and sent for approval again.")
                             % {"v": req.version})
            _warn(request, req)
            return redirect("telework:detail", req.pk)
    return render(request, "telework/request_form.html",
                  {"form": form, "rules": rules.effective_rules(req.section), "change": req},
                  status=400 if request.method == "POST" else 200)


@login_required
@require_POST
def withdraw(request, pk: int):
    try:
        services.withdraw_request(actor=request.user, request_id=pk)
        messages.success(request, _("The request was withdrawn."))
    except DomainError as exc:
        if (resp := _fail(request, exc)) is not None:
            return resp
    return redirect("telework:detail", pk)


@login_required
@require_POST
def cancel(request, pk: int):
    try:
        services.request_cancellation(actor=request.user, request_id=pk, reason=request.POST.get("reason", ""))
        messages.success(request, _("Your approver was asked to cancel this telework."))
    except DomainError as exc:
        if (resp := _fail(request, exc)) is not None:
            return resp
    return redirect("telework:detail", pk)


@login_required
@require_POST
def decide(request, pk: int):
    decision = request.POST.get("decision")
    if decision not in ("approve", "reject"):
        messages.error(request, _("Choose approve or reject."))
        return redirect("telework:detail", pk)
    try:
        req = services.decide_request(actor=request.user, request_id=pk, approve=decision == "approve",
                                      comment=request.POST.get("comment", ""))
        messages.success(request, _("Decision saved: %(status)s.") % {"status": req.get_status_display()})
    except DomainError as exc:
        if (resp := _fail(request, exc)) is not None:
            return resp
    return redirect(_next(request, reverse("telework:queue")))


@login_required
def queue(request):
    if request.method == "POST":
        ids = [i for i in request.POST.getlist("ids") if i.isdigit()]
        decision = request.POST.get("decision")
        if not ids or decision not in ("approve", "reject"):
            messages.error(request, _("Select requests and choose approve or reject."))
        else:
            done, failed = services.decide_many(actor=request.user, request_ids=ids, approve=decision == "approve",
                                                comment=request.POST.get("comment", ""))
            if done:
                messages.success(request, _("%(n)s requests decided.") % {"n": len(done)})
            for rid, msg in failed:
                messages.error(request, f"#{rid}: {msg}")
        return redirect("telework:queue")
    today = dates.today()
    items = list(sel.approval_queue(request.user))
    warnings = {r.pk: [rules.finding_message(w["rule"], w["params"]) for w in r.warnings] for r in items}
    return render(request, "telework/queue.html", {
        "items": [(r, warnings[r.pk], r.pending_at_start(today)) for r in items], "today": today,
        "deputy_roles": sel.deputy_roles_of(request.user),
    })


@login_required
def deputies(request):
    profile = org_selectors.profile_of(request.user)
    if profile is None or not profile.is_manager:
        raise Http404
    form = DeputyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        deputy = active_user_by_number(d["deputy"])
        if deputy is None:
            messages.error(request, _("No member of staff has that number."))
        else:
            try:
                services.name_deputy(actor=request.user, deputy=deputy, start=d["start"], end=d["end"])
                messages.success(request, _("Deputy named."))
                return redirect("telework:deputies")
            except DomainError as exc:
                if (resp := _fail(request, exc)) is not None:
                    return resp
    return render(request, "telework/deputies.html", {"form": form, "deputies": sel.deputies_of(request.user),
                                                      "today": dates.today()})


@login_required
@require_POST
def deputy_revoke(request, pk: int):
    try:
        services.revoke_deputy(actor=request.user, deputy_id=pk)
        messages.success(request, _("Deputy removed."))
    except DomainError as exc:
        if (resp := _fail(request, exc)) is not None:
            return resp
    return redirect("telework:deputies")


@login_required
@require_POST
def work_start(request):
    try:
        services.record_start(user=request.user)
        messages.success(request, _("Start of work recorded."))
    except DomainError as exc:
        _fail(request, exc)
    return redirect(_next(request, reverse("telework:index")))


@login_required
@require_POST
def work_end(request):
    try:
        services.record_end(user=request.user)
        messages.success(request, _("End of work recorded."))
    except DomainError as exc:
        _fail(request, exc)
    return redirect(_next(request, reverse("telework:index")))


@login_required
def report(request, day: str):
    d = _parse_day(day)
    if d is None:
        raise Http404
    log = sel.work_log(request.user, d)
    status = sel.day_status(request.user, d)
    form = ReportForm(request.POST or None, initial={"report": log.report if log else "",
                                                     "progress": log.progress if log else ""})
    if request.method == "POST" and form.is_valid():
        try:
            services.submit_report(user=request.user, day=d, **form.cleaned_data)
            messages.success(request, _("Work report saved."))
            return redirect("telework:index")
        except DomainError as exc:
            _fail(request, exc)
            return render(request, "telework/report.html", {"form": form, "day": d, "log": log, "status": status},
                          status=400)
    return render(request, "telework/report.html", {"form": form, "day": d, "log": log, "status": status},
                  status=400 if request.method == "POST" else 200)


@login_required
def missing(request):
    rows = sel.missing_reports(request.user)
    profile = org_selectors.profile_of(request.user)
    if not (profile and profile.is_manager) and not sel.principals_of(request.user):
        raise Http404
    return render(request, "telework/missing.html", {"rows": rows})


@login_required
def presence_home(request):
    """Own section's week; a chief above section level picks one of the sections below."""
    profile = org_selectors.profile_of(request.user)
    if profile is None:
        raise Http404
    if profile.section.kind == OrgUnit.Kind.SECTION:
        return redirect("telework:presence", profile.section.code)
    sections = org_selectors.sections_managed_by(request.user).filter(kind=OrgUnit.Kind.SECTION, is_active=True)
    return render(request, "telework/presence_pick.html", {"sections": sections})


@login_required
def presence(request, code: str):
    unit = sel.section_for_presence(request.user, code)
    week = dates.week_start(_parse_day(request.GET.get("week"), dates.today()))
    data = sel.presence_week(unit, week)
    log_event(actor=request.user, action="telework.presence.view", obj=unit, details={"week": week.isoformat()})
    return render(request, "telework/presence.html", {
        **data, "week": week, "prev": week - dt.timedelta(days=7), "next": week + dt.timedelta(days=7),
        "is_chief": sel.can_manage_section(request.user, unit),
    })


@login_required
def presence_bureaus(request):
    if not has_role(request.user, *EXECUTIVE_VIEW_ROLES):
        log_event(actor=request.user, action="access.denied", details={"path": request.path})
        return HttpResponseForbidden(_("You do not have access to this page."))
    week = dates.week_start(_parse_day(request.GET.get("week"), dates.today()))
    return render(request, "telework/presence_bureaus.html", {
        **sel.bureau_counts(week), "week": week, "prev": week - dt.timedelta(days=7),
        "next": week + dt.timedelta(days=7)})


@login_required
def tasks(request, code: str):
    unit = sel.section_for_tasks(request.user, code)
    can_edit = sel.can_manage_section(request.user, unit)
    form = TaskForm(request.POST or None)
    if request.method == "POST":
        if not can_edit:
            log_event(actor=request.user, action="access.denied", obj=unit, details={"what": "tasks"})
            return HttpResponseForbidden(_("Only the section's chief can change its task list."))
        if form.is_valid():
            task_id = request.POST.get("task_id")
            try:
                services.save_task(actor=request.user, section=unit, task_id=int(task_id) if task_id else None,
                                   **form.cleaned_data)
                messages.success(request, _("Task saved."))
                return redirect("telework:tasks", code)
            except DomainError as exc:
                if (resp := _fail(request, exc)) is not None:
                    return resp
    return render(request, "telework/tasks.html", {"unit": unit, "tasks": sel.tasks_of(unit), "form": form,
                                                   "can_edit": can_edit})


@login_required
def tasks_home(request):
    profile = org_selectors.profile_of(request.user)
    if profile is None:
        raise Http404
    return redirect("telework:tasks", profile.section.code)


@login_required
def tasks_report(request):
    return render(request, "telework/tasks_report.html", {"rows": sel.task_shares_by_bureau()})


@login_required
def rules_page(request):
    """Effective rules for a unit; HR and administrators edit a unit's own rules and blackout dates."""
    can_edit = has_role(request.user, Role.HR, Role.ADMIN)
    code = request.GET.get("unit") or request.POST.get("unit") or ""
    profile = org_selectors.profile_of(request.user)
    if code == "default":
        unit = None
    elif code:
        unit = OrgUnit.objects.filter(code=code).first()
        if unit is None:
            raise Http404
    else:
        unit = profile.section if profile else None
    if not can_edit and unit is not None and not org_selectors.can_see_unit(request.user, unit):
        raise Http404
    own = (TeleworkRule.objects.filter(is_default=True).first() if unit is None
           else TeleworkRule.objects.filter(unit=unit).first())
    initial = {}
    if own:
        initial = {f: getattr(own, f) for f in services.RULE_FIELDS}
        initial["inherit_types"] = own.excluded_employment_types is None
    form = RuleForm(request.POST or None, initial=initial or {"inherit_types": True})
    bform = BlackoutForm(request.POST or None, prefix="b")
    if request.method == "POST":
        if not can_edit:
            log_event(actor=request.user, action="access.denied", details={"path": request.path})
            return HttpResponseForbidden(_("Only HR or an administrator can change telework rules."))
        try:
            if request.POST.get("action") == "blackout":
                if bform.is_valid():
                    services.add_blackout(actor=request.user, unit=unit, day=bform.cleaned_data["date"],
                                          reason=bform.cleaned_data["reason"])
                    messages.success(request, _("Blackout date added."))
            elif request.POST.get("action") == "blackout_remove":
                services.remove_blackout(actor=request.user, blackout_id=int(request.POST.get("id", 0)))
                messages.success(request, _("Blackout date removed."))
            elif form.is_valid():
                services.set_rule(actor=request.user, unit=unit, values=form.values())
                messages.success(request, _("Rules saved."))
            return redirect(f"{reverse('telework:rules')}?unit={unit.code if unit else 'default'}")
        except DomainError as exc:
            if (resp := _fail(request, exc)) is not None:
                return resp
    eff = rules.effective_rules(unit) if unit is not None else rules.effective_rules(None)
    blackouts = BlackoutDate.objects.filter(unit=unit).order_by("date")
    return render(request, "telework/rules.html", {
        "unit": unit, "eff": eff, "form": form, "bform": bform, "can_edit": can_edit, "blackouts": blackouts,
        "excluded_labels": [dict(StaffProfile.EmploymentType.choices).get(t, t) for t in sorted(eff.excluded_types)],
        "rule_names": rules.RULE_NAMES,
    })


@login_required
def exclusions(request):
    profile = org_selectors.profile_of(request.user)
    if not (has_role(request.user, Role.HR, Role.ADMIN) or (profile and profile.is_manager)):
        raise Http404
    if request.method == "POST":
        person = active_user_by_number(request.POST.get("number", ""))
        if person is None:
            messages.error(request, _("No member of staff has that number."))
        else:
            try:
                if request.POST.get("action") == "remove":
                    services.remove_exclusion(actor=request.user, person=person)
                    messages.success(request, _("Exclusion removed."))
                else:
                    services.set_exclusion(actor=request.user, person=person, reason=request.POST.get("reason", ""))
                    messages.success(request, _("Exclusion saved."))
            except DomainError as exc:
                if (resp := _fail(request, exc)) is not None:
                    return resp
        return redirect("telework:exclusions")
    qs = PersonExclusion.objects.select_related("user__staff__section").order_by("user__staff__employee_number")
    if not has_role(request.user, Role.HR, Role.ADMIN):
        qs = qs.filter(user__staff__section__path__startswith=profile.section.path)
    return render(request, "telework/exclusions.html", {"rows": qs[:500]})


@login_required
def section_feed(request):
    """A chief issues (or rotates) the secret address of a section presence feed."""
    managed = list(org_selectors.sections_managed_by(request.user).filter(kind=OrgUnit.Kind.SECTION))
    if not managed:
        raise Http404
    url = None
    if request.method == "POST":
        unit = next((u for u in managed if u.code == request.POST.get("section")), None)
        if unit is None:
            raise Http404
        token = account_services.issue_feed_token(user=request.user, scope=FeedToken.Scope.SECTION, section=unit)
        url = request.build_absolute_uri(reverse("section_feed", args=[token]))
        messages.success(request, _("A new address was made for %(s)s; the old one no longer works.") % {"s": unit.name})
    active = set(FeedToken.objects.filter(user=request.user, scope="section", revoked_at__isnull=True)
                 .values_list("section_id", flat=True))
    return render(request, "telework/section_feed.html", {"sections": managed, "url": url, "active": active})


@login_required
def adoption(request):
    if not has_role(request.user, *EXECUTIVE_VIEW_ROLES, Role.HR):
        log_event(actor=request.user, action="access.denied", details={"path": request.path})
        return HttpResponseForbidden(_("You do not have access to this page."))
    fy = request.GET.get("fy")
    data = kpis.adoption(int(fy) if fy and fy.isdigit() else None)
    return render(request, "telework/adoption.html", data)


@login_required
@require_POST
def absence(request):
    day = _parse_day(request.POST.get("date"))
    if day is None:
        messages.error(request, _("Dates must look like 2025-04-01."))
    else:
        try:
            services.record_absence(user=request.user, day=day, note=request.POST.get("note", ""))
            messages.success(request, _("Leave recorded for %(day)s.") % {"day": day.isoformat()})
        except DomainError as exc:
            _fail(request, exc)
    return redirect("telework:index")

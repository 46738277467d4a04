"""Thin views: parse, call a service or selector, render; DomainError → message, nothing changed."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse, HttpResponseForbidden, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from training import charts, credentials, selectors, services, signing
from training.forms import (
    AwardForm,
    CompletionForm,
    CourseEditForm,
    CourseForm,
    CsvForm,
    LeaderPolicyForm,
    ReportForm,
    RequirementForm,
    RequirementSetForm,
    RosterForm,
    SessionForm,
    TierSettingForm,
)
from training.models import Award, Course, CourseSession, DxProjectReport, Enrolment, RequirementSet, Tier
from workstyle import dates, uploads
from workstyle.csvfiles import format_errors
from workstyle.errors import DomainError, ImportRejected
from workstyle.models import StaffProfile
from workstyle.services.audit import log_event


def _forbidden(request):
    log_event(actor=request.user, action="access.denied", details={"path": request.path})
    return HttpResponseForbidden(_("You do not have access to this page."))


def hr_required(view):
    @login_required
    def wrapped(request, *args, **kwargs):
        if not selectors.is_hr(request.user):
            return _forbidden(request)
        return view(request, *args, **kwargs)

    wrapped.__name__, wrapped.__doc__ = view.__name__, view.__doc__
    return wrapped


def reports_required(view):
    @login_required
    def wrapped(request, *args, **kwargs):
        if not selectors.can_see_reports(request.user):
            return _forbidden(request)
        return view(request, *args, **kwargs)

    wrapped.__name__, wrapped.__doc__ = view.__name__, view.__doc__
    return wrapped


def _render(request, template: str, context: dict | None = None, status: int = 200):
    """render() with the flags the training sub-navigation needs."""
    user = request.user
    ctx = {
        "is_hr": selectors.is_hr(user),
        "can_report": selectors.can_see_reports(user),
        "is_manager": bool(getattr(getattr(user, "staff", None), "is_manager", False)) if user.is_authenticated else False,
    }
    ctx.update(context or {})
    return render(request, template, ctx, status=status)


def _back(request, fallback: str):
    nxt = request.POST.get("next", "")
    return redirect(nxt if nxt.startswith("/") and not nxt.startswith("//") else fallback)


# ---------------------------------------------------------------------------------------------- my DX


@login_required
def index(request):
    progress = selectors.progress_of(request.user)
    awards = list(Award.objects.filter(user=request.user).order_by("-awarded_on", "-pk"))
    completions = list(request.user.training_completions.select_related("course"))
    enrolments = list(Enrolment.objects.filter(user=request.user).exclude(status="cancelled")
                      .select_related("session__course").order_by("session__starts_on"))
    reports = list(DxProjectReport.objects.filter(user=request.user))
    leaderships = list(request.user.dx_leaderships.select_related("section").order_by("-term_start"))
    today = dates.today()
    return _render(request, "training/index.html", {
        "progress": progress, "next_label": Tier(progress.next_tier).label if progress.next_tier else "", "awards": [(a, a.status_on(today)) for a in awards], "completions": completions,
        "enrolments": enrolments, "reports": reports, "report_form": ReportForm(), "leaderships": leaderships, "today": today,
        "is_hr": selectors.is_hr(request.user), "can_report": selectors.can_see_reports(request.user),
        "is_manager": bool(getattr(getattr(request.user, "staff", None), "is_manager", False)),
    })


@login_required
@require_POST
def report_submit(request):
    form = ReportForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("A report needs a title and a summary."))
    else:
        try:
            services.submit_report(actor=request.user, **form.cleaned_data)
            messages.success(request, _("Your DX project report was submitted."))
        except DomainError as exc:
            messages.error(request, exc.message)
    return redirect("training:index")


@login_required
def certificate(request, public_id):
    award = selectors.award_for_owner(request.user, public_id)
    pdf = credentials.certificate_pdf(award)
    resp = HttpResponse(pdf, content_type="application/pdf")
    resp["Content-Disposition"] = f'inline; filename="dx-{award.tier}-{award.awarded_on:%Y%m%d}.pdf"'
    return resp


@login_required
def credential(request, public_id):
    award = selectors.award_for_owner(request.user, public_id)
    body = json.dumps(credentials.signed_credential(award), ensure_ascii=False, indent=2)
    resp = HttpResponse(body, content_type="application/ld+json; charset=utf-8")
    resp["Content-Disposition"] = f'attachment; filename="dx-{award.tier}-{award.public_id}.json"'
    return resp


# ---------------------------------------------------------------------------------------------- public


def _status_of(award: Award) -> str:
    return award.status_on(dates.today())


@require_GET
def verify(request, public_id):
    award = selectors.award_public(public_id)
    status = _status_of(award)
    newer = getattr(award, "renewed_by", None) if status == "superseded" else None
    profile = getattr(award.user, "staff", None)
    return _render(request, "training/verify.html", {
        "award": award, "status": status, "newer": newer, "holder": profile.name if profile else "",
        "issuer": credentials.issuer_name(),
    })


@require_GET
def credential_status(request, public_id):
    award = selectors.award_public(public_id)
    return JsonResponse({"id": f"urn:uuid:{award.public_id}", "status": _status_of(award),
                         "revoked": award.revoked_at is not None,
                         "validUntil": award.valid_until.isoformat() if award.valid_until else None})


def verify_document(request):
    """Paste a credential: the signature is checked with the city's public key and the status is looked up."""
    result = None
    if request.method == "POST":
        text = request.POST.get("credential", "")[:200_000]
        try:
            doc = json.loads(text)
            ok = isinstance(doc, dict) and signing.verify(doc)
        except (ValueError, TypeError):
            doc, ok = None, False
        status = None
        if ok:
            uid = str(doc.get("id", "")).removeprefix("urn:uuid:")
            award = Award.objects.filter(public_id=uid).first() if len(uid) == 36 else None
            status = _status_of(award) if award else None
        result = {"signature_ok": ok, "status": status}
    return _render(request, "training/verify_document.html", {"result": result}, status=200)


@require_GET
def issuer(request):
    return JsonResponse(credentials.issuer_profile(), json_dumps_params={"ensure_ascii": False})


@require_GET
def jwks(request):
    return JsonResponse({"keys": [signing.jwk()]})


@require_GET
def public_key_pem(request):
    return HttpResponse(signing.public_pem(), content_type="application/x-pem-file")


# ---------------------------------------------------------------------------------------------- courses


@login_required
def courses(request):
    form = CourseForm()
    if request.method == "POST":
        if not selectors.is_hr(request.user):
            return _forbidden(request)
        form = CourseForm(request.POST)
        if form.is_valid():
            try:
                c = services.create_course(actor=request.user, **form.cleaned_data)
                messages.success(request, _("Course %(code)s was added.") % {"code": c.code})
                return redirect("training:course", c.code)
            except DomainError as exc:
                messages.error(request, exc.message)
    tier = request.GET.get("tier", "")
    qs = Course.objects.filter(is_active=True)
    if tier in Tier.values:
        qs = qs.filter(tier=tier)
    return _render(request, "training/courses.html", {"courses": qs, "form": form, "tier": tier,
                                                     "tiers": Tier.choices, "is_hr": selectors.is_hr(request.user)})


@login_required
def course(request, code: str):
    c = Course.objects.filter(code=code).first()
    if c is None:
        raise Http404
    form = SessionForm()
    if request.method == "POST" and request.POST.get("what") == "edit":
        if not selectors.is_hr(request.user):
            return _forbidden(request)
        edit = CourseEditForm(request.POST)
        if edit.is_valid():
            try:
                services.update_course(actor=request.user, course_id=c.pk, **edit.cleaned_data)
                messages.success(request, _("Saved."))
            except DomainError as exc:
                messages.error(request, exc.message)
        else:
            messages.error(request, _("Check the form."))
        return redirect("training:course", c.code)
    if request.method == "POST":
        if not selectors.is_hr(request.user):
            return _forbidden(request)
        form = SessionForm(request.POST)
        if form.is_valid():
            try:
                services.create_session(actor=request.user, course=c, **form.cleaned_data)
                messages.success(request, _("The session was added."))
                return redirect("training:course", c.code)
            except DomainError as exc:
                messages.error(request, exc.message)
    sessions = list(c.sessions.filter(ends_on__gte=dates.today()).order_by("starts_on"))
    mine = {e.session_id: e for e in Enrolment.objects.filter(user=request.user, session__in=sessions)
            .exclude(status="cancelled")}
    return _render(request, "training/course.html", {
        "course": c, "sessions": [(s, mine.get(s.pk)) for s in sessions], "form": form,
        "edit_form": CourseEditForm(initial={"title": c.title, "tier": c.tier, "kind": c.kind, "hours": c.hours,
                                             "provider": c.provider, "is_active": c.is_active}),
        "is_hr": selectors.is_hr(request.user)})


@login_required
@require_POST
def enrol(request, session_id: int):
    session = CourseSession.objects.select_related("course").filter(pk=session_id).first()
    if session is None:
        raise Http404
    try:
        e = services.enrol(actor=request.user, session_id=session.pk)
        if e.status == Enrolment.Status.ENROLLED:
            messages.success(request, _("You are enrolled."))
        else:
            messages.warning(request, _("The session is full: you are on the waiting list."))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("training:course", session.course.code)


@login_required
@require_POST
def cancel(request, enrolment_id: int):
    try:
        services.cancel_enrolment(actor=request.user, enrolment_id=enrolment_id)
        messages.success(request, _("The enrolment was cancelled."))
    except DomainError as exc:
        if exc.code == "not_found":
            raise Http404
        messages.error(request, exc.message)
    return _back(request, reverse("training:index"))


@hr_required
def session_roster(request, session_id: int):
    session = CourseSession.objects.select_related("course").filter(pk=session_id).first()
    if session is None:
        raise Http404
    if request.method == "POST":
        ids = {int(i) for i in request.POST.getlist("attended") if i.isdigit()}
        try:
            n = services.record_attendance(actor=request.user, session_id=session.pk, attended_user_ids=ids)
            messages.success(request, _("Attendance saved; %(n)s completions recorded.") % {"n": n})
        except DomainError as exc:
            messages.error(request, exc.message)
        return redirect("training:session", session.pk)
    enrolments = list(session.enrolments.exclude(status="cancelled").select_related("user__staff__section"))
    return _render(request, "training/session.html", {"session": session, "enrolments": enrolments})


# ---------------------------------------------------------------------------------------------- HR


IMPORT_KEY = "training_import"


@hr_required
def import_completions(request):
    """Upload a completions CSV, preview, then apply (all or nothing)."""
    context = {"form": CsvForm()}
    if request.method == "POST":
        action = request.POST.get("action", "preview")
        if action == "apply":
            held = uploads.unstash(request.session, IMPORT_KEY)
            if held is None:
                messages.error(request, _("The preview has expired; upload the file again."))
                return redirect("training:import")
            data, name = held[0], held[1]["name"]
        else:
            form = CsvForm(request.POST, request.FILES)
            if not form.is_valid():
                context["form"] = form
                return _render(request, "training/import.html", context, status=400)
            try:
                data, name = uploads.read_upload(form.cleaned_data["file"])
            except DomainError as exc:
                messages.error(request, exc.message)
                return _render(request, "training/import.html", context, status=400)
        try:
            report = services.import_completions(data=data, actor=request.user, file_name=name,
                                                 dry_run=action != "apply")
        except ImportRejected as exc:
            uploads.drop(request.session, IMPORT_KEY)
            context.update({"error": exc.message, "errors": format_errors(exc.errors)})
            return _render(request, "training/import.html", context, status=400)
        except DomainError as exc:
            context["error"] = exc.message
            return _render(request, "training/import.html", context, status=400)
        if action == "apply":
            uploads.drop(request.session, IMPORT_KEY)
            messages.success(request, _("Import applied: %(summary)s") % {"summary": report.summary()})
            return redirect("training:import")
        uploads.stash(request.session, IMPORT_KEY, data, name)
        context.update({"report": report, "file_name": name})
    return _render(request, "training/import.html", context)


@hr_required
def rules_page(request):
    if request.method == "POST":
        what = request.POST.get("what")
        try:
            if what == "set":
                f = RequirementSetForm(request.POST)
                if f.is_valid():
                    services.create_requirement_set(actor=request.user, **f.cleaned_data)
                    messages.success(request, _("The requirement set was added."))
                else:
                    messages.error(request, _("Check the form."))
            elif what == "requirement":
                rs = RequirementSet.objects.filter(pk=request.POST.get("set")).first()
                f = RequirementForm(request.POST)
                if rs is None or not f.is_valid():
                    messages.error(request, _("Check the form."))
                else:
                    d = f.cleaned_data
                    services.add_requirement(actor=request.user, requirement_set=rs, kind=d["kind"],
                                             course_ids=[c.pk for c in d["courses"]], n=d["n"] or 1,
                                             tier=d["tier"] or "", hours=d["hours"] or 0)
                    messages.success(request, _("The requirement was added."))
            elif what == "remove":
                services.remove_requirement(actor=request.user, requirement_id=int(request.POST.get("id", 0)))
                messages.success(request, _("The requirement was removed."))
            elif what == "toggle":
                services.set_requirement_set_active(actor=request.user, requirement_set_id=int(request.POST.get("id", 0)),
                                                    active=request.POST.get("active") == "1")
                messages.success(request, _("Saved."))
            elif what == "tier":
                f = TierSettingForm(request.POST)
                if f.is_valid():
                    services.update_tier_setting(actor=request.user, **f.cleaned_data)
                    messages.success(request, _("Saved."))
                else:
                    messages.error(request, _("Check the form."))
            elif what == "policy":
                f = LeaderPolicyForm(request.POST)
                if f.is_valid():
                    services.update_leader_policy(actor=request.user, **f.cleaned_data)
                    messages.success(request, _("Saved."))
                else:
                    messages.error(request, _("Check the form."))
            elif what == "evaluate":
                result = services.evaluate_tiers(actor=request.user)
                messages.success(request, _("%(n)s people evaluated; %(a)s tiers awarded.") % {
                    "n": result.evaluated, "a": sum(result.awarded.values())})
        except (DomainError, ValueError) as exc:
            messages.error(request, getattr(exc, "message", _("Check the form.")))
        return redirect("training:rules")
    sets = RequirementSet.objects.prefetch_related("requirements__courses").order_by("tier", "pk")
    ts = services.tier_settings()
    policy = services.leader_policy()
    return _render(request, "training/rules.html", {
        "sets": sets, "set_form": RequirementSetForm(), "req_form": RequirementForm(),
        "tier_settings": [(Tier(t).label, s, TierSettingForm(initial={
            "tier": t, "validity_months": s.validity_months, "remind_days_before": s.remind_days_before,
            "auto_award": s.auto_award})) for t, s in ts.items()],
        "policy_form": LeaderPolicyForm(initial={"transfer_rule": policy.transfer_rule, "term_years": policy.term_years}),
    })


@hr_required
def awards_page(request):
    form = AwardForm()
    if request.method == "POST":
        what = request.POST.get("what", "award")
        try:
            if what == "award":
                form = AwardForm(request.POST)
                if form.is_valid():
                    d = form.cleaned_data
                    profile = StaffProfile.objects.select_related("user").filter(
                        employee_number=d["employee_number"].strip()).first()
                    if profile is None:
                        raise DomainError(_("Unknown employee number."))
                    a = services.award_tier(actor=request.user, user=profile.user, tier=d["tier"],
                                            awarded_on=d["awarded_on"], override_reason=d["override_reason"])
                    messages.success(request, _("%(tier)s awarded to %(name)s.") % {
                        "tier": a.get_tier_display(), "name": profile.name})
                    return redirect("training:awards")
            elif what == "roster":
                roster = RosterForm(request.POST)
                if roster.is_valid():
                    d = roster.cleaned_data
                    try:
                        made = services.award_roster(actor=request.user, numbers_text=d["numbers"], tier=d["tier"],
                                                     awarded_on=d["awarded_on"], override_reason=d["override_reason"])
                    except ImportRejected as exc:
                        messages.error(request, exc.message)
                        for line in format_errors(exc.errors):
                            messages.error(request, line)
                    else:
                        messages.success(request, _("%(n)s people were awarded.") % {"n": len(made)})
                        return redirect("training:awards")
            elif what == "revoke":
                services.revoke_award(actor=request.user, award_id=int(request.POST.get("id", 0)),
                                      reason=request.POST.get("reason", ""))
                messages.success(request, _("The award was revoked."))
                return _back(request, reverse("training:awards"))
            elif what == "renew":
                services.renew_award(actor=request.user, award_id=int(request.POST.get("id", 0)))
                messages.success(request, _("The award was renewed."))
                return _back(request, reverse("training:awards"))
        except DomainError as exc:
            messages.error(request, exc.message)
    today = dates.today()
    expiring = (Award.objects.filter(revoked_at__isnull=True, superseded_at__isnull=True, valid_until__isnull=False,
                                     valid_until__lte=today + dt.timedelta(days=120))
                .select_related("user__staff__section").order_by("valid_until")[:200])
    recent = Award.objects.select_related("user__staff", "issuer").order_by("-created_at", "-pk")[:50]
    pending = DxProjectReport.objects.filter(status="submitted").select_related("user__staff")[:100]
    return _render(request, "training/awards.html", {"form": form, "roster_form": RosterForm(), "expiring": expiring, "recent": recent,
                                                    "pending": pending, "today": today})


@hr_required
@require_POST
def report_review(request, report_id: int):
    try:
        services.review_report(actor=request.user, report_id=report_id, approve=request.POST.get("approve") == "1",
                               note=request.POST.get("note", ""))
        messages.success(request, _("The report was reviewed."))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("training:awards")


# ---------------------------------------------------------------------------------------------- people, sections


@login_required
def person(request, number: str):
    record = selectors.record_for(request.user, number)
    form = CompletionForm()
    if request.method == "POST":
        if not selectors.is_hr(request.user):
            return _forbidden(request)
        form = CompletionForm(request.POST)
        if form.is_valid():
            try:
                services.add_completion(actor=request.user, user=record.profile.user, **form.cleaned_data)
                messages.success(request, _("The completion was recorded."))
                return redirect("training:person", number)
            except DomainError as exc:
                messages.error(request, exc.message)
    today = dates.today()
    return _render(request, "training/person.html", {
        "r": record, "awards": [(a, a.status_on(today)) for a in record.awards], "form": form,
        "is_hr": selectors.is_hr(request.user)})


@login_required
def section(request, code: str):
    unit, rows, leaders, history = selectors.section_view(request.user, code)
    if request.method == "POST":
        try:
            if request.POST.get("what") == "end":
                services.end_designation(actor=request.user, designation_id=int(request.POST.get("id", 0)),
                                         reason=request.POST.get("reason", ""))
                messages.success(request, _("The designation was ended."))
            else:
                profile = StaffProfile.objects.select_related("user").filter(
                    employee_number=request.POST.get("employee_number", "")).first()
                if profile is None:
                    raise DomainError(_("Unknown employee number."))
                services.designate_leader(actor=request.user, section=unit, user=profile.user)
                messages.success(request, _("%(name)s was named DX transformation leader.") % {"name": profile.name})
        except DomainError as exc:
            messages.error(request, exc.message)
        return redirect("training:section", code)
    return _render(request, "training/section.html", {
        "unit": unit, "rows": rows, "leaders": leaders, "history": history,
        "can_designate": services.can_designate(request.user, unit)})


@login_required
def leaders(request):
    items, without, n_sections = selectors.leader_overview(request.user)
    return _render(request, "training/leaders.html", {"leaders": items, "without": without, "n_sections": n_sections})


# ---------------------------------------------------------------------------------------------- coverage


def _percent(x: float) -> str:
    return f"{x * 100:.1f}"


@reports_required
def coverage(request):
    level = request.GET.get("level", "bureau")
    cov = selectors.coverage(level=level)
    fmt = request.GET.get("format", "")
    if fmt == "trend_csv":
        log_event(actor=request.user, action="training.coverage.export", details={"what": "trend"})
        buf = io.StringIO()
        w = csv.writer(buf)
        w.writerow([_("Month end"), _("Bronze or higher"), _("Silver or gold"), _("Staff")])
        for p in selectors.trend():
            w.writerow([p.month_end.isoformat(), p.bronze, p.silver_gold, cov.total.staff])
        resp = HttpResponse(("\ufeff" + buf.getvalue()).encode("utf-8"), content_type="text/csv; charset=utf-8")
        resp["Content-Disposition"] = f'attachment; filename="dx-trend-{cov.day:%Y%m%d}.csv"'
        return resp
    if fmt in ("csv", "xlsx"):
        log_event(actor=request.user, action="training.coverage.export", details={"level": cov.level, "format": fmt})
        header = [_("Code"), _("Unit"), _("Parent"), _("Staff"), _("Bronze or higher"), _("Bronze share (%)"),
                  _("Silver or gold"), _("Silver-or-gold share (%)"), _("Target (%)")]
        rows = [[r.code, r.name, r.parent_name, r.staff, r.bronze, _percent(r.bronze_share), r.silver_gold,
                 _percent(r.sg_share), _percent(selectors.TARGET_SHARE)] for r in cov.rows]
        rows.append(["", _("Whole city"), "", cov.total.staff, cov.total.bronze, _percent(cov.total.bronze_share),
                     cov.total.silver_gold, _percent(cov.total.sg_share), _percent(selectors.TARGET_SHARE)])
        name = f"dx-coverage-{cov.level}-{cov.day:%Y%m%d}"
        if fmt == "csv":
            buf = io.StringIO()
            w = csv.writer(buf)
            w.writerow(header)
            w.writerows(rows)
            resp = HttpResponse(("\ufeff" + buf.getvalue()).encode("utf-8"), content_type="text/csv; charset=utf-8")
            resp["Content-Disposition"] = f'attachment; filename="{name}.csv"'
            return resp
        from openpyxl import Workbook

        wb = Workbook()
        ws = wb.active
        ws.title = cov.level
        ws.append(header)
        for row in rows:
            ws.append([float(v) if i in (5, 7, 8) else v for i, v in enumerate(row)])
        out = io.BytesIO()
        wb.save(out)
        out.seek(0)
        return FileResponse(out, as_attachment=True, filename=f"{name}.xlsx",
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    points = selectors.trend()
    proj = selectors.projection(points, cov.total.staff)
    close, n_close = selectors.close_to_next_tier(limit=50) if request.GET.get("close") == "1" else ([], None)
    without = selectors.sections_without_leader()
    return _render(request, "training/coverage.html", {
        "cov": cov, "levels": selectors.LEVELS, "points": points, "proj": proj, "chart": charts.trend_svg(points, proj),
        "close": close, "n_close": n_close, "without_count": len(without), "target_pct": _percent(selectors.TARGET_SHARE),
        "is_hr": selectors.is_hr(request.user), "total_sg_pct": _percent(cov.total.sg_share),
        "total_bronze_pct": _percent(cov.total.bronze_share),
    })


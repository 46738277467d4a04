from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseForbidden
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from paper_metrics import charts, exports, selectors, services
from paper_metrics.forms import (
    BaselineForm,
    CodeMapForm,
    ColumnMappingForm,
    CommentForm,
    ManualEntryForm,
    PrinterForm,
    PrintLogForm,
    PurchaseForm,
    SettingsForm,
)
from paper_metrics.models import ColumnMapping, EnteredBaseline, PaperSettings, Printer, SectionCodeMap
from workstyle import dates
from workstyle.csvfiles import format_errors
from workstyle.errors import DomainError, ImportRejected
from workstyle.models import OrgUnit
from workstyle.services.audit import log_event


def _fy(request) -> int:
    try:
        fy = int(request.GET.get("fy", ""))
        if 2023 <= fy <= 2100:
            return fy
    except ValueError:
        pass
    return dates.fiscal_year(dates.today())


def _forbidden(request):
    log_event(actor=request.user, action="access.denied", details={"path": request.path})
    return HttpResponseForbidden(_("You do not have access to this page."))


def _chart(rep, unit, fy) -> str:
    key = (f"paper_metrics:svg:{unit.code if unit else 'city'}:{fy}:{selectors.data_version()}:"
           f"{translation.get_language()}:{dates.today()}")
    svg = cache.get(key)
    if svg is None:
        svg = charts.monthly_svg(rep)
        cache.set(key, svg, timeout=3600)
    return svg


def _dashboard(request, unit):
    fy = _fy(request)
    rep = selectors.report(request.user, unit, fy)
    current = dates.fiscal_year(dates.today())
    ctx = {
        "rep": rep, "unit": unit, "fy": fy, "fy_label": dates.fiscal_year_label(fy),
        "years": [(y, dates.fiscal_year_label(y)) for y in range(2023, current + 1)],
        "svg": _chart(rep, unit, fy), "can_import": services.can_import(request.user),
        "can_follow_up": services.can_follow_up(request.user),
        "tops": selectors.visible_tops(request.user) if unit is None or unit.is_top else None,
        "comments": selectors.comments_for(request.user, unit) if unit is not None else None,
        "comment_form": CommentForm(), "export_base": request.path,
    }
    return render(request, "paper_metrics/dashboard.html", ctx)


@login_required
def index(request):
    scope = selectors.default_scope(request.user)
    if scope is False:
        raise Http404
    if scope is not None:
        return redirect("paper_metrics:unit", code=scope.code)
    return _dashboard(request, None)


@login_required
def unit(request, code):
    return _dashboard(request, selectors.unit_for(request.user, code))


@login_required
def export(request, code=None, fmt="csv"):
    if fmt not in ("csv", "xlsx"):
        raise Http404
    unit = selectors.unit_for(request.user, code) if code else None
    if unit is None and not selectors.sees_city(request.user):
        raise Http404
    rep = selectors.report(request.user, unit, _fy(request))
    name = f"paper_{unit.code if unit else 'city'}_FY{rep.fy}"
    if fmt == "xlsx":
        resp = HttpResponse(exports.to_xlsx(rep),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    else:
        resp = HttpResponse(exports.to_csv(rep), content_type="text/csv; charset=utf-8")
    resp["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return resp


@login_required
def import_list(request):
    if not services.can_import(request.user):
        return _forbidden(request)
    log_form, purchase_form = PrintLogForm(), PurchaseForm()
    errors = []
    if request.method == "POST":
        kind = request.POST.get("kind")
        try:
            if kind == "purchases":
                purchase_form = PurchaseForm(request.POST, request.FILES)
                if purchase_form.is_valid():
                    f = purchase_form.cleaned_data["file"]
                    batch = services.import_paper_purchases(actor=request.user, data=f.read(), file_name=f.name)
                    messages.success(request, services.summary_of(batch))
                    return redirect("paper_metrics:import_detail", pk=batch.pk)
            else:
                log_form = PrintLogForm(request.POST, request.FILES)
                if log_form.is_valid():
                    cd = log_form.cleaned_data
                    batch = services.import_print_log(
                        actor=request.user, fmt=cd["format"], data=cd["file"].read(), file_name=cd["file"].name,
                        source=cd["source"], strict=cd["strict"])
                    messages.success(request, services.summary_of(batch))
                    return redirect("paper_metrics:import_detail", pk=batch.pk)
        except ImportRejected as exc:
            messages.error(request, exc.message)
            errors = format_errors(exc.errors, limit=200)
        except DomainError as exc:
            messages.error(request, exc.message)
    page = Paginator(selectors.imports(request.user), 25).get_page(request.GET.get("page"))
    return render(request, "paper_metrics/imports.html", {
        "log_form": log_form, "purchase_form": purchase_form, "errors": errors, "page": page,
        "mappings": ColumnMapping.objects.all(), "status": 400 if errors else 200,
    }, status=400 if errors else 200)


@login_required
def import_detail(request, pk):
    batch = selectors.import_for(request.user, pk)
    return render(request, "paper_metrics/import_detail.html", {
        "batch": batch, "can_see_raw": selectors.can_see_raw_rows(request.user),
        "summary": services.summary_of(batch),
    })


@login_required
@require_POST
def import_reassign(request, pk):
    batch = selectors.import_for(request.user, pk)
    try:
        n = services.reassign_unmapped(actor=request.user, batch=batch)
        messages.success(request, _("%(n)s rows are now mapped to a section.") % {"n": n})
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("paper_metrics:import_detail", pk=batch.pk)


@login_required
def import_rows(request, pk):
    batch = selectors.import_for(request.user, pk)
    rows = selectors.raw_jobs(request.user, batch)
    page = Paginator(rows, 100).get_page(request.GET.get("page"))
    log_event(actor=request.user, action="paper.raw_rows.read", obj=batch, details={"page": page.number})
    return render(request, "paper_metrics/import_rows.html", {"batch": batch, "page": page})


@login_required
def manual(request):
    if not services.can_import(request.user):
        return _forbidden(request)
    form = ManualEntryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        try:
            services.set_manual_entry(actor=request.user, section=cd["section"], month=cd["month"],
                                      sheets=cd["sheets"], note=cd["note"])
            messages.success(request, _("Saved the manual entry for %(unit)s, %(month)s.")
                             % {"unit": cd["section"].name, "month": cd["month"].strftime("%Y-%m")})
            return redirect("paper_metrics:manual")
        except DomainError as exc:
            messages.error(request, exc.message)
    from paper_metrics.models import MonthlyUsage

    recent = MonthlyUsage.objects.filter(kind="manual").select_related("section").order_by("-month", "section__code")[:50]
    return render(request, "paper_metrics/manual.html", {"form": form, "recent": recent})


@login_required
def setup(request):
    if not services.can_import(request.user):
        return _forbidden(request)
    conf = PaperSettings.load()
    forms = {
        "settings": SettingsForm(initial={
            "co2_g_per_sheet": conf.co2_g_per_sheet, "sheets_per_tree": conf.sheets_per_tree,
            "at_risk_margin": conf.at_risk_margin, "size_factors": json.dumps(conf.size_factors, ensure_ascii=False),
            "target_steps": json.dumps(conf.target_steps)}),
        "printer": PrinterForm(), "codemap": CodeMapForm(), "baseline": BaselineForm(), "mapping": ColumnMappingForm(),
    }
    if request.method == "POST":
        which = request.POST.get("form")
        classes = {"settings": SettingsForm, "printer": PrinterForm, "codemap": CodeMapForm, "baseline": BaselineForm,
                   "mapping": ColumnMappingForm}
        if which in classes:
            form = forms[which] = classes[which](request.POST)
            if form.is_valid():
                cd = form.cleaned_data
                try:
                    if which == "settings":
                        services.update_settings(actor=request.user, **cd)
                    elif which == "printer":
                        services.save_printer(actor=request.user, name=cd["name"], section=cd["section"],
                                              location=cd["location"])
                    elif which == "codemap":
                        services.save_code_mapping(actor=request.user, old_code=cd["old_code"],
                                                   new_section=cd["new_section"], note=cd["note"])
                    elif which == "baseline":
                        services.set_entered_baseline(actor=request.user, section=cd["section"],
                                                      annual_sheets=cd["annual_sheets"])
                    else:
                        services.save_column_mapping(
                            actor=request.user, source=cd["source"], columns=form.columns(),
                            time_format=cd["time_format"], duplex_values=cd["duplex_values"],
                            color_values=cd["color_values"], skip_lines=cd["skip_lines"] or 0)
                    messages.success(request, _("Saved."))
                    return redirect(reverse("paper_metrics:setup") + f"#{which}")
                except DomainError as exc:
                    messages.error(request, exc.message)
    return render(request, "paper_metrics/setup.html", {
        "conf": conf, "forms": forms,
        "printers": Printer.objects.select_related("section").order_by("name")[:500],
        "codemaps": SectionCodeMap.objects.select_related("new_section"),
        "baselines": EnteredBaseline.objects.select_related("section"),
        "mappings": ColumnMapping.objects.all(),
    })


@login_required
def followup(request):
    scope = selectors.default_scope(request.user)
    if scope is False or (scope is not None and scope.kind == OrgUnit.Kind.SECTION):
        return _forbidden(request)
    fy = _fy(request)
    rows = selectors.off_track_units(request.user, fy)
    return render(request, "paper_metrics/followup.html", {
        "rows": rows, "fy": fy, "fy_label": dates.fiscal_year_label(fy),
        "can_follow_up": services.can_follow_up(request.user)})


@login_required
@require_POST
def remind(request):
    fy = _fy(request)
    codes = request.POST.getlist("unit")
    units = [selectors.unit_for(request.user, c) for c in codes]
    if not units:
        messages.error(request, _("Choose at least one unit."))
        return redirect("paper_metrics:followup")
    try:
        n = services.send_reminders(actor=request.user, units=units, fy=fy)
        messages.success(request, _("Reminders sent to %(n)s chiefs.") % {"n": n})
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect(reverse("paper_metrics:followup") + f"?fy={fy}")


@login_required
@require_POST
def comment(request, code):
    unit = selectors.unit_for(request.user, code)
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            services.add_comment(actor=request.user, unit=unit, body=form.cleaned_data["body"])
            messages.success(request, _("Comment added."))
        except DomainError as exc:
            messages.error(request, exc.message)
    else:
        messages.error(request, _("The comment is empty."))
    return redirect(reverse("paper_metrics:unit", args=[unit.code]) + "#comments")

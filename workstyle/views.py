from __future__ import annotations

import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpResponse, HttpResponseBadRequest, HttpResponseForbidden
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from workstyle import registry, uploads
from workstyle.csvfiles import format_errors
from workstyle.errors import DomainError, ImportRejected
from workstyle.forms import CsvUploadForm
from workstyle.kpis import placeholder_tiles
from workstyle.models import AuditEvent, FeedToken, Notification, Role
from workstyle.roles import EXECUTIVE_VIEW_ROLES, has_role
from workstyle.selectors import org as org_selectors
from workstyle.services import accounts as account_services
from workstyle.services import notifications as notification_services
from workstyle.services import org as org_services
from workstyle.services.audit import log_event, log_personal_read
from workstyle.services.ical import build_feed

log = logging.getLogger(__name__)


def role_required(*roles):
    def decorator(view):
        @login_required
        def wrapped(request, *args, **kwargs):
            if not has_role(request.user, *roles):
                log_event(actor=request.user, action="access.denied", details={"path": request.path})
                return HttpResponseForbidden(_("You do not have access to this page."))
            return view(request, *args, **kwargs)

        wrapped.__name__ = view.__name__
        wrapped.__doc__ = view.__doc__
        return wrapped

    return decorator


@require_GET
async def healthz(request):
    return HttpResponse("ok", content_type="text/plain")


@login_required
def home(request):
    cards = []
    for key, fn in registry.home_cards():
        try:
            card = fn(request)
        except Exception:  # a broken card must not take the home page down
            log.exception("home card %s failed", key)
            continue
        if card is not None:
            cards.append(card)
    cards.sort(key=lambda c: c.order)
    return render(request, "workstyle/home.html", {"cards": cards, "profile": org_selectors.profile_of(request.user)})


def collect_kpi_tiles(user):
    tiles = []
    for key, fn in registry.kpi_providers():
        try:
            tiles.extend(fn(user))
        except Exception:
            log.exception("KPI provider %s failed", key)
    tiles.extend(placeholder_tiles({t.key for t in tiles}))
    tiles.sort(key=lambda t: t.order)
    return tiles


@role_required(*EXECUTIVE_VIEW_ROLES)
def dashboard(request):
    return render(request, "workstyle/dashboard.html", {"tiles": collect_kpi_tiles(request.user)})


@require_POST
def set_language(request):
    code = request.POST.get("language", "")
    next_url = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, require_https=request.is_secure()):
        next_url = "/"
    available = dict(settings.LANGUAGES)
    if code not in available:
        messages.error(request, _("Unknown language: %(code)s") % {"code": code[:20]})
        return redirect(next_url)
    translation.activate(code)
    response = redirect(next_url)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME, code, max_age=365 * 24 * 3600, samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        secure=settings.LANGUAGE_COOKIE_SECURE, httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
    )
    return response


@login_required
def notifications(request):
    qs = Notification.objects.filter(recipient=request.user)
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render(request, "workstyle/notifications.html", {"page": page})


@login_required
@require_POST
def notifications_read(request):
    ids = request.POST.getlist("id")
    notification_services.mark_read(user=request.user, notification_ids=[int(i) for i in ids if i.isdigit()] or None)
    return redirect(request.POST.get("next") or reverse("notifications"))


@login_required
def settings_page(request):
    if request.method == "POST":
        request.user.locate_opt_in = request.POST.get("locate_opt_in") == "on"
        request.user.save(update_fields=["locate_opt_in"])
        log_event(actor=request.user, action="settings.update", obj=request.user,
                  details={"locate_opt_in": request.user.locate_opt_in})
        messages.success(request, _("Your settings were saved."))
        return redirect("settings")
    token = request.session.pop("new_feed_token", None)
    feed_url = request.build_absolute_uri(reverse("personal_feed", args=[token])) if token else None
    has_feed = FeedToken.objects.filter(user=request.user, scope="personal", revoked_at__isnull=True).exists()
    return render(request, "workstyle/settings.html", {"feed_url": feed_url, "has_feed": has_feed})


@login_required
@require_POST
def feed_token_rotate(request):
    request.session["new_feed_token"] = account_services.issue_feed_token(user=request.user)
    messages.success(request, _("A new calendar address was made; the old one no longer works."))
    return redirect("settings")


@login_required
@require_POST
def feed_token_revoke(request):
    account_services.revoke_feed_token(user=request.user)
    messages.success(request, _("Your calendar address was turned off."))
    return redirect("settings")


@require_GET
def personal_feed(request, token: str):
    ft = org_selectors.user_for_feed_token(token, FeedToken.Scope.PERSONAL)
    FeedToken.objects.filter(pk=ft.pk).update(last_used_at=timezone.now())
    body = build_feed(user=ft.user, scope=FeedToken.Scope.PERSONAL, section=None,
                      name=_("Workstyle: %(name)s") % {"name": ft.user.display_name()})
    return HttpResponse(body, content_type="text/calendar; charset=utf-8")


@require_GET
def section_feed(request, token: str):
    ft = org_selectors.user_for_feed_token(token, FeedToken.Scope.SECTION)
    if not org_selectors.can_see_unit(ft.user, ft.section):
        raise Http404
    body = build_feed(user=ft.user, scope=FeedToken.Scope.SECTION, section=ft.section,
                      name=_("Presence: %(section)s") % {"section": ft.section.name})
    return HttpResponse(body, content_type="text/calendar; charset=utf-8")


@login_required
def org_directory(request):
    q = request.GET.get("q", "")
    results = org_selectors.search_staff(request.user, q) if q else []
    tops = org_selectors.top_units().prefetch_related("children__children")
    return render(request, "workstyle/org_directory.html", {"q": q, "results": results, "tops": tops})


@login_required
def unit_detail(request, code: str):
    unit = org_selectors.unit_for_user(request.user, code)
    staff = org_selectors.staff_in_unit(unit).filter(section=unit).select_related("user").order_by("-is_manager", "name_kana")
    children = unit.children.filter(is_active=True).order_by("code")
    return render(request, "workstyle/unit_detail.html", {"unit": unit, "staff": staff, "children": children})


IMPORT_KEY = "pending_import"


@role_required(Role.ADMIN)
def org_import(request):
    """Upload HR's organisation or staff CSV, see a preview of the changes, then apply."""
    kind = request.POST.get("kind") or request.GET.get("kind") or "staff"
    if kind not in ("org", "staff"):
        return HttpResponseBadRequest(_("Unknown import kind."))
    context = {"kind": kind, "form": CsvUploadForm()}
    if request.method == "POST":
        action = request.POST.get("action", "preview")
        full = request.POST.get("full") in ("on", "1", "true")
        if action == "apply":
            held = uploads.unstash(request.session, IMPORT_KEY)
            if held is None or held[1].get("kind") != kind:
                messages.error(request, _("The preview has expired; upload the file again."))
                return redirect(f"{reverse('org_import')}?kind={kind}")
            data, name, full = held[0], held[1]["name"], held[1]["full"]
        else:
            form = CsvUploadForm(request.POST, request.FILES)
            if not form.is_valid():
                context["form"] = form
                return render(request, "workstyle/org_import.html", context, status=400)
            try:
                data, name = uploads.read_upload(form.cleaned_data["file"])
            except DomainError as exc:
                messages.error(request, exc.message)
                return render(request, "workstyle/org_import.html", context, status=400)
        fn = org_services.import_org if kind == "org" else org_services.import_staff
        kwargs = {"data": data, "actor": request.user, "file_name": name, "dry_run": action != "apply"}
        if kind == "staff":
            kwargs["full"] = full
        try:
            report = fn(**kwargs)
        except ImportRejected as exc:
            context.update({"error": exc.message, "errors": format_errors(exc.errors)})
            uploads.drop(request.session, IMPORT_KEY)
            return render(request, "workstyle/org_import.html", context, status=400)
        except DomainError as exc:
            context.update({"error": exc.message})
            return render(request, "workstyle/org_import.html", context, status=400)
        if action == "apply":
            uploads.drop(request.session, IMPORT_KEY)
            messages.success(request, _("Import applied: %(summary)s") % {"summary": report.summary()})
            return redirect(f"{reverse('org_import')}?kind={kind}")
        uploads.stash(request.session, IMPORT_KEY, data, name, kind=kind, full=full)
        context.update({"report": report, "file_name": name, "full": full})
    return render(request, "workstyle/org_import.html", context)


@role_required(Role.ADMIN, Role.HR)
def audit_log(request):
    qs = AuditEvent.objects.select_related("actor", "subject")
    q = request.GET.get("q", "").strip()
    action = request.GET.get("action", "").strip()
    actor = request.GET.get("actor", "").strip()
    if q:
        qs = qs.filter(Q(object_repr__icontains=q) | Q(action__icontains=q) | Q(actor_label__icontains=q))
    if action:
        qs = qs.filter(action__startswith=action)
    if actor:
        qs = qs.filter(actor_label=actor)
    for key, lookup in (("since", "created_at__date__gte"), ("until", "created_at__date__lte")):
        value = request.GET.get(key, "").strip()
        if value:
            try:
                qs = qs.filter(**{lookup: value})
            except Exception:
                messages.error(request, _("Dates must look like 2025-04-01."))
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "workstyle/audit_log.html", {"page": page, "q": q, "action": action, "actor": actor,
                                                        "since": request.GET.get("since", ""),
                                                        "until": request.GET.get("until", "")})


@login_required
def staff_detail(request, number: str):
    """A colleague's directory entry. Contact data is personal data: reading it is logged."""
    profile = org_selectors.search_staff(request.user, number).first()
    if profile is None or profile.employee_number != number:
        raise Http404
    log_personal_read(actor=request.user, subject=profile.user, what="directory entry", obj=profile)
    return render(request, "workstyle/staff_detail.html", {"profile": profile})


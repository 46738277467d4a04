"""Reads about the organisation and staff, with access built in."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from workstyle.models import FeedToken, OrgUnit, Role, StaffProfile, User
from workstyle.roles import has_role
from workstyle.services.accounts import hash_token


def profile_of(user) -> StaffProfile | None:
    if not getattr(user, "is_authenticated", False):
        return None
    try:
        return user.staff
    except StaffProfile.DoesNotExist:
        return None


def section_of(user) -> OrgUnit | None:
    profile = profile_of(user)
    return profile.section if profile else None


def units_under(unit: OrgUnit) -> QuerySet[OrgUnit]:
    """The unit and everything below it."""
    return OrgUnit.objects.filter(path__startswith=unit.path)


def staff_in_unit(unit: OrgUnit, *, active: bool = True) -> QuerySet[StaffProfile]:
    qs = StaffProfile.objects.filter(section__path__startswith=unit.path)
    if active:
        qs = qs.filter(is_active=True)
    return qs


def chief_of(unit: OrgUnit) -> StaffProfile | None:
    """The manager placed directly in this unit (課長 of a section, 部長 of a department, 局長 of a bureau)."""
    return (
        StaffProfile.objects.filter(section=unit, is_manager=True, is_active=True)
        .select_related("user")
        .order_by("employee_number")
        .first()
    )


def approver_for(profile: StaffProfile) -> StaffProfile | None:
    """Whom a person's request goes to: their unit's chief, or for a chief the next manager up the tree."""
    unit = profile.section
    while unit is not None:
        chief = chief_of(unit)
        if chief is not None and chief.pk != profile.pk:
            return chief
        unit = unit.parent
    return None


def sections_managed_by(user) -> QuerySet[OrgUnit]:
    """Units a manager is chief of, and every unit below them."""
    profile = profile_of(user)
    if profile is None or not profile.is_manager:
        return OrgUnit.objects.none()
    return OrgUnit.objects.filter(path__startswith=profile.section.path)


def can_see_unit(user, unit: OrgUnit) -> bool:
    if has_role(user, Role.ADMIN, Role.HR, Role.DX_OFFICE, Role.EXECUTIVE):
        return True
    profile = profile_of(user)
    if profile is None:
        return False
    if profile.section_id == unit.pk:
        return True
    return profile.is_manager and unit.path.startswith(profile.section.path)


def unit_for_user(user, code: str) -> OrgUnit:
    unit = OrgUnit.objects.filter(code=code).first()
    if unit is None or not can_see_unit(user, unit):
        raise Http404
    return unit


def top_units() -> QuerySet[OrgUnit]:
    return OrgUnit.objects.filter(parent__isnull=True, is_active=True).order_by("path")


def user_for_feed_token(token: str, scope: str = FeedToken.Scope.PERSONAL) -> FeedToken:
    """The live feed token for a clear token, or 404 (rotated and revoked tokens are gone at once)."""
    ft = (
        FeedToken.objects.select_related("user", "section")
        .filter(token_hash=hash_token(token), scope=scope, revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if ft is None:
        raise Http404
    return ft


def search_staff(user, query: str, limit: int = 20) -> QuerySet[StaffProfile]:
    """Directory search (name, kana, number); any logged-in member of staff may search names."""
    if not getattr(user, "is_authenticated", False):
        return StaffProfile.objects.none()
    from django.db.models import Q

    q = query.strip()
    if not q:
        return StaffProfile.objects.none()
    return (
        StaffProfile.objects.filter(is_active=True)
        .filter(Q(name__icontains=q) | Q(name_kana__icontains=q) | Q(employee_number=q))
        .select_related("section", "user")
        .order_by("name_kana")[:limit]
    )


def active_users() -> QuerySet[User]:
    return User.objects.filter(is_active=True)


def active_user_by_number(number: str) -> User | None:
    """The active login of the member of staff with this employee number (forms that name a colleague)."""
    number = (number or "").strip()
    if not number:
        return None
    return User.objects.filter(staff__employee_number=number, is_active=True).select_related("staff").first()

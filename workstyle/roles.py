"""Roles are Django groups named after workstyle.models.Role."""

from __future__ import annotations

from workstyle.models import Role

EXECUTIVE_VIEW_ROLES = (Role.DX_OFFICE, Role.EXECUTIVE, Role.ADMIN)


def user_roles(user) -> set[str]:
    if not getattr(user, "is_authenticated", False):
        return set()
    cached = getattr(user, "_role_cache", None)
    if cached is None:
        cached = set(user.groups.values_list("name", flat=True))
        if user.is_superuser:
            cached.add(Role.ADMIN)
        profile = getattr(user, "staff", None) if hasattr(user, "staff") else None
        if profile is not None and profile.is_manager:
            cached.add(Role.MANAGER)
        cached.add(Role.EMPLOYEE)
        user._role_cache = cached
    return cached


def has_role(user, *roles: str) -> bool:
    return bool(user_roles(user) & {str(r) for r in roles})


def is_admin(user) -> bool:
    return has_role(user, Role.ADMIN)

from __future__ import annotations

from django.urls import NoReverseMatch, reverse

from workstyle import registry
from workstyle.roles import user_roles


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    roles = user_roles(user)
    items = []
    for item in registry.nav_items():
        if item.roles and not (roles & set(item.roles)):
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        items.append({"label": item.label, "url": url, "active": request.path.startswith(url) and url != "/"
                      or request.path == url})
    return {"nav_items": items, "user_roles": roles}

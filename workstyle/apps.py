from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkstyleConfig(AppConfig):
    name = "workstyle"
    verbose_name = _("Workstyle core")

    def ready(self):
        from workstyle import adapters, cards, kpis, registry, routing  # noqa: F401
        from workstyle.registry import NavItem

        registry.register_websocket_routes(routing.websocket_urlpatterns)
        registry.register_nav(NavItem(_("Home"), "home", order=0))
        registry.register_nav(NavItem(_("DX plan dashboard"), "dashboard", roles=("dx_office", "executive", "admin"), order=90))
        registry.register_nav(NavItem(_("Organisation"), "org_directory", order=95))
        registry.register_nav(NavItem(_("Imports"), "org_import", roles=("admin",), order=97))
        registry.register_nav(NavItem(_("Audit log"), "audit_log", roles=("admin", "hr"), order=98))
        registry.register_demo("workstyle", _demo_loader, order=0)


def _demo_loader(*, small: bool, stdout):
    from workstyle.demo import load

    return load(small=small, stdout=stdout)

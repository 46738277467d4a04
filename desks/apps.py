from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DesksConfig(AppConfig):
    name = "desks"
    verbose_name = _("Desks")

    def ready(self):
        from workstyle import registry
        from workstyle.registry import NavItem

        registry.register_nav(NavItem(_("Desks"), "desks:index", order=10))

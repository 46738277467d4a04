from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TeleworkConfig(AppConfig):
    name = "telework"
    verbose_name = _("Telework")

    def ready(self):
        from workstyle import registry
        from workstyle.registry import NavItem

        registry.register_nav(NavItem(_("Telework"), "telework:index", order=20))

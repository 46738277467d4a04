from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    name = "meetings"
    verbose_name = _("Meetings")

    def ready(self):
        from workstyle import registry
        from workstyle.registry import NavItem

        registry.register_nav(NavItem(_("Meetings"), "meetings:index", order=30))

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrainingConfig(AppConfig):
    name = "training"
    verbose_name = _("DX talent")

    def ready(self):
        from workstyle import registry
        from workstyle.registry import NavItem

        registry.register_nav(NavItem(_("DX talent"), "training:index", order=50))

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PaperMetricsConfig(AppConfig):
    name = "paper_metrics"
    verbose_name = _("Paper use")

    def ready(self):
        from workstyle import registry
        from workstyle.registry import NavItem

        registry.register_nav(NavItem(_("Paper use"), "paper_metrics:index", order=40))

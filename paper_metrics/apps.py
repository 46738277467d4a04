from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PaperMetricsConfig(AppConfig):
    name = "paper_metrics"
    verbose_name = _("Paper use")

    def ready(self):
        from paper_metrics import cards, demo, kpis
        from workstyle import registry
        from workstyle.registry import NavItem

        registry.register_nav(NavItem(_("Paper use"), "paper_metrics:index", order=40))
        registry.register_kpi("paper", kpis.paper_tiles, order=10)
        registry.register_home_card("paper_metrics.section", cards.section_card, order=40)
        registry.register_demo("paper_metrics", demo.load, order=40)

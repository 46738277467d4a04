from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrainingConfig(AppConfig):
    name = "training"
    verbose_name = _("DX talent")

    def ready(self):
        from training import cards, demo, kpis, tasks
        from workstyle import registry
        from workstyle.registry import NavItem

        registry.register_nav(NavItem(_("DX talent"), "training:index", order=50))
        registry.register_home_card("training.my_tier", cards.my_tier_card, order=50)
        registry.register_kpi("dx_talent", kpis.dx_talent_tiles, order=50)
        registry.register_periodic("training.daily_upkeep", tasks.daily_training_upkeep, 6 * 3600)
        registry.register_demo("training", demo.load, order=60)

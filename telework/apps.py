from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TeleworkConfig(AppConfig):
    name = "telework"
    verbose_name = _("Telework")

    def ready(self):
        from telework import cards, desks_api, feeds, guards, kpis, tasks
        from workstyle import registry
        from workstyle.registry import NavItem

        registry.register_nav(NavItem(_("Telework"), "telework:index", order=20))
        registry.register_home_card("telework", cards.home_card, order=20)
        registry.register_kpi("telework", kpis.tiles, order=30)
        registry.register_feed_source("telework", feeds.feed_source)
        registry.register_demo("telework", _demo_loader, order=40)
        registry.register_periodic("telework.flag_pending_at_start", tasks.flag_pending_at_start_task,
                                   every_seconds=900)
        desks_api.register_booking_guard(guards.booking_guard)


def _demo_loader(*, small: bool, stdout):
    from telework.demo import load

    return load(small=small, stdout=stdout)

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DesksConfig(AppConfig):
    name = "desks"
    verbose_name = _("Desks")

    def ready(self):
        from workstyle import registry
        from workstyle.registry import NavItem

        from . import cards, demo, feeds, kpis, routing, tasks

        registry.register_nav(NavItem(_("Desks"), "desks:index", order=10))
        registry.register_home_card("desks.today", cards.my_desk_today, order=20)
        registry.register_kpi("office_space", kpis.office_space_tiles, order=40)
        registry.register_feed_source("desks", feeds.personal_bookings)
        registry.register_websocket_routes(routing.websocket_urlpatterns)
        registry.register_periodic("desks.release_no_shows", tasks.release_no_shows_task, every_seconds=300)
        registry.register_demo("desks", demo.load, order=20)

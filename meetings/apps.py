from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    name = "meetings"
    verbose_name = _("Meetings")

    def ready(self):
        from meetings import cards, demo, feeds, kpis, live, routing, tasks
        from workstyle import registry
        from workstyle.registry import NavItem

        live.ensure_layer()
        registry.register_nav(NavItem(_("Meetings"), "meetings:index", order=30))
        registry.register_websocket_routes(routing.websocket_urlpatterns)
        registry.register_home_card("meetings.today", cards.today_card, order=30)
        registry.register_kpi("paperless_meetings", kpis.tiles, order=20)
        registry.register_feed_source("meetings", feeds.personal_events)
        registry.register_demo("meetings", demo.load, order=40)
        registry.register_periodic("meetings.notify_due_materials", tasks.notify_due_materials_task, 300)
        registry.register_periodic("meetings.cleanup_stale_uploads", tasks.cleanup_stale_uploads_task, 3600)

from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from workstyle import views

admin.site.login = secure_admin_login(admin.site.login)
admin.site.site_header = "Workstyle"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("i18n/setlang/", views.set_language, name="set_language"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/read/", views.notifications_read, name="notifications_read"),
    path("settings/", views.settings_page, name="settings"),
    path("settings/feed/rotate/", views.feed_token_rotate, name="feed_token_rotate"),
    path("settings/feed/revoke/", views.feed_token_revoke, name="feed_token_revoke"),
    path("feeds/<str:token>/calendar.ics", views.personal_feed, name="personal_feed"),
    path("feeds/section/<str:token>/presence.ics", views.section_feed, name="section_feed"),
    path("org/", views.org_directory, name="org_directory"),
    path("org/units/<str:code>/", views.unit_detail, name="unit_detail"),
    path("org/staff/<str:number>/", views.staff_detail, name="staff_detail"),
    path("org/import/", views.org_import, name="org_import"),
    path("audit/", views.audit_log, name="audit_log"),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("desks/", include("desks.urls")),
    path("telework/", include("telework.urls")),
    path("meetings/", include("meetings.urls")),
    path("paper/", include("paper_metrics.urls")),
    path("training/", include("training.urls")),
]

from django.urls import path

from telework import views

app_name = "telework"

urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.request_new, name="new"),
    path("requests/<int:pk>/", views.detail, name="detail"),
    path("requests/<int:pk>/change/", views.change, name="change"),
    path("requests/<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("requests/<int:pk>/cancel/", views.cancel, name="cancel"),
    path("requests/<int:pk>/decide/", views.decide, name="decide"),
    path("queue/", views.queue, name="queue"),
    path("deputies/", views.deputies, name="deputies"),
    path("deputies/<int:pk>/revoke/", views.deputy_revoke, name="deputy_revoke"),
    path("work/start/", views.work_start, name="work_start"),
    path("work/end/", views.work_end, name="work_end"),
    path("report/<str:day>/", views.report, name="report"),
    path("missing/", views.missing, name="missing"),
    path("absence/", views.absence, name="absence"),
    path("presence/", views.presence_home, name="presence_home"),
    path("presence/bureaus/", views.presence_bureaus, name="presence_bureaus"),
    path("presence/<str:code>/", views.presence, name="presence"),
    path("tasks/", views.tasks_home, name="tasks_home"),
    path("tasks/report/", views.tasks_report, name="tasks_report"),
    path("tasks/<str:code>/", views.tasks, name="tasks"),
    path("rules/", views.rules_page, name="rules"),
    path("exclusions/", views.exclusions, name="exclusions"),
    path("section-feed/", views.section_feed, name="section_feed"),
    path("adoption/", views.adoption, name="adoption"),
]

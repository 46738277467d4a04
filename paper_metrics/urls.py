from django.urls import path

from paper_metrics import views

app_name = "paper_metrics"

urlpatterns = [
    path("", views.index, name="index"),
    path("export.<str:fmt>", views.export, name="export_city"),
    path("unit/<str:code>/", views.unit, name="unit"),
    path("unit/<str:code>/export.<str:fmt>", views.export, name="export"),
    path("unit/<str:code>/comment/", views.comment, name="comment"),
    path("imports/", views.import_list, name="imports"),
    path("imports/<int:pk>/", views.import_detail, name="import_detail"),
    path("imports/<int:pk>/rows/", views.import_rows, name="import_rows"),
    path("imports/<int:pk>/reassign/", views.import_reassign, name="import_reassign"),
    path("manual/", views.manual, name="manual"),
    path("setup/", views.setup, name="setup"),
    path("follow-up/", views.followup, name="followup"),
    path("follow-up/remind/", views.remind, name="remind"),
]

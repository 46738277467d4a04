from django.urls import path

from paper_metrics import views

app_name = "paper_metrics"

urlpatterns = [
    path("", views.index, name="index"),
]

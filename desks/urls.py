from django.urls import path

from desks import views

app_name = "desks"

urlpatterns = [
    path("", views.index, name="index"),
]

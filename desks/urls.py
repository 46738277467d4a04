from django.urls import path

from desks import views

app_name = "desks"

urlpatterns = [
    path("", views.index, name="index"),
    path("floors/<int:floor_id>/", views.floor_map, name="floor"),
    path("floors/<int:floor_id>/states.json", views.floor_states, name="floor_states"),
    path("floors/<int:floor_id>/qr/", views.qr_sheet, name="qr_sheet"),
    path("floors/<int:floor_id>/plan", views.plan_image, name="plan_image"),
    path("book/", views.book, name="book"),
    path("bookings/<int:booking_id>/cancel/", views.cancel, name="cancel"),
    path("mine/", views.mine, name="mine"),
    path("mine/usual/", views.book_usual, name="book_usual"),
    path("mine/recurring/", views.recurring, name="recurring"),
    path("mine/series/<int:series_id>/", views.series, name="series"),
    path("desk/<int:desk_id>/favourite/", views.favourite, name="favourite"),
    path("desk/<int:desk_id>/checkin/", views.checkin, name="checkin"),
    path("find/", views.find, name="find"),
    path("utilization/", views.utilization_page, name="utilization"),
    path("utilization/export.<str:fmt>", views.utilization_export, name="utilization_export"),
    path("manage/", views.manage, name="manage"),
    # Benchmark-only reference views (login required); see benchmarks/desk_rush.py.
    path("_bench/trivial-write/", views.bench_trivial_write, name="bench_trivial_write"),
    path("_bench/trivial-read/", views.bench_trivial_read, name="bench_trivial_read"),
]

from django.urls import path

from meetings import views

app_name = "meetings"

urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.create, name="create"),
    path("<int:meeting_id>/", views.detail, name="detail"),
    path("<int:meeting_id>/edit/", views.edit, name="edit"),
    path("<int:meeting_id>/status/", views.status, name="status"),
    path("<int:meeting_id>/attendees/", views.attendee_add, name="attendee_add"),
    path("<int:meeting_id>/organisers/", views.organiser_add, name="organiser_add"),
    path("<int:meeting_id>/attendees/<int:attendee_id>/remove/", views.attendee_remove, name="attendee_remove"),
    path("<int:meeting_id>/items/", views.item_add, name="item_add"),
    path("<int:meeting_id>/items/<int:item_id>/materials/", views.material_add, name="material_add"),
    path("<int:meeting_id>/materials/<int:material_id>/upload/", views.upload, name="upload"),
    path("<int:meeting_id>/minutes/upload/", views.upload, name="minutes_upload"),
    path("<int:meeting_id>/minutes.pdf", views.minutes, name="minutes"),
    path("<int:meeting_id>/binder.pdf", views.binder, name="binder"),
    path("<int:meeting_id>/live/", views.live, name="live"),
    path("<int:meeting_id>/attendance/", views.attendance, name="attendance"),
    path("<int:meeting_id>/materials.json", views.materials_status, name="materials_json"),
    path("uploads/<int:upload_id>/", views.upload_status, name="upload_status"),
    path("materials/<int:material_id>/", views.viewer, name="viewer"),
    path("materials/<int:material_id>/notes.json", views.notes_json, name="notes_json"),
    path("materials/<int:material_id>/notes/<int:page>/", views.note_save, name="note_save"),
    path("versions/<int:version_id>/pages/<int:page>/<str:size>/", views.page_image, name="page_image"),
    path("versions/<int:version_id>/download/", views.download, name="download"),
]

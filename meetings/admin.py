"""Read-mostly admin: changes go through the services (pages), the admin is for looking things up."""

from django.contrib import admin

from meetings.models import Attendee, Material, MaterialVersion, Meeting, Upload


class AttendeeInline(admin.TabularInline):
    model = Attendee
    extra = 0
    raw_id_fields = ("user", "section")


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ("title", "section", "starts_at", "status", "confidentiality")
    list_filter = ("status", "confidentiality")
    search_fields = ("title",)
    date_hierarchy = "starts_at"
    raw_id_fields = ("section", "organisers", "created_by", "presenter", "live_version")
    inlines = [AttendeeInline]


@admin.register(MaterialVersion)
class MaterialVersionAdmin(admin.ModelAdmin):
    list_display = ("material", "number", "page_count", "size", "created_at")
    readonly_fields = ("material", "number", "file", "filename", "size", "sha256", "page_count", "uploaded_by",
                       "created_at")
    exclude = ("text",)

    def has_add_permission(self, request):
        return False


@admin.register(Material)
class MaterialAdmin(admin.ModelAdmin):
    list_display = ("title", "item", "publish_at")
    raw_id_fields = ("item", "current_version")


@admin.register(Upload)
class UploadAdmin(admin.ModelAdmin):
    list_display = ("filename", "meeting", "status", "progress", "message", "created_at")
    list_filter = ("status",)
    readonly_fields = [f.name for f in Upload._meta.fields]

    def has_add_permission(self, request):
        return False

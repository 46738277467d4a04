from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from workstyle.models import AuditEvent, Notification, OrgUnit, StaffProfile, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "email", "is_active", "is_staff")
    fieldsets = BaseUserAdmin.fieldsets + ((None, {"fields": ("locate_opt_in",)}),)


@admin.register(OrgUnit)
class OrgUnitAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "parent", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("code", "name")
    readonly_fields = ("path", "top")


@admin.register(StaffProfile)
class StaffProfileAdmin(admin.ModelAdmin):
    list_display = ("employee_number", "name", "section", "title", "employment_type", "is_manager", "is_active")
    list_filter = ("employment_type", "is_manager", "is_active")
    search_fields = ("employee_number", "name", "name_kana", "email")
    raw_id_fields = ("user", "section")


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: nobody can edit or delete the audit log."""

    list_display = ("created_at", "actor_label", "action", "object_type", "object_repr", "client_address")
    list_filter = ("action",)
    search_fields = ("actor_label", "action", "object_repr")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("created_at", "recipient", "title", "read_at")
    raw_id_fields = ("recipient",)

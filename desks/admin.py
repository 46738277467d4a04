from django.contrib import admin

from .models import Booking, Building, Desk, Floor, Zone


@admin.register(Building)
class BuildingAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "am_start", "midday", "pm_end", "max_days_ahead", "max_bookings_per_week")


@admin.register(Floor)
class FloorAdmin(admin.ModelAdmin):
    list_display = ("__str__", "level", "plan_width", "plan_height")
    list_filter = ("building",)


@admin.register(Zone)
class ZoneAdmin(admin.ModelAdmin):
    list_display = ("name", "floor")
    list_filter = ("floor__building", "floor")
    filter_horizontal = ("reserved_for",)


@admin.register(Desk)
class DeskAdmin(admin.ModelAdmin):
    list_display = ("code", "floor", "zone", "amenities", "bookable")
    list_filter = ("floor", "bookable")
    search_fields = ("code",)


@admin.register(Booking)
class BookingAdmin(admin.ModelAdmin):
    """Read-only: bookings change only through the services (which keep the occupancy rows in step)."""

    list_display = ("desk", "day", "slot", "status", "checked_in_at")
    list_filter = ("status", "slot")
    date_hierarchy = "day"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

from django.contrib import admin

from .models import Job


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = ("id", "owner", "lab", "status", "device", "attempt", "created_at", "finished_at")
    list_filter = ("status", "lab", "queue")
    search_fields = ("owner__username",)
    readonly_fields = [f.name for f in Job._meta.fields]
    exclude = ("history",)

    def has_add_permission(self, request) -> bool:
        return False

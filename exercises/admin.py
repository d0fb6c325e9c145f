from django.contrib import admin

from .models import Attempt, Draft


@admin.register(Attempt)
class AttemptAdmin(admin.ModelAdmin):
    list_display = ("exercise", "owner", "status", "sandbox_status", "wall_ms", "created_at")
    list_filter = ("status", "exercise")
    readonly_fields = [f.name for f in Attempt._meta.fields]


@admin.register(Draft)
class DraftAdmin(admin.ModelAdmin):
    list_display = ("exercise", "owner", "updated_at")

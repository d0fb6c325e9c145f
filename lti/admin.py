"""Registrations, deployments and keys are django-lti's admin pages (manual registration for an LMS without
dynamic registration); here, what the platform made of LMS courses, and every score with its delivery."""

from django.contrib import admin
from lti_tool.admin import LtiRegistrationAdmin
from lti_tool.models import LtiRegistration

from .models import Course, FrameOrigin, Placement, Score


class FrameOriginInline(admin.TabularInline):
    model = FrameOrigin
    extra = 1


# django-lti's registration page (manual registration), with the addresses that may frame the tool.
admin.site.unregister(LtiRegistration)


@admin.register(LtiRegistration)
class RegistrationAdmin(LtiRegistrationAdmin):
    inlines = [*LtiRegistrationAdmin.inlines, FrameOriginInline]


@admin.register(Course)
class CourseAdmin(admin.ModelAdmin):
    list_display = ("klass", "context", "roster_synced_at")
    raw_id_fields = ("context", "klass", "teachers")


@admin.register(Placement)
class PlacementAdmin(admin.ModelAdmin):
    list_display = ("title", "kind", "course", "lineitem_url", "created_at")
    list_filter = ("kind",)
    raw_id_fields = ("course",)


@admin.register(Score)
class ScoreAdmin(admin.ModelAdmin):
    list_display = ("learner", "placement", "score_given", "score_maximum", "status", "tries", "sent_at")
    list_filter = ("status",)
    raw_id_fields = ("placement", "learner")
    readonly_fields = ("last_error",)

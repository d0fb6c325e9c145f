from django.contrib import admin

from .models import Assignment, Class, Membership


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ["learner"]


@admin.register(Class)
class ClassAdmin(admin.ModelAdmin):
    list_display = ["name", "teacher", "code", "created_at"]
    search_fields = ["name", "code", "teacher__username"]
    raw_id_fields = ["teacher"]
    readonly_fields = ["code"]
    inlines = [MembershipInline]


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    list_display = ["__str__", "klass", "due_at"]
    raw_id_fields = ["klass", "lesson", "quiz", "experiment"]

from django.contrib import admin
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .catalog import LABS
from .models import Job


class LabFilter(admin.SimpleListFilter):
    """Runs by lab, each named by its title in the admin's language rather than its slug."""

    title = _("lab")
    parameter_name = "lab"

    def lookups(self, request, model_admin) -> list[tuple[str, str]]:
        return [(slug, gettext(lab.title)) for slug, lab in LABS.items()]

    def queryset(self, request, queryset):
        return queryset.filter(lab=self.value()) if self.value() else queryset


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    # Columns through methods: their headings, the lab's title and the reason read in the admin's language.
    list_display = ("id", "learner", "lab_title", "status_words", "device", "attempt", "created_at", "reason")
    list_filter = ("status", LabFilter, "queue")
    search_fields = ("owner__username",)
    # The detail page, read-only: the lab by its title and why the run ended in words, beside the stored
    # code; `history` (every reported point) is left out, being too long to read here.
    fields = (
        "id",
        "owner",
        "lab_title",
        "status",
        "reason",
        "params",
        "queue",
        "device",
        "attempt",
        "language",
        "progress",
        "created_at",
        "started_at",
        "finished_at",
        "metrics",
        "visuals",
        "error_code",
        "error_params",
        "error",
    )
    readonly_fields = fields

    @admin.display(description=_("learner"), ordering="owner__username")
    def learner(self, job: Job) -> str:
        return job.owner.get_username()

    @admin.display(description=_("lab"), ordering="lab")
    def lab_title(self, job: Job) -> str:
        return gettext(LABS[job.lab].title) if job.lab in LABS else job.lab

    @admin.display(description=_("status"), ordering="status")
    def status_words(self, job: Job) -> str:
        return job.get_status_display()

    @admin.display(description=_("why it ended"))
    def reason(self, job: Job) -> str:
        return job.error_message

    def has_add_permission(self, request) -> bool:
        return False

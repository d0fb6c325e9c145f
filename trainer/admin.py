from django.contrib import admin
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .labs import LABS
from .models import Job


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    # Columns through methods: their headings, the lab's title and the reason read in the admin's language.
    list_display = ("id", "learner", "lab_title", "status_words", "device", "attempt", "created_at", "reason")
    list_filter = ("status", "lab", "queue")
    search_fields = ("owner__username",)
    readonly_fields = [*(f.name for f in Job._meta.fields), "reason"]
    exclude = ("history",)

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

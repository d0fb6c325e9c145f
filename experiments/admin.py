from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin

from .models import Experiment, Submission
from .selectors import pass_rates


@admin.register(Experiment)
class ExperimentAdmin(TranslationAdmin):
    """Staff see how each experiment goes: how many learners tried it and how many of them passed."""

    list_display = ("title", "lesson", "lab", "learners", "passers", "pass_rate", "submitted")
    list_filter = ("lab", "lesson")
    search_fields = ("slug", "title")
    # What a check is graded against is authored in the course files (and validated by import_course).
    readonly_fields = ("lab", "runs", "prediction_kind", "grading", "instructions_html", "explanation_html")

    def get_queryset(self, request):
        return pass_rates()

    @admin.display(description=_("learners"), ordering="learners")
    def learners(self, experiment: Experiment) -> int:
        return experiment.learners

    @admin.display(description=_("passed"), ordering="passers")
    def passers(self, experiment: Experiment) -> int:
        return experiment.passers

    @admin.display(description=_("pass rate"))
    def pass_rate(self, experiment: Experiment) -> str:
        return f"{100 * experiment.passers / experiment.learners:.0f} %" if experiment.learners else "–"

    @admin.display(description=_("submissions"), ordering="submitted")
    def submitted(self, experiment: Experiment) -> int:
        return experiment.submitted


@admin.register(Submission)
class SubmissionAdmin(admin.ModelAdmin):
    list_display = ("id", "owner", "experiment", "passed", "created_at")
    list_filter = ("passed", "experiment")
    search_fields = ("owner__username",)
    readonly_fields = [f.name for f in Submission._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExercisesConfig(AppConfig):
    name = "exercises"
    verbose_name = _("Code exercises")

    def ready(self) -> None:
        from lessons.mastery import register_evidence

        from .mastery import exercise_evidence

        register_evidence(exercise_evidence)  # a passed exercise counts for the concepts it names

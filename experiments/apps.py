from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExperimentsConfig(AppConfig):
    name = "experiments"
    verbose_name = _("Guided experiments")

    def ready(self) -> None:
        from core.documents import renames_documents
        from lessons.content import PARTS, Part
        from lessons.mastery import register_evidence

        from .content import dump_course_experiments, load_course_experiments
        from .mastery import experiment_evidence
        from .models import Experiment

        renames_documents(Experiment)  # a lesson's experiments are part of what its page offers

        # A course folder's experiments/ holds one Markdown file per experiment and language.
        PARTS.append(Part("experiments", load_course_experiments, dump_course_experiments))
        register_evidence(experiment_evidence)  # a passed experiment counts for the concepts it names

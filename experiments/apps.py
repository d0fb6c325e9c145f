from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExperimentsConfig(AppConfig):
    name = "experiments"
    verbose_name = _("Guided experiments")

    def ready(self) -> None:
        from core.documents import renames_documents
        from lessons.content import PARTS, Part

        from .content import dump_course_experiments, load_course_experiments
        from .models import Experiment

        renames_documents(Experiment)  # a lesson's experiments are part of what its page offers

        # A course folder's experiments/ holds one Markdown file per experiment and language.
        PARTS.append(Part("experiments", load_course_experiments, dump_course_experiments))

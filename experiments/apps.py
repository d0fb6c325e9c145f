from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExperimentsConfig(AppConfig):
    name = "experiments"
    verbose_name = _("Guided experiments")

    def ready(self) -> None:
        from lessons.content import PARTS, Part

        from .content import dump_course_experiments, load_course_experiments

        # A course folder's experiments/ holds one Markdown file per experiment and language.
        PARTS.append(Part("experiments", load_course_experiments, dump_course_experiments))

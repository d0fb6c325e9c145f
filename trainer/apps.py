from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrainerConfig(AppConfig):
    name = "trainer"
    verbose_name = _("Training labs")

    def ready(self) -> None:
        from functools import partial

        from lessons import practice

        from .catalog import LABS
        from .templatetags.labs import render_widget

        # Lessons, concepts and FAQ cards offer the labs through lessons.practice, never by importing them.
        for lab in LABS.values():
            practice.register(
                practice.Lab(lab.slug, lab.title, partial(render_widget, lab), "trainer/_lab_scripts.html")
            )

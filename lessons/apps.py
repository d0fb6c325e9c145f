from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LessonsConfig(AppConfig):
    name = "lessons"
    verbose_name = _("Lessons")

    def ready(self) -> None:
        from core.documents import renames_documents

        from .models import Concept, ConceptRelation, Course, FaqEntry, Lesson

        renames_documents(Course, Lesson, Concept, ConceptRelation, FaqEntry)

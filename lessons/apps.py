from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LessonsConfig(AppConfig):
    name = "lessons"
    verbose_name = _("Lessons")

    def ready(self) -> None:
        from core.documents import renames_documents
        from core.readers import changes_readers

        from .models import Concept, ConceptRelation, Course, FaqEntry, FaqRating, Lesson, LessonProgress

        renames_documents(Course, Lesson, Concept, ConceptRelation, FaqEntry)
        changes_readers(LessonProgress, lambda progress: progress.user_id)
        changes_readers(FaqRating, lambda rating: rating.user_id)

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QuizzesConfig(AppConfig):
    name = "quizzes"
    verbose_name = _("Quizzes")

    def ready(self) -> None:
        from core.documents import renames_documents
        from lessons.content import PARTS, Part

        from .bank import dump_course_quizzes, load_course_quizzes
        from .models import Answer, Question, Quiz

        renames_documents(Quiz, Question, Answer)  # a lesson page shows its quiz

        # A course folder's quizzes/ holds one GIFT file per lesson and language.
        PARTS.append(Part("quizzes", load_course_quizzes, dump_course_quizzes))

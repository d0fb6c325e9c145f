from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QuizzesConfig(AppConfig):
    name = "quizzes"
    verbose_name = _("Quizzes")

    def ready(self) -> None:
        from core.documents import renames_documents
        from lessons.content import PARTS, Part
        from lessons.mastery import register_evidence

        from .bank import dump_course_quizzes, load_course_quizzes
        from .mastery import quiz_evidence
        from .models import Answer, Question, Quiz

        renames_documents(Quiz, Question, Answer)  # a lesson page shows its quiz

        # A course folder's quizzes/ holds one GIFT file per lesson and language.
        PARTS.append(Part("quizzes", load_course_quizzes, dump_course_quizzes))
        register_evidence(quiz_evidence)  # each question answered right, at best, counts for its concepts

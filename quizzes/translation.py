from modeltranslation.translator import TranslationOptions, register

from .models import Answer, Question, Quiz


@register(Quiz)
class QuizTranslation(TranslationOptions):
    fields = ("title",)


@register(Question)
class QuestionTranslation(TranslationOptions):
    fields = (
        "text_md",
        "text_html",
        "explanation_md",
        "explanation_html",
        "hint_md",
        "hint_html",
        "correct_feedback_md",
        "correct_feedback_html",
        "partial_feedback_md",
        "partial_feedback_html",
        "incorrect_feedback_md",
        "incorrect_feedback_html",
    )


@register(Answer)
class AnswerTranslation(TranslationOptions):
    fields = ("text_md", "text_html", "match_text", "feedback_md", "feedback_html")

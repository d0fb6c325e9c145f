"""The fields that exist once per language (django-modeltranslation adds `<field>_zh_hans`, `<field>_en`)."""

from modeltranslation.translator import TranslationOptions, register

from .models import Concept, Course, FaqEntry, Lesson


@register(Course)
class CourseTranslation(TranslationOptions):
    fields = ("title", "summary", "intro_md", "intro_html")


@register(Lesson)
class LessonTranslation(TranslationOptions):
    fields = ("title", "summary", "body_md", "body_html", "toc_html", "search_text", "reading_minutes")


@register(Concept)
class ConceptTranslation(TranslationOptions):
    fields = ("term", "aliases", "definition", "body_md", "body_html", "search_text")


@register(FaqEntry)
class FaqEntryTranslation(TranslationOptions):
    fields = ("question", "answer_md", "answer_html", "search_text")

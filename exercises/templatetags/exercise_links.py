"""The code exercises of a lesson, linked from its page's Practice section (the page is one document for every
reader: titles and links only, in the page's language)."""

from django import template

from trainer.catalog import LABS

from ..content import exercises
from ..services import TRAINABLE

register = template.Library()


@register.inclusion_tag("exercises/lesson_exercises.html")
def lesson_exercises(course_slug: str, lesson_slug: str) -> dict:
    found = [
        (exercise, exercise.in_language(), LABS[exercise.lab] if exercise.slug in TRAINABLE else None)
        for exercise in exercises().values()
        if exercise.lesson == lesson_slug and exercise.folder.parent.parent.name == course_slug
    ]
    return {"rows": found}

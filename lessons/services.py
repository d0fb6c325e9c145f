"""Writes: what a student's actions change."""

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils.translation import gettext as _
from modeltranslation.utils import build_localized_fieldname

from core.errors import UserError

from .models import FaqEntry, FaqRating, Lesson, LessonProgress, Reading


@transaction.atomic
def lesson_set_complete(*, user: AbstractBaseUser, lesson: Lesson, complete: bool) -> None:
    """Marks a lesson complete for a student, or takes the mark back. Repeating it changes nothing."""
    if complete:
        LessonProgress.objects.get_or_create(user=user, lesson=lesson)
    else:
        LessonProgress.objects.filter(user=user, lesson=lesson).delete()


@transaction.atomic
def faq_rate(*, user: AbstractBaseUser, entry: FaqEntry, rating: int) -> FaqRating:
    """Records how well a student knew an answer when self-checking (the latest rating counts)."""
    rated, _created = FaqRating.objects.update_or_create(user=user, entry=entry, defaults={"rating": rating})
    return rated


def reading_record(*, user, lesson: Lesson, section: str) -> Reading:
    """Remembers that the learner is reading `lesson` at `section`, a heading's id in either language ("": the
    start). A section the lesson does not have is refused (UserError), and nothing is written."""
    heading = 0
    if section:
        texts = [
            getattr(lesson, build_localized_fieldname("body_html", code))
            for code, _name in settings.LANGUAGES
        ]
        found = [
            ids.index(section) + 1
            for ids in ([id_ for id_, _ in lesson.headings(t)] for t in texts)
            if section in ids
        ]
        if not found:
            raise UserError(_("This lesson has no such section."), code="no_such_section")
        heading = found[0]
    reading, _created = Reading.objects.update_or_create(
        user=user, lesson=lesson, defaults={"heading": heading}
    )
    return reading

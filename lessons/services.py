"""Writes: what a student's actions change."""

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from .models import FaqEntry, FaqRating, Lesson, LessonProgress


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

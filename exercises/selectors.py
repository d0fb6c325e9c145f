"""Reads: a learner's standing on an exercise."""

from __future__ import annotations

from .content import Exercise, exercises
from .models import Attempt, Draft
from .services import solution_allowed


def mine(user, exercise: Exercise) -> dict | None:
    if not user.is_authenticated:
        return None
    attempts = Attempt.objects.filter(owner=user, exercise=exercise.slug)
    draft = Draft.objects.filter(owner=user, exercise=exercise.slug).values_list("source", flat=True).first()
    return {
        "passed": attempts.filter(status=Attempt.Status.PASSED).exists(),
        "attempts": attempts.count(),
        "solution_available": solution_allowed(owner=user, exercise=exercise),
        "draft": draft,
    }


def passed_slugs(user) -> set[str]:
    if not user.is_authenticated:
        return set()
    return set(
        Attempt.objects.filter(owner=user, status=Attempt.Status.PASSED).values_list("exercise", flat=True)
    )


def tried_slugs(user) -> set[str]:
    """The exercises the learner has pressed Check on, passed or not."""
    if not user.is_authenticated:
        return set()
    return set(Attempt.objects.filter(owner=user).values_list("exercise", flat=True))


def progress(user, *, every: bool = False) -> dict:
    """How many exercises the learner passed of all, and per exercise its words and whether it passed, in the
    course's order: every exercise (the exercises' index) or only those tried (the dashboard)."""
    passed = passed_slugs(user)
    shown = None if every else passed | tried_slugs(user)
    found = list(exercises().values())
    done = sum(e.slug in passed for e in found)
    return {
        "total": len(found),
        "passed": done,
        "percent": round(100 * done / len(found)) if found else 0,
        "rows": [(e, e.in_language(), e.slug in passed) for e in found if shown is None or e.slug in shown],
    }

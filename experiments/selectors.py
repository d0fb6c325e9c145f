"""Reads of experiments and their results."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from lessons.models import Lesson
from lessons.selectors import text_fields

from .models import Experiment, Prediction, Submission


def experiments() -> QuerySet[Experiment]:
    """Those of published lessons, in course order; not the retired ones."""
    return (
        Experiment.objects.filter(
            lesson__status="published", lesson__course__status="published", retired=False
        )
        .select_related("lesson", "lesson__course")
        .defer(*text_fields("lesson__"))
    )


@dataclass
class Progress:
    passed: list[Experiment]
    tried: list[Experiment]  # submitted, not passed yet
    total: int

    @property
    def percent(self) -> int:
        return round(100 * len(self.passed) / self.total) if self.total else 0


def progress(user: AbstractBaseUser) -> Progress:
    """A learner's experiments: those passed, those tried and not yet passed, out of how many."""
    rows = experiments().annotate(
        passed=Exists(Submission.objects.filter(owner=user, experiment=OuterRef("pk"), passed=True)),
        tried=Exists(Submission.objects.filter(owner=user, experiment=OuterRef("pk"))),
    )
    rows = list(rows)
    return Progress(
        passed=[e for e in rows if e.passed],
        tried=[e for e in rows if e.tried and not e.passed],
        total=len(rows),
    )


NOT_STARTED, PREDICTED, PASSED = "not-started", "predicted", "passed"


def with_status(user: AbstractBaseUser, rows: QuerySet[Experiment] | None = None) -> list[Experiment]:
    """The experiments (all published ones unless `rows`), each with `.status`: "passed" once any of the
    learner's checks passed, "predicted" once they committed a prediction, else "not-started" (always so for
    a visitor who is not signed in)."""
    rows = experiments() if rows is None else rows
    if not user.is_authenticated:
        found = list(rows)
        for experiment in found:
            experiment.status = NOT_STARTED
        return found
    found = list(
        rows.annotate(
            passed=Exists(Submission.objects.filter(owner=user, experiment=OuterRef("pk"), passed=True)),
            predicted=Exists(Prediction.objects.filter(owner=user, experiment=OuterRef("pk"))),
        )
    )
    for experiment in found:
        experiment.status = (
            PASSED if experiment.passed else PREDICTED if experiment.predicted else NOT_STARTED
        )
    return found


def by_lesson(found: list[Experiment]) -> list[tuple[Lesson, list[Experiment]]]:
    """Experiments grouped by their lesson, in course order (as `experiments()` returns them)."""
    groups: dict[int, tuple[Lesson, list[Experiment]]] = {}
    for experiment in found:
        groups.setdefault(experiment.lesson_id, (experiment.lesson, []))[1].append(experiment)
    return list(groups.values())


def pass_rates() -> QuerySet[Experiment]:
    """Per experiment: learners who submitted, learners who passed, submissions (for staff)."""
    return (
        Experiment.objects.select_related("lesson")
        .defer(*text_fields("lesson__"))
        .annotate(
            learners=Count("submissions__owner", distinct=True),
            passers=Count("submissions__owner", filter=Q(submissions__passed=True), distinct=True),
            submitted=Count("submissions"),
        )
    )

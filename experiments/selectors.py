"""Reads of experiments and their results."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from .models import Experiment, Submission


def experiments() -> QuerySet[Experiment]:
    """Those of published lessons, in course order; not the retired ones."""
    return Experiment.objects.filter(
        lesson__status="published", lesson__course__status="published", retired=False
    ).select_related("lesson", "lesson__course")


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


def pass_rates() -> QuerySet[Experiment]:
    """Per experiment: learners who submitted, learners who passed, submissions (for staff)."""
    return Experiment.objects.select_related("lesson").annotate(
        learners=Count("submissions__owner", distinct=True),
        passers=Count("submissions__owner", filter=Q(submissions__passed=True), distinct=True),
        submitted=Count("submissions"),
    )

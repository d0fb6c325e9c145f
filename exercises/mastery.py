"""Code exercises' evidence for concept mastery: each exercise names its concepts in its front matter; an
exercise the learner has checked counts as right for them once any attempt passed."""

from __future__ import annotations

from collections import defaultdict

from lessons.mastery import Outcomes

from .content import exercises
from .models import Attempt


def exercise_evidence(user) -> Outcomes:
    best: dict[str, bool] = {}
    done = (Attempt.Status.PASSED, Attempt.Status.FAILED)
    for slug, status in Attempt.objects.filter(owner=user, status__in=done).values_list("exercise", "status"):
        best[slug] = best.get(slug, False) or status == Attempt.Status.PASSED
    outcomes: Outcomes = defaultdict(list)
    for slug, passed in best.items():
        exercise = exercises().get(slug)
        for concept in exercise.concepts if exercise else ():
            outcomes[concept].append(passed)
    return outcomes

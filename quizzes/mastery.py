"""The quiz's evidence for concept mastery (registered with lessons.mastery in QuizzesConfig.ready)."""

from __future__ import annotations

from collections import defaultdict

from lessons.mastery import Outcomes, named_concepts

from .models import Question, Response


def question_concepts() -> dict[int, set[str]]:
    """Each quiz question's concepts: those its text names, in either language."""
    return named_concepts(Question.objects.all(), ("text_md",))


def quiz_evidence(user) -> Outcomes:
    """Per concept, whether the learner has ever answered each question tied to it right (their best answer:
    a later attempt that skips or misses a question does not undo an earlier right one)."""
    best: dict[int, bool] = {}
    for question_id, correct in Response.objects.filter(attempt__user=user).values_list(
        "question_id", "correct"
    ):
        best[question_id] = best.get(question_id, False) or correct
    outcomes: Outcomes = defaultdict(list)
    if not best:
        return outcomes
    for question_id, slugs in question_concepts().items():
        if question_id in best:
            for slug in slugs:
                outcomes[slug].append(best[question_id])
    return outcomes

"""Which concepts a learner has mastered, from the evidence tied to each concept.

Evidence comes from sources listed in EVIDENCE: each is a function of a learner giving, per concept slug, the
outcome (True for right or passed) of each item tied to that concept, the learner's latest outcome only. The
quiz questions are one source; a guided experiment is another, added where experiments live with
`EVIDENCE.append(...)` (trainer/experiments, not this module's business).

A concept is mastered when it has evidence and all of it is right; started when it has some that is not
(yet) right; new when it has none.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

from modeltranslation.utils import build_localized_fieldname

from .models import LANGUAGE_CODES, Concept

Outcomes = dict[str, list[bool]]
EVIDENCE: list[Callable[[object], Outcomes]] = []


def question_concepts() -> dict[int, set[str]]:
    """Each quiz question's concepts: those whose term or alias its text names, in either language (the names
    that link to a concept in a lesson)."""
    from quizzes.models import Question

    indexes = Concept.objects.indexes()
    patterns = {lang: (indexes[lang].pattern(), indexes[lang]) for lang in LANGUAGE_CODES}
    fields = [build_localized_fieldname("text_md", lang) for lang in LANGUAGE_CODES]
    tied: dict[int, set[str]] = defaultdict(set)
    for question_id, *texts in Question.objects.values_list("pk", *fields):
        for lang, text in zip(LANGUAGE_CODES, texts, strict=True):
            pattern, index = patterns[lang]
            for match in pattern.finditer(text or "") if pattern else ():
                found = index.find(match.group(0))
                if found:
                    tied[question_id].add(found.slug)
    return tied


def quiz_evidence(user) -> Outcomes:
    """The learner's latest answer to each question tied to a concept: right or not."""
    from quizzes.models import Response

    latest: dict[int, bool] = {}
    responses = Response.objects.filter(attempt__user=user).order_by("attempt__created_at", "pk")
    for question_id, correct in responses.values_list("question_id", "correct"):
        latest[question_id] = correct  # a later attempt replaces an earlier one
    outcomes: Outcomes = defaultdict(list)
    for question_id, slugs in question_concepts().items():
        if question_id in latest:
            for slug in slugs:
                outcomes[slug].append(latest[question_id])
    return outcomes


EVIDENCE.append(quiz_evidence)


def mastery(user) -> dict[str, dict]:
    """Per concept slug: {"state": "mastered" | "started" | "new", "right": n, "total": n}."""
    outcomes: Outcomes = defaultdict(list)
    for source in EVIDENCE:
        for slug, results in source(user).items():
            outcomes[slug].extend(results)
    states = {}
    for slug in Concept.objects.values_list("slug", flat=True):
        results = outcomes.get(slug, [])
        right = sum(results)
        state = "mastered" if results and right == len(results) else "started" if results else "new"
        states[slug] = {"state": state, "right": right, "total": len(results)}
    return states

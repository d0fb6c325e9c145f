"""Which concepts a learner has mastered, from the evidence tied to each concept.

The apps that hold evidence register a source with `register_evidence` from their `AppConfig.ready()`: quiz
questions (quizzes.mastery), guided experiments (experiments.mastery). So this module imports neither app and
neither app's evidence is this module's business. A source is a function of a learner giving, per concept
slug, one outcome per item tied to that concept (a question, an experiment): True when the learner's *best*
evidence for the item is right or passed. A later, shorter or worse attempt never takes away what an earlier
one showed; the dashboard's "best" score and the concept map agree.

A concept is mastered when it has evidence and all of it is right; started when it has some that is not
(yet) right; new when it has none.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

from django.db.models import QuerySet
from modeltranslation.utils import build_localized_fieldname

from .models import LANGUAGE_CODES, Concept

Outcomes = dict[str, list[bool]]
Evidence = Callable[[object], Outcomes]
EVIDENCE: list[Evidence] = []


def register_evidence(source: Evidence) -> None:
    """Adds a source of evidence (once, however often an app's ready() runs)."""
    if source not in EVIDENCE:
        EVIDENCE.append(source)


def named_concepts(rows: QuerySet, fields: tuple[str, ...]) -> dict[int, set[str]]:
    """Each row's concepts: those whose term or alias its text fields name, in either language (the names that
    link to a concept in a lesson). Keyed by the row's primary key."""
    indexes = Concept.objects.indexes()
    patterns = {lang: (indexes[lang].pattern(), indexes[lang]) for lang in LANGUAGE_CODES}
    columns = [(lang, build_localized_fieldname(field, lang)) for field in fields for lang in LANGUAGE_CODES]
    tied: dict[int, set[str]] = defaultdict(set)
    for pk, *texts in rows.values_list("pk", *(column for _, column in columns)):
        for (lang, _), text in zip(columns, texts, strict=True):
            pattern, index = patterns[lang]
            for match in pattern.finditer(text or "") if pattern else ():
                found = index.find(match.group(0))
                if found:
                    tied[pk].add(found.slug)
    return tied


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

"""Guided experiments' evidence for concept mastery (registered with lessons.mastery in
ExperimentsConfig.ready): an experiment the learner has checked counts for each concept its title, prediction
or instructions name, as right once any of their submissions passed."""

from __future__ import annotations

from collections import defaultdict

from lessons.mastery import Outcomes, named_concepts

from .models import Experiment, Submission


def experiment_concepts() -> dict[int, set[str]]:
    """Each experiment's concepts: those named in its title, prediction question or instructions."""
    return named_concepts(Experiment.objects.all(), ("title", "predict", "instructions_md"))


def experiment_evidence(user) -> Outcomes:
    best: dict[int, bool] = {}
    for experiment_id, passed in Submission.objects.filter(owner=user).values_list("experiment_id", "passed"):
        best[experiment_id] = best.get(experiment_id, False) or passed
    outcomes: Outcomes = defaultdict(list)
    if not best:
        return outcomes
    for experiment_id, slugs in experiment_concepts().items():
        if experiment_id in best:
            for slug in slugs:
                outcomes[slug].append(best[experiment_id])
    return outcomes

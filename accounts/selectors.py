"""Reads across the learner's own things: what they would do next."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from experiments.models import Prediction, Submission
from lessons.models import LessonProgress, Reading
from lessons.selectors import visible_lessons
from quizzes.models import PASS_PERCENT
from quizzes.selectors import best_scores
from trainer.labs import LABS
from trainer.models import Job

RECENT_RUNS = timedelta(days=2)  # a run that ended longer ago than this is no news


@dataclass(frozen=True)
class Step:
    """One thing to do next: what it is (`kind`: reading, run, quiz, experiment, start), in words, and where."""

    kind: str
    title: str
    detail: str
    url: str


def next_steps(user: AbstractBaseUser, limit: int = 4) -> list[Step]:
    """Where a returning learner picks up: the lesson they were reading (at its section), a run that is
    training or ended lately, a quiz not passed yet, an experiment predicted and not checked; or, for a
    learner who has not begun, the first lesson."""
    steps: list[Step] = []
    done = LessonProgress.objects.filter(user=user, lesson=OuterRef("lesson"))
    reading = (
        Reading.objects.filter(user=user, lesson__in=visible_lessons(user))
        .exclude(Exists(done))
        .select_related("lesson", "lesson__course")
        .order_by("-read_at")
        .first()
    )
    if reading:
        steps.append(
            Step(
                "reading",
                _("Continue reading: %(lesson)s") % {"lesson": reading.lesson.title},
                (reading.section or ("", ""))[1],
                reading.get_absolute_url(),
            )
        )
    lately = Q(status__in=Job.ACTIVE) | Q(finished_at__gte=timezone.now() - RECENT_RUNS)
    run = Job.objects.filter(lately, owner=user).order_by("-created_at").first()
    if run:
        lab = _(LABS[run.lab].title) if run.lab in LABS else run.lab
        if run.status in Job.ACTIVE:
            title = _("Your run #%(n)s (%(lab)s) is training") % {"n": run.pk, "lab": lab}
        else:
            title = _("Your run #%(n)s (%(lab)s) has ended") % {"n": run.pk, "lab": lab}
        url = reverse("lab", args=[run.lab]) + f"?run={run.pk}"
        steps.append(Step("run", title, run.get_status_display(), url))
    for row in best_scores(user):
        if row["best"] < PASS_PERCENT:
            steps.append(
                Step(
                    "quiz",
                    _("Pass the quiz: %(quiz)s") % {"quiz": row["quiz"].title},
                    _("best so far %(best)s%%") % {"best": row["best"]},
                    row["quiz"].get_absolute_url(),
                )
            )
    passed = Submission.objects.filter(owner=user, experiment=OuterRef("experiment"), passed=True)
    waiting = (
        Prediction.objects.filter(owner=user)
        .exclude(Exists(passed))
        .select_related("experiment")
        .order_by("-created_at")
    )
    seen: set[int] = set()
    for prediction in waiting:
        if prediction.experiment_id in seen:
            continue
        seen.add(prediction.experiment_id)
        steps.append(
            Step(
                "experiment",
                _("Check your prediction: %(experiment)s") % {"experiment": prediction.experiment.title},
                _("predicted, not checked yet"),
                prediction.experiment.get_absolute_url(),
            )
        )
    if not steps:
        completed = LessonProgress.objects.filter(user=user, lesson=OuterRef("pk"))
        lessons = visible_lessons(user).exclude(Exists(completed)).select_related("course")
        first = lessons.order_by("course__order", "course__slug", "order", "id").first()
        if first:
            title = _("Start: %(lesson)s") % {"lesson": first.title}
            steps.append(Step("start", title, first.course.title, first.get_absolute_url()))
    return steps[:limit]

"""Reads across one learner's own things: everything the platform holds about them, theirs to take (the account
page and the API); and what they would do next (the home page and the dashboard)."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from experiments.models import Prediction, Submission
from lessons.models import FaqRating, LessonProgress, Reading
from lessons.selectors import text_fields, visible_lessons
from quizzes.models import PASS_PERCENT, Attempt
from quizzes.selectors import best_scores
from trainer.catalog import LABS
from trainer.models import Job

from .models import Preferences

Tables = dict[str, list[dict[str, Any]]]


def learner_data(user: AbstractBaseUser) -> Tables:
    """One table per kind of thing the learner made: their account, lessons completed, quiz attempts and every
    answer with its grade and feedback, training runs with their settings, metrics and history, predictions,
    experiment submissions and FAQ ratings. Nothing of anyone else's."""
    return {
        "account": [
            {
                "username": user.get_username(),
                "email": user.email,
                "date_joined": user.date_joined,
                "last_login": user.last_login,
            }
        ],
        "lessons_completed": [
            {"course": course, "lesson": lesson, "completed_at": at}
            for course, lesson, at in LessonProgress.objects.filter(user=user)
            .order_by("completed_at")
            .values_list("lesson__course__slug", "lesson__slug", "completed_at")
        ],
        "quiz_attempts": [
            {
                "attempt": a.pk,
                "quiz": a.quiz.slug,
                "number": a.number,
                "score": a.score,
                "max_score": a.max_score,
                "created_at": a.created_at,
            }
            for a in Attempt.objects.filter(user=user).select_related("quiz").order_by("created_at", "pk")
        ],
        "quiz_answers": _answers(user),
        "runs": [
            {
                "run": job.pk,
                "lab": job.lab,
                "status": job.status,
                "settings": job.params,
                "device": job.device,
                "created_at": job.created_at,
                "started_at": job.started_at,
                "finished_at": job.finished_at,
                "metrics": job.metrics,
                "history": job.history,
                "error": job.error,
            }
            for job in Job.objects.filter(owner=user).order_by("created_at", "pk")
        ],
        "predictions": [
            {"experiment": p.experiment.slug, "prediction": p.value, "created_at": p.created_at}
            for p in Prediction.objects.filter(owner=user).select_related("experiment").order_by("created_at")
        ],
        "experiment_submissions": [
            {
                "experiment": s.experiment.slug,
                "runs": s.jobs,
                "answer": s.answer,
                "values": s.values,
                "passed": s.passed,
                "created_at": s.created_at,
            }
            for s in Submission.objects.filter(owner=user).select_related("experiment").order_by("created_at")
        ],
        "faq_ratings": [
            {"entry": slug, "rating": rating}
            for slug, rating in FaqRating.objects.filter(user=user).values_list("entry__slug", "rating")
        ],
        "lessons_reading": [
            {"course": course, "lesson": lesson, "heading": heading, "read_at": at}
            for course, lesson, heading, at in Reading.objects.filter(user=user)
            .order_by("read_at")
            .values_list("lesson__course__slug", "lesson__slug", "heading", "read_at")
        ],
        "preferences": [
            {"language": p.language, "theme": p.theme} for p in Preferences.objects.filter(user=user)
        ],
    }


def _answers(user: AbstractBaseUser) -> list[dict[str, Any]]:
    """Each answer as given, with its grade and the feedback the learner was shown for it."""
    from quizzes.selectors import attempt_result

    rows = []
    for attempt in Attempt.objects.filter(user=user).select_related("quiz").order_by("created_at", "pk"):
        result = attempt_result(attempt, user)
        names = dict(attempt.quiz.questions.values_list("pk", "name"))
        for question in result["questions"]:
            rows.append(
                {
                    "attempt": attempt.pk,
                    "question": names.get(question["id"], ""),
                    "kind": question["kind"],
                    "given": question["given"],
                    "fraction": question["fraction"],
                    "correct": question["correct"],
                    "feedback": " ".join(question["feedback_html"]),
                }
            )
    return rows


def as_json(tables: Tables) -> str:
    return json.dumps(tables, cls=DjangoJSONEncoder, ensure_ascii=False, indent=1)


def as_csv_zip(tables: Tables) -> bytes:
    """One CSV file per table in a zip; a nested value (settings, metrics, history) is a JSON text in its cell."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, rows in tables.items():
            text = io.StringIO()
            columns = list(rows[0]) if rows else []
            writer = csv.DictWriter(text, fieldnames=columns)
            writer.writeheader()
            for row in rows:
                writer.writerow({key: _cell(value) for key, value in row.items()})
            archive.writestr(f"{name}.csv", "\ufeff" + text.getvalue())  # BOM: spreadsheets read it as UTF-8
    return buffer.getvalue()


def _cell(value: Any) -> Any:
    if isinstance(value, dict | list):
        return json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False)
    return value


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
        .defer(*text_fields("lesson__"))
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

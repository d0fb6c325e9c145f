"""Reads: everything the platform holds about one learner, theirs to take (the account page and the API)."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.serializers.json import DjangoJSONEncoder

from experiments.models import Prediction, Submission
from lessons.models import FaqRating, LessonProgress
from quizzes.models import Attempt
from trainer.models import Job

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

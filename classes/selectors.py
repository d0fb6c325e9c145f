"""Reads for a class's teacher: the roster and its progress, the class's quiz item analysis (as Moodle's
statistics report computes it), and the gradebook. Every read takes the class, so it only ever sees members."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.http import Http404

from exercises.models import Attempt as CodeAttempt
from experiments.models import Experiment, Submission
from lessons.models import LessonProgress
from lessons.selectors import text_fields
from quizzes.models import Attempt, Kind, Question, Quiz
from trainer.models import Job

from .models import Assignment, Class, Extension, Note

User = get_user_model()


def member_or_404(klass: Class, learner_id: int):
    """A learner of this class, or 404 (another class's learner, a non-member, the teacher themself)."""
    found = klass.learners.filter(pk=learner_id).first()
    if found is None:
        raise Http404
    return found


def members(klass: Class) -> QuerySet:
    return klass.learners.order_by("username")


# --- Progress -------------------------------------------------------------------------------------------


@dataclass
class LearnerProgress:
    learner: Any
    lessons_done: int = 0
    quizzes: dict[int, int] = field(default_factory=dict)  # quiz id -> best percent
    experiments_passed: set[int] = field(default_factory=set)
    experiments_tried: set[int] = field(default_factory=set)
    runs: int = 0
    exercises_passed: set[str] = field(default_factory=set)  # code exercises' slugs
    cells: list[int | None] = field(default_factory=list)  # best percent per quiz column, for a table


def progress(klass: Class) -> list[LearnerProgress]:
    """Per member: lessons completed, best quiz percent per quiz, experiments passed and tried, runs. A few
    queries for the whole class, not a few per learner."""
    rows = {m.pk: LearnerProgress(m) for m in members(klass)}
    ids = list(rows)
    for user_id in LessonProgress.objects.filter(user_id__in=ids).values_list("user_id", flat=True):
        rows[user_id].lessons_done += 1
    for attempt in Attempt.objects.filter(user_id__in=ids).only("user_id", "quiz_id", "score", "max_score"):
        best = rows[attempt.user_id].quizzes
        best[attempt.quiz_id] = max(best.get(attempt.quiz_id, 0), attempt.percent)
    for owner, experiment, passed in Submission.objects.filter(owner_id__in=ids).values_list(
        "owner_id", "experiment_id", "passed"
    ):
        rows[owner].experiments_tried.add(experiment)
        if passed:
            rows[owner].experiments_passed.add(experiment)
    for owner in Job.objects.filter(owner_id__in=ids).values_list("owner_id", flat=True):
        rows[owner].runs += 1
    passed = CodeAttempt.objects.filter(owner_id__in=ids, status=CodeAttempt.Status.PASSED)
    for owner, exercise in passed.values_list("owner_id", "exercise").distinct():
        rows[owner].exercises_passed.add(exercise)
    return list(rows.values())


@dataclass
class ExerciseStanding:
    exercise: Any  # exercises.content.Exercise
    tries: int
    passed: bool
    last: Any  # the latest attempt (exercises.models.Attempt)


def learner_exercises(learner) -> list[ExerciseStanding]:
    """The code exercises a learner has tried, in the course's order: tries, passed or not, the latest try."""
    from exercises.content import exercises

    found: dict[str, list] = {}
    for attempt in (
        CodeAttempt.objects.filter(owner=learner)
        .order_by("created_at")
        .only("exercise", "status", "created_at")
    ):
        found.setdefault(attempt.exercise, []).append(attempt)
    return [
        ExerciseStanding(
            exercise, len(tries), any(a.status == CodeAttempt.Status.PASSED for a in tries), tries[-1]
        )
        for exercise in exercises().values()  # in the course's order
        if (tries := found.get(exercise.slug))
    ]


# --- Quiz item analysis ---------------------------------------------------------------------------------


@dataclass
class ItemStats:
    question: Question
    s: int  # first attempts counted
    facility: float | None  # percent: the mean mark as a share of the question's maximum
    sd: float | None  # percent of the maximum
    discrimination_index: float | None  # percent: correlation of the mark with the rest of the quiz
    discriminative_efficiency: float | None  # percent: the covariance as a share of the largest possible
    matches: list[tuple[str, str]] = field(default_factory=list)  # a matching question's pairs (HTML)


@dataclass
class QuizStats:
    quiz: Quiz
    attempts: int
    mean: float | None  # percent
    cic: float | None  # coefficient of internal consistency (Cronbach's alpha), percent
    items: list[ItemStats]


def first_attempts(klass: Class, quiz: Quiz) -> list[Attempt]:
    """Each member's first attempt at the quiz, with its responses: what Moodle's report reads by default."""
    first: dict[int, Attempt] = {}
    for attempt in (
        Attempt.objects.filter(quiz=quiz, user__in=members(klass))
        .order_by("created_at", "id")
        .prefetch_related("responses")
    ):
        first.setdefault(attempt.user_id, attempt)
    return list(first.values())


def _variance(values: list[float], mean: float) -> float:
    return sum((v - mean) ** 2 for v in values) / (len(values) - 1)


def item_analysis(klass: Class, quiz: Quiz) -> QuizStats:
    """Moodle's quiz statistics on the class's first attempts (question/classes/statistics/questions/
    calculator.php and mod/quiz/report/statistics/classes/calculator.php), with marks in points:

    - facility F = mean mark / maximum mark;
    - discrimination index = cov(x, X − x) / √(var x · var(X − x)), X the attempt's total;
    - discriminative efficiency = cov(x, X − x) / cov_max, where cov_max pairs the sorted marks with the
      sorted rest-of-quiz totals (the covariance the question would have if it ranked everyone exactly);
    - coefficient of internal consistency = k/(k−1) · (1 − Σ var xᵢ / var X) over the k questions.

    Variances and covariances divide by s − 1, as Moodle's do. Essays (self-rated) and descriptions carry no
    mark and are left out; a question not answered counts 0, as in Moodle."""
    questions = [q for q in quiz.questions.prefetch_related("answers") if q.graded]
    attempts = first_attempts(klass, quiz)
    marks: list[list[float]] = []
    for attempt in attempts:
        fractions = {r.question_id: r.fraction or 0.0 for r in attempt.responses.all()}
        marks.append([fractions.get(q.pk, 0.0) * q.points for q in questions])
    s = len(marks)
    totals = [sum(row) for row in marks]
    items = []
    for j, question in enumerate(questions):
        x = [row[j] for row in marks]
        rest = [t - xi for t, xi in zip(totals, x, strict=True)]
        stats = ItemStats(question, s, None, None, None, None)
        if question.kind == Kind.MATCHING:
            stats.matches = [(a.text_html, a.match_text) for a in question.answers.all() if a.text_md]
        if s and question.points:
            stats.facility = 100 * (sum(x) / s) / question.points
        if s > 1:
            mx, mr = sum(x) / s, sum(rest) / s
            var_x, var_rest = _variance(x, mx), _variance(rest, mr)
            cov = sum((a - mx) * (b - mr) for a, b in zip(x, rest, strict=True)) / (s - 1)
            cov_max = sum((a - mx) * (b - mr) for a, b in zip(sorted(x), sorted(rest), strict=True)) / (s - 1)
            if question.points:
                stats.sd = 100 * math.sqrt(var_x) / question.points
            if var_x * var_rest:
                stats.discrimination_index = 100 * cov / math.sqrt(var_x * var_rest)
            if cov_max:
                stats.discriminative_efficiency = 100 * cov / cov_max
        items.append(stats)
    cic = None
    maximum = sum(q.points for q in questions)
    mean = 100 * sum(totals) / s / maximum if s and maximum else None
    if s > 1 and len(questions) > 1:
        var_total = _variance(totals, sum(totals) / s)
        if var_total:
            item_variances = sum(_variance([row[j] for row in marks], sum(row[j] for row in marks) / s)
                                 for j in range(len(questions)))  # fmt: skip
            k = len(questions)
            cic = 100 * k / (k - 1) * (1 - item_variances / var_total)
    return QuizStats(quiz, s, mean, cic, items)


def class_quizzes(klass: Class) -> QuerySet[Quiz]:
    """The quizzes assigned to the class or tried by a member, in the course's order."""
    assigned = klass.assignments.filter(quiz__isnull=False).values("quiz_id")
    return (
        Quiz.objects.filter(Q(attempts__user__in=members(klass)) | Q(pk__in=assigned))
        .distinct()
        .order_by("lesson__order", "slug")
    )


def class_experiments(klass: Class) -> QuerySet[Experiment]:
    """The guided experiments assigned to the class or tried by a member."""
    return (
        Experiment.objects.filter(
            Q(submissions__owner__in=members(klass))
            | Q(pk__in=klass.assignments.filter(experiment__isnull=False).values("experiment_id"))
        )
        .distinct()
        .order_by("lesson__order", "order", "id")
    )


# --- Assignments ----------------------------------------------------------------------------------------


def assignment_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """What a teacher may assign, grouped for a <select>: "kind:id" and a title."""
    from lessons.models import Lesson

    return [
        (
            str(Assignment.Kind.LESSON.label),
            [(f"lesson:{x.pk}", x.title) for x in Lesson.objects.order_by("course", "order")],
        ),
        (str(Assignment.Kind.QUIZ.label), [(f"quiz:{x.pk}", x.title) for x in Quiz.objects.order_by("slug")]),
        (
            str(Assignment.Kind.EXPERIMENT.label),
            [(f"experiment:{x.pk}", x.title) for x in Experiment.objects.order_by("lesson__order", "order")],
        ),
    ]


def is_done(assignment: Assignment, user) -> bool:
    """A lesson marked complete, a quiz attempted, an experiment passed."""
    if assignment.lesson_id:
        return LessonProgress.objects.filter(user=user, lesson_id=assignment.lesson_id).exists()
    if assignment.quiz_id:
        return Attempt.objects.filter(user=user, quiz_id=assignment.quiz_id).exists()
    return Submission.objects.filter(owner=user, experiment_id=assignment.experiment_id, passed=True).exists()


def due_for(user) -> list[tuple[Assignment, bool]]:
    """A learner's work set by their classes, soonest first, each with whether it is done."""
    if not user.is_authenticated:
        return []
    rows = list(
        Assignment.objects.filter(klass__learners=user).select_related(
            "klass", "lesson", "quiz", "experiment"
        )
    )
    extended = dict(
        Extension.objects.filter(learner=user, assignment__in=rows).values_list("assignment_id", "due_at")
    )
    for row in rows:  # the learner's own date where their teacher gave them more time
        row.extended = row.pk in extended
        row.due_at = extended.get(row.pk, row.due_at)
    rows.sort(key=lambda a: (a.due_at, a.pk))
    return [(a, is_done(a, user)) for a in rows]


def learner_assignments(klass: Class, learner) -> list[tuple[Assignment, Any, bool]]:
    """The class's work with this learner's due date (None: the class's) and whether it is done."""
    extended = dict(
        Extension.objects.filter(learner=learner, assignment__klass=klass).values_list(
            "assignment_id", "due_at"
        )
    )
    return [
        (a, extended.get(a.pk), is_done(a, learner))
        for a in klass.assignments.select_related("lesson", "quiz", "experiment").defer(
            *text_fields("lesson__")
        )
    ]


# --- Notes ----------------------------------------------------------------------------------------------

NOTES_SHOWN = 3
NOTES_DAYS = 7


def notes_for(user, lab: str) -> list[Note]:
    """The latest notes a learner's teachers sent about this lab, to their class or to them alone, from the
    classes they are still in."""
    from datetime import timedelta

    from django.utils import timezone

    if not user.is_authenticated:
        return []
    since = timezone.now() - timedelta(days=NOTES_DAYS)
    return list(
        Note.objects.filter(klass__learners=user, lab=lab, created_at__gte=since)
        .filter(Q(learner__isnull=True) | Q(learner=user))
        .select_related("klass")[:NOTES_SHOWN]
    )


# --- Reading the class: guided experiments and concepts ---------------------------------------------------


@dataclass
class ExperimentStats:
    experiment: Experiment
    members: int
    tried: int  # learners who submitted at least once
    passed: int  # learners with a passed submission
    wrong: list[tuple[str, int]]  # the common wrong answers (formatted) and how many gave each
    unanswerable: int  # failed submissions whose runs did not show the value (no answer could be right)
    predictions: list[dict[str, Any]]  # per prediction: what, how many, how many it came true for

    @property
    def pass_rate(self) -> float | None:
        return 100 * self.passed / self.tried if self.tried else None


def _number(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    return f"{value:.3g}"


def experiment_stats(klass: Class, experiment: Experiment, common: int = 5) -> ExperimentStats:
    """A guided experiment read across the class: how many passed of those who tried, the wrong answers given
    most often (each submission counts), and each learner's latest prediction against what their runs showed
    (for a divergence experiment: how many predicted a divergence, and for how many it happened)."""
    from collections import Counter

    rows = list(
        Submission.objects.filter(experiment=experiment, owner__in=members(klass))
        .select_related("prediction")
        .order_by("created_at", "id")
    )
    latest = {s.owner_id: s for s in rows}  # each learner's latest submission
    wrong = Counter(_number(s.answer) for s in rows if not s.passed and s.answer is not None)
    choices = experiment.choice_list
    predicted: dict[str, dict[str, Any]] = {}
    for submission in latest.values():
        value = submission.prediction.value
        if experiment.prediction_kind == Experiment.Prediction.CHOICE and isinstance(value, int):
            label = choices[value] if 0 <= value < len(choices) else str(value)
        else:
            label = _number(value)
        row = predicted.setdefault(label, {"prediction": label, "learners": 0, "happened": 0, "not": 0})
        row["learners"] += 1
        happened = (submission.values or {}).get("prediction_happened")
        if happened is True:
            row["happened"] += 1
        elif happened is False:
            row["not"] += 1
    return ExperimentStats(
        experiment=experiment,
        members=members(klass).count(),
        tried=len(latest),
        passed=len({s.owner_id for s in rows if s.passed}),
        wrong=wrong.most_common(common),
        unanswerable=sum(1 for s in rows if not s.passed and s.answer is None and experiment.answers_number),
        predictions=sorted(predicted.values(), key=lambda r: -r["learners"]),
    )


@dataclass
class ConceptShare:
    concept: Any
    mastered: int
    started: int
    members: int

    @property
    def percent(self) -> float | None:
        return 100 * self.mastered / self.members if self.members else None


def concept_shares(klass: Class) -> list[ConceptShare]:
    """Per concept, how many of the class have mastered it, as the concept map judges mastery for each learner
    (lessons.mastery: all the evidence tied to the concept right or passed), most mastered first."""
    from lessons.mastery import mastery
    from lessons.models import Concept

    people = list(members(klass))
    counts: dict[str, list[int]] = {}
    for learner in people:
        for slug, state in mastery(learner).items():
            row = counts.setdefault(slug, [0, 0])
            row[0] += state["state"] == "mastered"
            row[1] += state["state"] == "started"
    concepts = {c.slug: c for c in Concept.objects.all()}
    shares = [
        ConceptShare(concepts[slug], mastered, started, len(people))
        for slug, (mastered, started) in counts.items()
        if slug in concepts and mastered + started
    ]
    return sorted(shares, key=lambda s: (-s.mastered, -s.started, s.concept.term))

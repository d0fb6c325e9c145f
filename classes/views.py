"""Pages: a learner's classes (join, leave), a teacher's classes and everything a teacher reads in one.

Every teacher view finds the class among the teacher's own (`Class.objects.taught_by`) and every object
behind it among the class's members' (`selectors.member_or_404` and the `owner`/`user` filters): a class,
learner, attempt, submission or run that is not theirs to see is a 404, never a 403 that says it exists."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.errors import UserError
from core.throttles import throttle_writes
from exercises.content import exercises
from experiments.models import Experiment, Submission
from lessons.models import LessonProgress
from lessons.selectors import text_fields
from quizzes import selectors as quiz_selectors
from quizzes.models import Answer, Attempt, Kind, Quiz
from trainer.catalog import LABS
from trainer.models import Job
from trainer.serializers import lab_description

from . import gradebook, selectors
from .models import NOTE_LENGTH, Class, is_teacher
from .services import (
    assignment_create,
    attempts_reset,
    class_by_code,
    class_create,
    class_join,
    class_leave,
    extension_grant,
    note_post,
)


def _taught(request: HttpRequest, pk: int) -> Class:
    return get_object_or_404(Class.objects.taught_by(request.user), pk=pk)


def _index(request: HttpRequest, *, status: int = 200, **errors: str) -> HttpResponse:
    teacher = is_teacher(request.user)
    context = {
        "joined": request.user.classes_joined.select_related("teacher").order_by("name"),
        "teacher": teacher,
        "taught": Class.objects.taught_by(request.user).prefetch_related("learners") if teacher else [],
        **errors,
    }
    return render(request, "classes/index.html", context, status=status)


@login_required
@throttle_writes
@require_http_methods(["GET", "POST"])
def index(request: HttpRequest) -> HttpResponse:
    """The learner's classes (join with a code, leave), and a teacher's own (create one)."""
    if request.method == "POST":
        try:
            created = class_create(teacher=request.user, name=request.POST.get("name", ""))
        except UserError as error:
            return _index(request, status=error.status_code, create_error=error.message)
        messages.success(request, _("Class created. Share its join link or code with your learners."))
        return redirect(created)
    return _index(request)


@login_required
@require_GET
def find(request: HttpRequest) -> HttpResponse:
    """The join-by-code form: the code leads to the class's join page, which says what joining means."""
    try:
        found = class_by_code(request.GET.get("code", ""))
    except UserError as error:
        return _index(request, status=error.status_code, join_error=error.message)
    return redirect("class_join", code=found.code)


@login_required
@throttle_writes
@require_http_methods(["GET", "POST"])
def join(request: HttpRequest, code: str) -> HttpResponse:
    try:
        found = class_by_code(code)
    except UserError:
        raise Http404 from None
    member = found.learners.filter(pk=request.user.pk).exists()
    if request.method == "POST":
        try:
            class_join(learner=request.user, klass=found)
        except UserError as error:
            return render(request, "classes/join.html", {"class": found, "error": error.message}, status=400)
        messages.success(request, _("You joined %(name)s.") % {"name": found.name})
        return redirect("classes")
    return render(request, "classes/join.html", {"class": found, "member": member})


@login_required
@require_POST
def leave(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_object_or_404(request.user.classes_joined, pk=pk)
    class_leave(learner=request.user, klass=found)
    messages.success(
        request, _("You left %(name)s. Its teacher no longer sees your work.") % {"name": found.name}
    )
    return redirect("classes")


@login_required
@require_GET
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A teacher's class: its join link, the roster with each learner's progress, the quizzes tried, the work
    set."""
    return _detail(request, _taught(request, pk))


@login_required
@throttle_writes
@require_POST
def assign(request: HttpRequest, pk: int) -> HttpResponse:
    found = _taught(request, pk)
    try:
        assignment_create(klass=found, target=request.POST.get("target", ""), due=request.POST.get("due", ""))
    except UserError as error:
        return _detail(request, found, status=error.status_code, assign_error=error.message)
    messages.success(request, _("Assigned. Your learners see it on their progress page."))
    return redirect(found)


def _detail(request: HttpRequest, found: Class, *, status: int = 200, **errors: str) -> HttpResponse:
    quizzes = list(selectors.class_quizzes(found))
    rows = selectors.progress(found)
    for row in rows:
        row.cells = [row.quizzes.get(q.pk) for q in quizzes]
    return render(
        request,
        "classes/class.html",
        {
            "class": found,
            "join_url": request.build_absolute_uri(found.join_url()),
            "rows": rows,
            "quizzes": quizzes,
            "experiments": list(selectors.class_experiments(found)),
            "exercise_count": len(exercises()),
            "assignments": [
                (a, sum(selectors.is_done(a, row.learner) for row in rows))
                for a in found.assignments.select_related("lesson", "quiz", "experiment").defer(
                    *text_fields("lesson__")
                )
            ],
            "choices": selectors.assignment_choices(),
            "labs": list(LABS.values()),
            **errors,
        },
        status=status,
    )


@login_required
@require_GET
def learner(request: HttpRequest, pk: int, learner_id: int) -> HttpResponse:
    found = _taught(request, pk)
    return _learner(request, found, selectors.member_or_404(found, learner_id))


def _learner(request: HttpRequest, found: Class, member, *, status: int = 200, **errors: str) -> HttpResponse:
    attempts = Attempt.objects.filter(user=member).select_related("quiz")
    limited = {a.quiz for a in attempts if a.quiz.max_attempts}
    return render(
        request,
        "classes/learner.html",
        {
            "class": found,
            "member": member,
            "attempts": attempts,
            "limited": sorted(limited, key=lambda q: q.title),
            "assignments": selectors.learner_assignments(found, member),
            "submissions": Submission.objects.filter(owner=member).select_related("experiment"),
            "jobs": Job.objects.filter(owner=member).order_by("-created_at")[:50],
            "lessons_done": LessonProgress.objects.filter(user=member)
            .select_related("lesson")
            .defer(*text_fields("lesson__")),
            "code_exercises": selectors.learner_exercises(member),
            **errors,
        },
        status=status,
    )


@login_required
@throttle_writes
@require_POST
def extend(request: HttpRequest, pk: int, learner_id: int) -> HttpResponse:
    """More time for one learner on one of the class's assignments."""
    found = _taught(request, pk)
    member = selectors.member_or_404(found, learner_id)
    assignment_id = request.POST.get("assignment", "")
    assignment = found.assignments.filter(pk=assignment_id).first() if assignment_id.isdigit() else None
    if assignment is None:
        raise Http404
    try:
        extension_grant(assignment=assignment, learner=member, due=request.POST.get("due", ""))
    except UserError as error:
        return _learner(request, found, member, status=error.status_code, extend_error=error.message)
    messages.success(
        request,
        _("%(name)s now has until the date you gave; the class keeps its own date.")
        % {"name": member.get_username()},
    )
    return redirect("class_learner", pk=found.pk, learner_id=member.pk)


@login_required
@throttle_writes
@require_http_methods(["GET", "POST"])
def reset(request: HttpRequest, pk: int, learner_id: int, slug: str) -> HttpResponse:
    """A learner's attempts at a limited quiz given back, after a page that says what happens and what is
    kept (GET), by the teacher's confirmation (POST)."""
    found = _taught(request, pk)
    member = selectors.member_or_404(found, learner_id)
    quiz = get_object_or_404(Quiz, slug=slug)
    counted = Attempt.objects.filter(user=member, quiz=quiz, reset_at__isnull=True)
    if request.method == "POST":
        count = attempts_reset(klass=found, learner=member, quiz=quiz)
        messages.success(
            request,
            ngettext(
                "%(n)d attempt no longer counts towards the limit; it is kept, with its answers and score.",
                "%(n)d attempts no longer count towards the limit; they are kept, with their answers and scores.",
                count,
            )
            % {"n": count},
        )
        return redirect("class_learner", pk=found.pk, learner_id=member.pk)
    return render(
        request,
        "classes/reset.html",
        {"class": found, "member": member, "quiz": quiz, "counted": counted.count()},
    )


@login_required
@require_GET
def attempt(request: HttpRequest, pk: int, attempt_id: int) -> HttpResponse:
    found = _taught(request, pk)
    shown = get_object_or_404(
        Attempt.objects.select_related("quiz", "user"), pk=attempt_id, user__in=selectors.members(found)
    )
    answers = {a.pk: a for a in Answer.objects.filter(question__quiz=shown.quiz)}
    rows = []
    for response in shown.responses.select_related("question").order_by("question__order", "question__id"):
        given = response.key
        if response.question.kind in (Kind.SINGLE, Kind.MULTIPLE, Kind.TRUEFALSE) and response.key:
            given = [
                answers[int(i)].text_html
                for i in response.key.split(",")
                if i.isdigit() and int(i) in answers
            ]
        if response.question.kind == Kind.CLOZE and response.key:
            given = quiz_selectors.cloze_response_shown(response.question, response.key, answers)
        pairs = []
        if response.question.kind == Kind.MATCHING and isinstance(response.given, dict):
            # Each item with the match the learner chose, readable (not the stored key "12=x;13=y").
            pairs = [
                (answers[int(pk)].text_html, chosen)
                for pk, chosen in response.given.items()
                if str(pk).isdigit() and int(pk) in answers
            ]
        rows.append({"response": response, "given": given, "choice": isinstance(given, list), "pairs": pairs})
    return render(request, "classes/attempt.html", {"class": found, "attempt": shown, "rows": rows})


@login_required
@require_GET
def submission(request: HttpRequest, pk: int, submission_id: int) -> HttpResponse:
    found = _taught(request, pk)
    shown = get_object_or_404(
        Submission.objects.select_related("experiment", "owner", "prediction"),
        pk=submission_id,
        owner__in=selectors.members(found),
    )
    return render(request, "classes/submission.html", {"class": found, "submission": shown})


@login_required
@require_GET
def run(request: HttpRequest, pk: int, job_id: int) -> HttpResponse:
    found = _taught(request, pk)
    shown = get_object_or_404(
        Job.objects.select_related("owner"), pk=job_id, owner__in=selectors.members(found)
    )
    # The lab's own widget, following this run read-only: the learner's charts, status and metrics, as they
    # see them (the API lets a class's teacher read, never cancel, a member's run: JobQuerySet.readable_by).
    return render(
        request,
        "classes/run.html",
        {"class": found, "job": shown, "lab": LABS.get(shown.lab), "readonly_job": shown.pk},
    )


@login_required
@require_GET
def quiz(request: HttpRequest, pk: int, slug: str) -> HttpResponse:
    """The class's item analysis of one quiz, as Moodle's statistics report reads it."""
    found = _taught(request, pk)
    shown = get_object_or_404(Quiz, slug=slug)
    return render(
        request, "classes/quiz.html", {"class": found, "stats": selectors.item_analysis(found, shown)}
    )


@login_required
@require_GET
def gradebook_csv(request: HttpRequest, pk: int) -> HttpResponse:
    found = _taught(request, pk)
    kind = request.GET.get("format", "canvas")
    if kind not in ("canvas", "moodle"):
        return render(
            request, "400.html", {"message": _("Choose the Canvas or the Moodle format.")}, status=400
        )
    text = gradebook.canvas_csv(found) if kind == "canvas" else gradebook.moodle_csv(found)
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="class-{found.pk}-{kind}.csv"'
    return response


def _wall_target(found: Class, lab: str, request: HttpRequest) -> Experiment | None:
    if lab not in LABS:
        raise Http404
    slug = request.GET.get("experiment") or request.POST.get("experiment") or ""
    return get_object_or_404(Experiment, slug=slug, lab=lab) if slug else None


@login_required
@require_GET
def wall(request: HttpRequest, pk: int, lab: str) -> HttpResponse:
    """The live lab wall: every member's current or latest run of the lab (classes/wall.py streams it)."""
    found = _taught(request, pk)
    experiment = _wall_target(found, lab, request)
    return _wall(request, found, lab, experiment)


def _wall(request: HttpRequest, found: Class, lab: str, experiment, *, status: int = 200, **errors: str):
    events = f"/api/classes/{found.pk}/wall/{lab}/events"
    if experiment:
        events += f"?experiment={experiment.slug}"
    return render(
        request,
        "classes/wall.html",
        {
            "class": found,
            "lab": LABS[lab],
            "experiment": experiment,
            "events_url": events,
            "description": lab_description(LABS[lab]),
            "members": selectors.members(found),
            "note_length": NOTE_LENGTH,
            "notes": found.notes.filter(lab=lab).select_related("learner")[:10],
            **errors,
        },
        status=status,
    )


@login_required
@throttle_writes
@require_POST
def note(request: HttpRequest, pk: int, lab: str) -> HttpResponse:
    """A short note from the wall to the class or one learner, shown on their page of the lab."""
    found = _taught(request, pk)
    experiment = _wall_target(found, lab, request)
    try:
        note_post(
            klass=found,
            lab=lab,
            text=request.POST.get("text", ""),
            learner_id=request.POST.get("learner") or None,
        )
    except UserError as error:
        return _wall(request, found, lab, experiment, status=error.status_code, note_error=error.message)
    messages.success(request, _("Note sent. It shows on the lab's page of the learners it is for."))
    target = redirect("class_wall", pk=found.pk, lab=lab)
    if experiment:
        target["Location"] += f"?experiment={experiment.slug}"
    return target


@require_GET
def notes(request: HttpRequest, lab: str) -> JsonResponse:
    """A learner's notes from their teachers about a lab, for its page (static/classes/notes.js): the page is
    the same for every reader, the notes come in this small call."""
    shown = selectors.notes_for(request.user, lab)
    return JsonResponse(
        {
            "notes": [
                {
                    "text": n.text,
                    "class": n.klass.name,
                    "to_you": n.learner_id is not None,
                    "created_at": n.created_at.isoformat(),
                }
                for n in shown
            ]
        },
        headers={"Cache-Control": "private, no-store"},
    )


@login_required
@require_GET
def experiment(request: HttpRequest, pk: int, slug: str) -> HttpResponse:
    """A guided experiment read across the class: pass rate, common wrong answers, predictions and outcomes."""
    found = _taught(request, pk)
    shown = get_object_or_404(Experiment, slug=slug)
    return render(
        request,
        "classes/experiment.html",
        {"class": found, "stats": selectors.experiment_stats(found, shown)},
    )


@login_required
@require_GET
def concepts(request: HttpRequest, pk: int) -> HttpResponse:
    """Per concept, the share of the class that has mastered it (as each learner's concept map shows it)."""
    found = _taught(request, pk)
    return render(
        request, "classes/concepts.html", {"class": found, "shares": selectors.concept_shares(found)}
    )

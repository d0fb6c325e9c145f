"""Writes: a teacher creates a class and sets it work; a learner joins one with its code, or leaves it."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from core.errors import NotAllowed, UserError
from experiments.models import Experiment
from lessons.models import Lesson
from quizzes.models import Attempt, Quiz

from .models import CODE_LENGTH, NOTE_LENGTH, Assignment, Class, Extension, Membership, Note, is_teacher

NAME_LENGTH = 100
TARGETS = {"lesson": Lesson, "quiz": Quiz, "experiment": Experiment}


@transaction.atomic
def class_create(*, teacher, name: str) -> Class:
    if not is_teacher(teacher):
        raise NotAllowed(_("Only teachers can create a class. An administrator can make you one."))
    name = " ".join(name.split())
    if not name:
        raise UserError(_("Give the class a name."), field="name")
    if len(name) > NAME_LENGTH:
        raise UserError(_("A class name has at most %(limit)d characters."), field="name",
                        params={"limit": NAME_LENGTH})  # fmt: skip
    for _try in range(5):  # a clash of random codes is rare; a fresh one fixes it
        try:
            with transaction.atomic():
                return Class.objects.create(teacher=teacher, name=name)
        except IntegrityError:
            continue
    raise UserError(_("Could not make a join code. Please try again."))


def class_by_code(code: str) -> Class:
    """The class a join code names; codes are read off a board, so case and spaces do not matter."""
    cleaned = "".join(code.split()).upper()
    found = (
        Class.objects.filter(code=cleaned).select_related("teacher").first()
        if len(cleaned) == CODE_LENGTH
        else None
    )
    if found is None:
        raise UserError(
            _("No class has this code. Check it with your teacher."), field="code", code="no_such_class"
        )
    return found


@transaction.atomic
def class_join(*, learner, klass: Class) -> Membership:
    if klass.teacher_id == learner.pk:
        raise UserError(_("You teach this class; learners join it."), code="own_class")
    membership, _created = Membership.objects.get_or_create(klass=klass, learner=learner)
    return membership


@transaction.atomic
def class_leave(*, learner, klass: Class) -> bool:
    deleted, _rows = Membership.objects.filter(klass=klass, learner=learner).delete()
    return bool(deleted)


@transaction.atomic
def assignment_create(*, klass: Class, target: str, due: str) -> Assignment:
    """`target` is "lesson:<id>", "quiz:<id>" or "experiment:<id>"; `due` a date and time in the teacher's
    time zone (an <input type="datetime-local">)."""
    kind, _sep, pk = target.partition(":")
    model = TARGETS.get(kind)
    found = model.objects.filter(pk=pk).first() if model and pk.isdigit() else None
    if found is None:
        raise UserError(_("Choose a lesson, quiz or guided experiment to assign."), field="target")
    return Assignment.objects.create(klass=klass, due_at=_due(due), **{kind: found})


def _due(due: str):
    """A date and time from an <input type="datetime-local">, in the teacher's time zone."""
    try:
        when = parse_datetime(due.strip()) if due.strip() else None
    except ValueError:  # well formed but no such date (the 31st of February)
        when = None
    if when is None:
        raise UserError(_("Give the date and time it is due."), field="due")
    return timezone.make_aware(when) if timezone.is_naive(when) else when


@transaction.atomic
def extension_grant(*, assignment: Assignment, learner, due: str) -> Extension:
    """One learner's own due date for an assignment; granting again moves it (an earlier date too: the
    teacher may correct a slip). The class's date stays for everyone else."""
    if not assignment.klass.learners.filter(pk=learner.pk).exists():
        raise UserError(_("Choose one of the class's learners."), field="learner")
    extension, _created = Extension.objects.update_or_create(
        assignment=assignment, learner=learner, defaults={"due_at": _due(due)}
    )
    return extension


@transaction.atomic
def attempts_reset(*, klass: Class, learner, quiz: Quiz) -> int:
    """Gives a learner their attempts at a quiz back: the attempts they made are kept, answers and scores
    included (the teacher still reads them, the item analysis still counts the first, the gradebook still has
    the best), and no longer count towards the quiz's limit. Returns how many attempts were set aside."""
    if not klass.learners.filter(pk=learner.pk).exists():
        raise UserError(_("Choose one of the class's learners."), field="learner")
    return Attempt.objects.filter(user=learner, quiz=quiz, reset_at__isnull=True).update(
        reset_at=timezone.now()
    )


@transaction.atomic
def note_post(*, klass: Class, lab: str, text: str, learner_id: str | int | None = None) -> Note:
    """A note from the wall to the whole class (no learner) or to one of its members; kept as the teacher wrote
    it (plain text: every page shows it escaped)."""
    text = text.strip()
    if not text:
        raise UserError(_("Write the note first."), field="text")
    if len(text) > NOTE_LENGTH:
        raise UserError(
            _("A note has at most %(limit)d characters."), field="text", params={"limit": NOTE_LENGTH}
        )
    learner = None
    if learner_id not in (None, ""):
        learner = klass.learners.filter(pk=learner_id).first() if str(learner_id).isdigit() else None
        if learner is None:
            raise UserError(_("Choose the whole class or one of its learners."), field="learner")
    return Note.objects.create(klass=klass, learner=learner, lab=lab, text=text)

"""Writes: a teacher creates a class; a learner joins one with its code, or leaves it."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from core.errors import NotAllowed, UserError

from .models import CODE_LENGTH, Class, Membership, is_teacher

NAME_LENGTH = 100


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

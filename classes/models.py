"""A class: a teacher, the learners who joined it with its code, and what the teacher may therefore read.

A teacher is staff, or anyone an admin gives the permission `classes.teach` (directly or through a group, e.g.
a "Teachers" group in the admin). A learner joins with the class's code and may leave at any time; leaving
ends the teacher's view of their work at once (every teacher view goes through `Class.members`).
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

# Letters and digits that cannot be mistaken for each other when read off a projector (no 0/O, 1/I/L).
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _i in range(CODE_LENGTH))


def is_teacher(user) -> bool:
    return bool(
        user.is_authenticated and user.is_active and (user.is_staff or user.has_perm("classes.teach"))
    )


class ClassQuerySet(models.QuerySet):
    def taught_by(self, user) -> ClassQuerySet:
        """The classes this teacher sees: their own and those of the LMS courses they teach (lti/: a course
        has one class and every instructor the LMS names), never another teacher's (staff included)."""
        if not is_teacher(user):
            return self.none()
        return self.filter(models.Q(teacher=user) | models.Q(lti_course__teachers=user)).distinct()


class Class(models.Model):
    name = models.CharField(_("name"), max_length=100)
    teacher = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="classes_taught",
        verbose_name=_("teacher"),
    )
    code = models.CharField(_("join code"), max_length=CODE_LENGTH, unique=True, default=new_code)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    learners = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="Membership",
        related_name="classes_joined",
        verbose_name=_("learners"),
    )

    objects = ClassQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("class")
        verbose_name_plural = _("classes")
        permissions = [("teach", _("Can teach classes"))]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("class", args=[self.pk])

    def join_url(self) -> str:
        return reverse("class_join", args=[self.code])


class Membership(models.Model):
    klass = models.ForeignKey(Class, on_delete=models.CASCADE, related_name="memberships")
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    joined_at = models.DateTimeField(_("joined"), auto_now_add=True)

    class Meta:
        ordering = ["learner__username"]
        constraints = [models.UniqueConstraint(fields=["klass", "learner"], name="one_membership_per_class")]

    def __str__(self) -> str:
        return f"{self.learner} in {self.klass}"


class Assignment(models.Model):
    """Work a teacher set a class: one lesson, quiz or guided experiment, due at a time."""

    class Kind(models.TextChoices):
        LESSON = "lesson", _("Lesson")
        QUIZ = "quiz", _("Quiz")
        EXPERIMENT = "experiment", _("Guided experiment")

    klass = models.ForeignKey(Class, on_delete=models.CASCADE, related_name="assignments")
    lesson = models.ForeignKey(
        "lessons.Lesson", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    quiz = models.ForeignKey(
        "quizzes.Quiz", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    experiment = models.ForeignKey(
        "experiments.Experiment", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    due_at = models.DateTimeField(_("due"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(lesson__isnull=False, quiz__isnull=True, experiment__isnull=True)
                    | models.Q(lesson__isnull=True, quiz__isnull=False, experiment__isnull=True)
                    | models.Q(lesson__isnull=True, quiz__isnull=True, experiment__isnull=False)
                ),
                name="assignment_has_one_target",
            )
        ]

    def __str__(self) -> str:
        return f"{self.target} for {self.klass} by {self.due_at:%Y-%m-%d}"

    @property
    def kind(self) -> str:
        return (
            self.Kind.LESSON if self.lesson_id else self.Kind.QUIZ if self.quiz_id else self.Kind.EXPERIMENT
        )

    @property
    def kind_label(self) -> str:
        return str(self.Kind(self.kind).label)

    @property
    def target(self):
        return self.lesson or self.quiz or self.experiment


NOTE_LENGTH = 280


class Note(models.Model):
    """A short note a teacher pushes from the lab wall to the whole class or one learner; shown on the lab's
    page to the learners it is for (classes/static notes.js), as plain text."""

    klass = models.ForeignKey(Class, on_delete=models.CASCADE, related_name="notes")
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="class_notes",
        help_text=_("Empty: the whole class."),
    )
    lab = models.CharField(_("lab"), max_length=50, db_index=True)
    text = models.CharField(_("text"), max_length=NOTE_LENGTH)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("note")
        verbose_name_plural = _("notes")

    def __str__(self) -> str:
        return self.text[:40]


class Extension(models.Model):
    """A later due date for one learner on one assignment (what their dashboard then shows)."""

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="extensions")
    learner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    due_at = models.DateTimeField(_("due"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["assignment", "learner"], name="one_extension_per_learner")
        ]
        verbose_name = _("extension")
        verbose_name_plural = _("extensions")

    def __str__(self) -> str:
        return f"{self.assignment} for {self.learner} until {self.due_at:%Y-%m-%d}"

"""A learner's attempts at a code exercise, and the draft they are writing. The exercises themselves are
course files (exercises.content), like the code that checks them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Attempt(models.Model):
    """One press of Check: the source as submitted, and what the sandbox's checks said of it."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Checking")
        PASSED = "passed", _("Passed")
        FAILED = "failed", _("Not yet")
        ERROR = "error", _("Could not be checked")

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="exercise_attempts"
    )
    exercise = models.SlugField(db_index=True)
    source = models.TextField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED, db_index=True)
    failed = models.JSONField(
        default=list
    )  # property keys, in the checks' order; words come from the exercise
    error = models.TextField(blank=True)  # the learner's own exception, or why the sandbox stopped the code
    printed = models.TextField(blank=True)  # what their code printed (capped)
    sandbox_status = models.CharField(max_length=10, blank=True)
    wall_ms = models.FloatField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["owner", "exercise", "status"])]

    def __str__(self) -> str:
        return f"attempt of {self.owner} at {self.exercise}"

    @property
    def done(self) -> bool:
        return self.status in (self.Status.PASSED, self.Status.FAILED, self.Status.ERROR)


class Draft(models.Model):
    """What the learner last had in the editor for an exercise (one per learner and exercise)."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="exercise_drafts"
    )
    exercise = models.SlugField()
    source = models.TextField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["owner", "exercise"], name="one_draft_per_exercise")]

    def __str__(self) -> str:
        return f"draft of {self.owner} for {self.exercise}"

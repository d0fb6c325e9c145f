"""What the platform keeps of an LMS beyond django-lti's rows (registrations, deployments, LMS users and
contexts): the class an LMS course became, the activities teachers placed in it, and every score sent back.

A score is a row before it is a request: it is written in the transaction that finished the quiz or passed the
experiment, and stays `pending` until the LMS has taken it, however often the LMS is down (lti.tasks).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _
from lti_tool.models import LtiContext, LtiRegistration


class FrameOrigin(models.Model):
    """An address (scheme://host) from which a registered platform shows the tool in its frame. The issuer
    is not always it: Canvas's issuer is canvas.instructure.com while it frames from the school's domain.
    Dynamic registration records the address the LMS registered from; the admin adds others."""

    registration = models.ForeignKey(LtiRegistration, on_delete=models.CASCADE, related_name="frame_origins")
    origin = models.URLField(
        _("origin"), max_length=255, help_text=_("Scheme and host, e.g. https://school.instructure.com")
    )

    class Meta:
        verbose_name = _("address allowed to frame the tool")
        verbose_name_plural = _("addresses allowed to frame the tool")
        constraints = [
            models.UniqueConstraint(
                fields=["registration", "origin"], name="one_frame_origin_per_registration"
            )
        ]

    def __str__(self) -> str:
        return self.origin


# Why a read of a course's roster failed, stored as a code and its arguments (`Course.roster_error`) and put
# into words when read, in the reader's language: the beat's read fails in no one's language.
ROSTER_ERRORS = {
    "lti_no_roster": gettext_noop(
        "This LMS course does not offer its roster (Names and Role Provisioning Services)."
    ),
    "lti_roster_refused": gettext_noop("The LMS did not give the roster: %(error)s"),
    "lti_roster_empty": gettext_noop("The LMS gave an empty roster; nothing was changed."),
}


class Course(models.Model):
    """An LMS course as one of our classes: its instructors teach it, its learners are its members. Its roster
    is read from the LMS at a teacher's launch and by the beat (lti.tasks), at most every
    LTI_ROSTER_SYNC_EVERY_S; a failed read is kept here for the teachers' page."""

    context = models.OneToOneField(LtiContext, on_delete=models.CASCADE, related_name="course")
    klass = models.OneToOneField("classes.Class", on_delete=models.CASCADE, related_name="lti_course")
    # Every instructor the LMS named; the class's own `teacher` is the first who launched.
    teachers = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="lti_courses_taught", blank=True)
    roster_synced_at = models.DateTimeField(_("roster synchronised"), null=True, blank=True)
    roster_tried_at = models.DateTimeField(_("last try to read the roster"), null=True, blank=True)
    # {"code": a key of ROSTER_ERRORS, "params": {...}} when the last read failed; {} when it succeeded.
    roster_error = models.JSONField(_("roster error"), default=dict, blank=True)

    class Meta:
        verbose_name = _("LMS course")
        verbose_name_plural = _("LMS courses")

    def __str__(self) -> str:
        return str(self.klass)

    @property
    def registration(self) -> LtiRegistration:
        return self.context.deployment.registration

    @property
    def roster_error_message(self) -> str:
        """Why the last read of the roster failed, in the language active now ("" when it did not)."""
        template = ROSTER_ERRORS.get(self.roster_error.get("code", ""))
        if template is None:
            return self.roster_error.get("code", "")
        params = self.roster_error.get("params") or {}
        return gettext(template) % params if params else gettext(template)


class Placement(models.Model):
    """An activity a teacher placed in an LMS course by deep linking; graded ones have a line item."""

    class Kind(models.TextChoices):
        LESSON = "lesson", _("Lesson")
        QUIZ = "quiz", _("Quiz")
        LAB = "lab", _("Lab")
        EXPERIMENT = "experiment", _("Guided experiment")

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="placements")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    slug = models.CharField(_("activity"), max_length=200)  # a lesson's: "<course>/<lesson>"
    title = models.CharField(_("title"), max_length=300)
    # The LTI resourceId of its line item and the key of the custom parameter the LMS sends back at launch.
    resource_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    lineitem_url = models.URLField(_("line item"), max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("placed activity")
        verbose_name_plural = _("placed activities")

    def __str__(self) -> str:
        return f"{self.title} in {self.course}"

    @property
    def graded(self) -> bool:
        return self.kind in (self.Kind.QUIZ, self.Kind.EXPERIMENT)


class ScoreQuerySet(models.QuerySet):
    def waiting(self) -> ScoreQuerySet:
        return self.filter(status=Score.Status.PENDING)


class Score(models.Model):
    """One score for the LMS's gradebook, as sent (or still to send) to a placement's line item."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        SENT = "sent", _("Sent")

    placement = models.ForeignKey(Placement, on_delete=models.CASCADE, related_name="scores")
    learner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="lti_scores")
    user_id = models.CharField(_("LMS user"), max_length=255)  # the learner's `sub` at this LMS
    score_given = models.FloatField(_("score"))
    score_maximum = models.FloatField(_("out of"))
    activity_progress = models.CharField(max_length=20, default="Completed")
    grading_progress = models.CharField(max_length=20, default="FullyGraded")
    timestamp = models.DateTimeField()
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    tries = models.PositiveIntegerField(_("tries"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    objects = ScoreQuerySet.as_manager()

    class Meta:
        ordering = ["-timestamp", "-id"]
        verbose_name = _("score sent to the LMS")
        verbose_name_plural = _("scores sent to the LMS")
        indexes = [models.Index(fields=["status", "timestamp"])]

    def __str__(self) -> str:
        return f"{self.score_given}/{self.score_maximum} for {self.learner} on {self.placement}"

    def payload(self) -> dict:
        """The AGS Score, as the spec names its fields."""
        return {
            "userId": self.user_id,
            "scoreGiven": self.score_given,
            "scoreMaximum": self.score_maximum,
            "activityProgress": self.activity_progress,
            "gradingProgress": self.grading_progress,
            "timestamp": self.timestamp.isoformat(),
        }


def course_scores_url(course: Course) -> str:
    return reverse("lti_scores", args=[course.pk])

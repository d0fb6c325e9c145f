from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .messages import Message, render


class JobQuerySet(models.QuerySet):
    def active(self) -> JobQuerySet:
        return self.filter(status__in=Job.ACTIVE)

    def queue_position(self, job: Job) -> int | None:
        """1 for the next job to start on its queue; None once it is not queued."""
        if job.status != Job.Status.QUEUED:
            return None
        return (
            self.filter(status=Job.Status.QUEUED, queue=job.queue, created_at__lt=job.created_at).count() + 1
        )

    def visible_to(self, user) -> JobQuerySet:
        """A learner sees their own jobs; staff see everyone's."""
        if user.is_staff:
            return self
        if not user.is_authenticated:
            return self.none()
        return self.filter(owner=user)

    def readable_by(self, user) -> JobQuerySet:
        """What a user may watch (read, never cancel): what they see, and for a class's teacher the runs of its
        current members (the teacher opens a member's run as the learner sees it: classes.views.run)."""
        from classes.models import is_teacher

        if user.is_staff or not is_teacher(user):
            return self.visible_to(user)
        return self.filter(
            models.Q(owner=user) | models.Q(owner__memberships__klass__teacher=user)
        ).distinct()


class Job(models.Model):
    """One training run of a lab with a learner's hyperparameters.

    `attempt` counts the runs a job has started, and is the fencing token of the run that holds it: a job whose
    worker was lost is queued again and continues in a fresh attempt, with its own event stream; only the
    attempt named here may write to the row (trainer/runner.py).
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")
        DIVERGED = "diverged", _("Diverged")  # its loss became NaN or infinite; metrics say at which step
        STOPPED = "stopped", _("Stopped at the time limit")  # keeps its metrics, samples and weights

    ACTIVE = (Status.QUEUED, Status.RUNNING)
    FINAL = (Status.SUCCEEDED, Status.FAILED, Status.CANCELLED, Status.DIVERGED, Status.STOPPED)
    TRAINED = (Status.SUCCEEDED, Status.STOPPED)  # ended with a model worth keeping (download, generation)
    COMPLETED = (Status.SUCCEEDED, Status.DIVERGED)  # ran to an end that says something about the settings

    # Field names in the admin's language; in English they read as the API's field names, so the schema's
    # titles stay as they are.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="jobs", verbose_name=_("learner")
    )
    lab = models.CharField(_("lab"), max_length=50, db_index=True)
    params = models.JSONField(_("params"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED, db_index=True
    )
    queue = models.CharField(_("queue"), max_length=10, default="cpu")
    # What it trained on, e.g. "cpu", "cuda (NVIDIA H200)".
    device = models.CharField(_("device"), max_length=100, blank=True)
    attempt = models.PositiveIntegerField(_("attempt"), default=0)
    language = models.CharField(
        _("language"), max_length=10, default=settings.LANGUAGE_CODE
    )  # of its messages
    progress = models.FloatField(_("progress"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    metrics = models.JSONField(_("metrics"), default=dict, blank=True)
    # Every reported point, once the job has ended; the last frame (boundary, filters, predictions...).
    history = models.JSONField(_("history"), default=list, blank=True)
    visuals = models.JSONField(_("visuals"), default=dict, blank=True)
    # How the run ended, when not well: a code of trainer.messages and its arguments, put into words in the
    # reader's language when read (`error_message`). `error` holds the words of runs from before the codes.
    error = models.TextField(_("error"), blank=True)
    error_code = models.CharField(_("error code"), max_length=40, blank=True)
    error_params = models.JSONField(_("error params"), default=dict, blank=True)

    objects = JobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["owner", "status"])]
        verbose_name = _("training run")
        verbose_name_plural = _("training runs")

    def __str__(self) -> str:
        # The admin's heading for a run, in its language.
        return gettext("job %(id)s (%(lab)s, %(status)s)") % {
            "id": self.pk,
            "lab": self.lab,
            "status": self.get_status_display(),
        }

    @property
    def finished(self) -> bool:
        return self.status in self.FINAL

    @property
    def diverged_at(self) -> int | None:
        return self.metrics.get("diverged_at_step") if self.status == self.Status.DIVERGED else None

    @property
    def error_message(self) -> str:
        """Why the run ended badly, in the language active now ("" for a run that did not)."""
        return render(self.error_code, self.error_params) if self.error_code else self.error

    def set_error(self, message: Message | str) -> None:
        """Records why the run ended: a Message as its code and arguments; plain words as they are."""
        if isinstance(message, Message):
            self.error_code, self.error_params, self.error = message.code, message.params, ""
        else:
            self.error_code, self.error_params, self.error = "", {}, message

    @property
    def seconds(self) -> float | None:
        if self.started_at and self.finished_at:
            return round((self.finished_at - self.started_at).total_seconds(), 2)
        return None


class JobWeights(models.Model):
    """A trained model's state_dict (torch.save), kept in the database so any web server can offer it for
    download whichever machine trained it. Apart from Job so that listing jobs never loads megabytes."""

    job = models.OneToOneField(Job, on_delete=models.CASCADE, primary_key=True, related_name="weights")
    data = models.BinaryField()

    def __str__(self) -> str:
        return f"weights of job {self.job_id}"

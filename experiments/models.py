"""Guided experiments: a task in a lab, a prediction made before running it, and a check graded from the
learner's own finished runs."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from core.fields import TextJSONEncoder
from lessons.models import Lesson, RenderedMarkdown


class Experiment(RenderedMarkdown):
    """One experiment, as authored in courses/<course>/experiments/ (see courses/README.md).

    `runs` lists the runs the learner makes, each as {"settings": {name: value}} (the values it must have)
    and optionally {"limits": {name: {"min": x, "max": y}}} (a challenge's bounds). `grading` says how they are
    graded (experiments.grading); it never leaves the server before a submission.
    """

    markdown = {"instructions_md": "instructions_html", "explanation_md": "explanation_html"}

    class Prediction(models.TextChoices):
        CHOICE = "choice", _("Choice")
        NUMBER = "number", _("Number")

    slug = models.SlugField(unique=True)
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="experiments")
    lab = models.CharField(max_length=50, db_index=True)
    order = models.PositiveIntegerField(default=0)
    title = models.CharField(_("title"), max_length=200)
    runs = models.JSONField(default=list)
    prediction_kind = models.CharField(max_length=10, choices=Prediction.choices)
    predict = models.TextField(_("prediction question"))
    choices = models.TextField(_("prediction choices"), blank=True, help_text=_("One per line."))
    ask = models.TextField(_("check question"), blank=True)  # empty for a challenge: the run is the answer
    grading = models.JSONField(default=dict)  # the check: experiments.grading (named so: Model.check exists)
    instructions_md = models.TextField(_("instructions (Markdown)"))
    instructions_html = models.TextField(blank=True, editable=False)
    explanation_md = models.TextField(_("explanation (Markdown)"))
    explanation_html = models.TextField(blank=True, editable=False)
    retired = models.BooleanField(
        _("retired"),
        default=False,
        help_text=_(
            "No longer in the course folder: kept with its learners' predictions and submissions, "
            "but not offered any more."
        ),
    )

    class Meta:
        ordering = ["lesson__course", "lesson__order", "order", "id"]
        verbose_name = _("guided experiment")
        verbose_name_plural = _("guided experiments")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        """The lab page with this experiment open: its link fills the form with the first run's settings."""
        return f"{reverse('lab', args=[self.lab])}?{urlencode({'experiment': self.slug})}"

    @property
    def choice_list(self) -> list[str]:
        return [line for line in self.choices.splitlines() if line.strip()]

    @property
    def answers_number(self) -> bool:
        return self.grading.get("kind") in ("value", "comparison")


class Prediction(models.Model):
    """What a learner said would happen, before running. Only runs started after it count."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="predictions")
    experiment = models.ForeignKey(Experiment, on_delete=models.CASCADE, related_name="predictions")
    value = models.JSONField(encoder=TextJSONEncoder)  # the index of a choice, or a number
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["owner", "experiment", "-created_at"])]

    def __str__(self) -> str:
        return f"prediction of {self.owner} for {self.experiment.slug}"


class Submission(models.Model):
    """A graded check: which runs, what the learner answered, the values compared, and the outcome."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="submissions")
    experiment = models.ForeignKey(Experiment, on_delete=models.CASCADE, related_name="submissions")
    prediction = models.ForeignKey(Prediction, on_delete=models.PROTECT, related_name="submissions")
    jobs = models.JSONField()  # job ids, in the order of the experiment's runs
    answer = models.JSONField(null=True, blank=True, encoder=TextJSONEncoder)
    values = models.JSONField(default=dict, encoder=TextJSONEncoder)
    passed = models.BooleanField(db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["owner", "experiment", "passed"])]

    def __str__(self) -> str:
        return f"submission of {self.owner} for {self.experiment.slug}"

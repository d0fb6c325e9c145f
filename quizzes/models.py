"""Quizzes, their questions and answers, and students' attempts.

Every question type is one Question with Answer rows, as in Moodle's GIFT: a choice, an accepted short
answer, a numeric answer (value ± tolerance, or a range) or a matching pair, each with a weight (percent of the
question's credit) and feedback. Words exist per language (django-modeltranslation); HTML is rendered on save.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.fields import TextJSONEncoder
from lessons.models import Lesson, RenderedMarkdown, Status


class Kind(models.TextChoices):
    SINGLE = "single", _("Single choice")
    MULTIPLE = "multiple", _("Multiple choice")
    TRUEFALSE = "truefalse", _("True or false")
    SHORT = "short", _("Short answer")
    NUMERIC = "numeric", _("Numeric")
    MATCHING = "matching", _("Matching")
    ESSAY = "essay", _("Essay (self-check)")
    DESCRIPTION = "description", _("Description (no answer)")
    CLOZE = "cloze", _("Cloze (embedded answers)")


CHOICE_KINDS = (Kind.SINGLE, Kind.MULTIPLE, Kind.TRUEFALSE)


class UnitGrading(models.IntegerChoices):
    """Moodle's unitgradingtype: what a wrong or missing unit costs."""

    NONE = 0, _("The unit is not graded")
    OF_MARK = 1, _("A fraction of the response's mark")
    OF_QUESTION = 2, _("A fraction of the question's mark")


class UnitDisplay(models.IntegerChoices):
    """Moodle's showunits."""

    TYPED = 0, _("Typed after the number")
    RADIO = 1, _("Chosen from buttons")
    MENU = 2, _("Chosen from a menu")
    NONE = 3, _("Not asked (the first unit is shown)")


# A quiz is passed at this share of its points; passing a lesson's quiz completes the lesson.
PASS_PERCENT = 70


class QuizQuerySet(models.QuerySet):
    def visible_to(self, user) -> QuizQuerySet:
        """The quizzes `user` may see, take and find: a quiz of a draft lesson (or of a lesson in a draft
        course) is a draft too, seen by staff alone. Every way in (page, API, list, attempts) asks this."""
        if user.is_staff:
            return self.all()
        return self.filter(
            models.Q(lesson__isnull=True)
            | models.Q(lesson__status=Status.PUBLISHED, lesson__course__status=Status.PUBLISHED)
        )


class Quiz(models.Model):
    slug = models.SlugField(unique=True)
    lesson = models.OneToOneField(
        Lesson, on_delete=models.SET_NULL, null=True, blank=True, related_name="quiz"
    )
    title = models.CharField(_("title"), max_length=200)
    max_attempts = models.PositiveIntegerField(
        _("maximum attempts"), default=0, help_text=_("0 for no limit. Counted per student.")
    )
    shuffle_questions = models.BooleanField(_("shuffle questions"), default=False)
    shuffle_options = models.BooleanField(_("shuffle options"), default=True)

    objects = QuizQuerySet.as_manager()

    class Meta:
        ordering = ["slug"]
        verbose_name = _("quiz")
        verbose_name_plural = _("quizzes")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("quiz", args=[self.slug])


class QuestionQuerySet(models.QuerySet):
    def current(self) -> QuestionQuerySet:
        """Those a new attempt asks: not retired."""
        return self.filter(retired=False)


class Question(RenderedMarkdown):
    # No concept links: a link inside an option's label would get in the way of choosing it.
    markdown = {
        "text_md": "text_html",
        "explanation_md": "explanation_html",
        "hint_md": "hint_html",
        "correct_feedback_md": "correct_feedback_html",
        "partial_feedback_md": "partial_feedback_html",
        "incorrect_feedback_md": "incorrect_feedback_html",
    }
    concept_links = False
    inline = True

    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="questions")
    order = models.PositiveIntegerField(default=0)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    name = models.CharField(
        _("name"),
        max_length=255,
        help_text=_("The GIFT ::title::; several questions may share one, as in Moodle."),
    )
    idnumber = models.CharField(
        _("ID number"),
        max_length=100,
        blank=True,
        help_text=_("Moodle's ID number: when given, a re-import finds the question by it."),
    )
    tags = models.JSONField(_("tags"), default=list, blank=True)
    category = models.CharField(max_length=255, blank=True)  # Moodle's limits, for names too
    points = models.FloatField(default=1)
    text_md = models.TextField(_("question (Markdown)"))
    text_html = models.TextField(blank=True, editable=False)
    explanation_md = models.TextField(_("explanation shown after answering (Markdown)"), blank=True)
    explanation_html = models.TextField(blank=True, editable=False)
    hint_md = models.TextField(_("hint, revealed on demand (Markdown)"), blank=True)
    hint_html = models.TextField(blank=True, editable=False)
    # Moodle's combined feedback (multiple choice, matching): shown after answering by how right it was.
    correct_feedback_md = models.TextField(_("feedback for a right response (Markdown)"), blank=True)
    correct_feedback_html = models.TextField(blank=True, editable=False)
    partial_feedback_md = models.TextField(_("feedback for a partly right response (Markdown)"), blank=True)
    partial_feedback_html = models.TextField(blank=True, editable=False)
    incorrect_feedback_md = models.TextField(_("feedback for a wrong response (Markdown)"), blank=True)
    incorrect_feedback_html = models.TextField(blank=True, editable=False)
    # Moodle's short answer <usecase>: GIFT's short answers ignore case, as Moodle's default does.
    case_sensitive = models.BooleanField(_("case sensitive"), default=False)
    # Moodle's numerical units (see gift.MoodleSettings): [[name, multiplier], ...], and how they are graded.
    units = models.JSONField(_("units"), default=list, blank=True)
    unit_grading = models.PositiveSmallIntegerField(
        _("unit grading"), choices=UnitGrading.choices, default=UnitGrading.NONE
    )
    unit_penalty = models.FloatField(_("unit penalty"), default=0.1)
    unit_display = models.PositiveSmallIntegerField(
        _("units shown"), choices=UnitDisplay.choices, default=UnitDisplay.NONE
    )
    units_left = models.BooleanField(_("unit before the number"), default=False)
    # A Cloze question's gaps (quizzes.cloze): the text marks where each stands, its answers name it (part).
    parts = models.JSONField(_("gaps"), default=list, blank=True)
    retired = models.BooleanField(
        _("retired"),
        default=False,
        help_text=_(
            "No longer in the quiz's file: kept with its learners' answers and statistics, "
            "but not asked in new attempts."
        ),
    )

    objects = QuestionQuerySet.as_manager()

    class Meta:
        ordering = ["quiz", "order", "id"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")

    def __str__(self) -> str:
        return self.name or self.text_md[:60]

    @property
    def graded(self) -> bool:
        return self.kind not in (Kind.ESSAY, Kind.DESCRIPTION)


class QuestionFile(models.Model):
    """An image a question's texts show (Moodle XML's <file>, quizzes.images): PNG, JPEG, GIF or WebP, told
    by its bytes. Kept in the database, so every web process serves it without a shared disk; addressed by
    its content's digest (`url`), so the address never changes and is cached for a year."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="files")
    name = models.CharField(_("file name"), max_length=255)  # as the bank's @@PLUGINFILE@@ names it
    digest = models.CharField(max_length=64, db_index=True)  # SHA-256 of `data`
    content_type = models.CharField(max_length=20)
    data = models.BinaryField()

    class Meta:
        ordering = ["question", "name"]
        constraints = [models.UniqueConstraint(fields=["question", "name"], name="unique_question_file")]
        verbose_name = _("question image")
        verbose_name_plural = _("question images")

    def __str__(self) -> str:
        return self.name

    @property
    def url(self) -> str:
        return image_url(self.digest, self.content_type)


def image_url(digest: str, content_type: str) -> str:
    """Where a question's image is served: the same for the same bytes in every question and language."""
    extension = {"image/png": "png", "image/jpeg": "jpg", "image/gif": "gif", "image/webp": "webp"}
    return reverse("question_image", args=[digest, extension[content_type]])


class Answer(RenderedMarkdown):
    markdown = {"text_md": "text_html", "feedback_md": "feedback_html"}
    concept_links = False
    inline = True

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    order = models.PositiveIntegerField(default=0)
    text_md = models.TextField(_("answer (Markdown)"), blank=True)
    text_html = models.TextField(blank=True, editable=False)
    match_text = models.CharField(_("matches (matching questions)"), max_length=300, blank=True)
    weight = models.FloatField(_("credit (percent of the question)"), default=0)
    feedback_md = models.TextField(_("feedback (Markdown)"), blank=True)
    feedback_html = models.TextField(blank=True, editable=False)
    value = models.FloatField(null=True, blank=True)
    tolerance = models.FloatField(default=0)
    low = models.FloatField(null=True, blank=True)
    high = models.FloatField(null=True, blank=True)
    part = models.PositiveSmallIntegerField(_("gap (Cloze)"), default=0)

    class Meta:
        ordering = ["question", "order", "id"]
        verbose_name = _("answer")
        verbose_name_plural = _("answers")

    def __str__(self) -> str:
        return self.text_md[:60] or f"{self.value}"

    def accepts(self, number: float) -> bool:
        if self.low is not None and self.high is not None:
            return self.low <= number <= self.high
        return self.value is not None and abs(number - self.value) <= self.tolerance + 1e-12


class Attempt(models.Model):
    """One go at a quiz. Anonymous readers' attempts count for the statistics but not towards any limit."""

    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="attempts")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="quiz_attempts",
    )
    number = models.PositiveIntegerField(default=1)
    score = models.FloatField(default=0)  # points earned on auto-graded questions
    max_score = models.FloatField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    # Set when the learner's teacher reset their attempts at this quiz (classes.services.attempts_reset): the
    # attempt is kept with its answers and score, and no longer counts towards the quiz's limit.
    reset_at = models.DateTimeField(_("reset at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"attempt {self.number} at {self.quiz.slug} by {self.user or 'anonymous'}"

    @property
    def percent(self) -> int:
        return round(100 * self.score / self.max_score) if self.max_score else 0


class Response(models.Model):
    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="responses")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="responses")
    given = models.JSONField(null=True, encoder=TextJSONEncoder)
    key = models.CharField(
        max_length=300, blank=True
    )  # the answer, normalised, for "most frequent wrong answer"
    fraction = models.FloatField(
        null=True
    )  # 0..1 of the question's points; None until an essay is self-rated
    correct = models.BooleanField(default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["attempt", "question"], name="unique_response")]

    def __str__(self) -> str:
        return f"{self.question.name}: {self.key or self.given}"


class ImportStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting for a worker")
    RUNNING = "running", _("Importing")
    SUCCEEDED = "succeeded", _("Imported")
    FAILED = "failed", _("Not imported")


class ImportJob(models.Model):
    """A GIFT or Moodle XML file imported into a quiz by a worker (quizzes.imports): all of it or nothing,
    within a time limit, its progress shown in the admin while it runs."""

    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="imports")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    language = models.CharField(max_length=10)  # the file's
    interface_language = models.CharField(max_length=10)  # the admin's: the report is written in it
    delete_missing = models.BooleanField(default=False)
    source = models.TextField(blank=True)  # the file, as text (at most 1 MB); emptied once the import ends
    status = models.CharField(max_length=10, choices=ImportStatus.choices, default=ImportStatus.QUEUED)
    done = models.PositiveIntegerField(default=0)  # questions read and rendered
    total = models.PositiveIntegerField(default=0)
    message = models.TextField(blank=True)  # the summary, or why nothing was imported
    warnings = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("question bank import")
        verbose_name_plural = _("question bank imports")

    def __str__(self) -> str:
        return f"import into {self.quiz.slug} ({self.status})"

    @property
    def ended(self) -> bool:
        return self.status in (ImportStatus.SUCCEEDED, ImportStatus.FAILED)

    @property
    def percent(self) -> int:
        if self.status == ImportStatus.SUCCEEDED:
            return 100
        return int(100 * self.done / self.total) if self.total else 0

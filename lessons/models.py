"""Courses, lessons, concepts and FAQ entries: Markdown in, rendered HTML stored, once per language.

The words (title, body, …) exist per language through django-modeltranslation: `title` reads the active
language and falls back to the other; `title_zh_hans` / `title_en` are the stored columns. Rendering happens
in `render()` (RenderedMarkdown), called on save, never per request.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from modeltranslation.utils import build_localized_fieldname

from . import rendering

# A section's heading as the renderer writes it (lessons/rendering.py: the toc extension's ids and permalink).
HEADING = re.compile(r'<h([23])[^>]*\bid="([^"]*)"[^>]*>(.*?)</h\1>', re.DOTALL)
HEADING_EXTRAS = re.compile(r'<a class="headerlink".*?</a>|<[^>]+>', re.DOTALL)

LANGUAGE_CODES = [code for code, _name in settings.LANGUAGES]


def localized(instance: models.Model, field: str, language: str) -> str:
    """The stored value of a translated field in one language, without fallback."""
    return getattr(instance, build_localized_fieldname(field, language)) or ""


def missing_translation(instance: models.Model, field: str) -> bool:
    """True when the active language has no text of its own for `field` and a fallback is shown."""
    return not localized(instance, field, get_language() or settings.LANGUAGE_CODE)


class RenderedMarkdown(models.Model):
    """Markdown fields rendered to HTML fields on save, in every language; never per request.

    `markdown` maps each source field to its HTML field. Concept names are linked unless `concept_links` is
    off (a link inside a quiz option's label would get in the way of choosing it); `inline` drops the <p>
    around a one-paragraph text so it sits inside a label or a sentence. `rendered()` derives whatever else
    a model keeps from its text (search text, table of contents, reading time).
    """

    markdown: ClassVar[dict[str, str]] = {}
    concept_links: ClassVar[bool] = True
    inline: ClassVar[bool] = False

    class Meta:
        abstract = True

    def render(self, concepts: Concepts | None = None) -> None:
        concepts = (concepts or Concept.objects.indexes()) if self.concept_links else None
        for lang in LANGUAGE_CODES:
            outs: dict[str, rendering.Rendered | None] = {}
            for source, target in self.markdown.items():
                text = localized(self, source, lang)
                links = (
                    {"concepts": concepts[lang], "exclude_concept": self.own_concept()} if concepts else {}
                )
                out = outs[source] = rendering.render(text, **links) if text else None
                html = out.html if out else ""
                setattr(self, build_localized_fieldname(target, lang), _inline(html) if self.inline else html)
            self.rendered(lang, outs)

    def rendered(self, lang: str, outs: dict[str, rendering.Rendered | None]) -> None:
        """Sets what the model derives from its rendered text in `lang` (nothing, by default)."""

    def own_concept(self) -> str | None:
        """A concept's own page does not link to itself."""
        return None

    def save(self, *args, render: bool = True, **kwargs) -> None:
        if render:
            self.render()
        super().save(*args, **kwargs)


def _inline(html: str) -> str:
    """A one-paragraph text without its <p>."""
    if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        return html[3:-4]
    return html


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class CourseQuerySet(models.QuerySet):
    def published(self) -> CourseQuerySet:
        return self.filter(status=Status.PUBLISHED)


class Course(RenderedMarkdown):
    slug = models.SlugField(unique=True)
    order = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PUBLISHED)
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"), blank=True)
    intro_md = models.TextField(_("introduction (Markdown)"), blank=True)
    intro_html = models.TextField(blank=True, editable=False)
    markdown = {"intro_md": "intro_html"}
    updated_at = models.DateTimeField(auto_now=True)

    objects = CourseQuerySet.as_manager()

    class Meta:
        ordering = ["order", "slug"]
        verbose_name = _("course")
        verbose_name_plural = _("courses")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("course", args=[self.slug])


class LessonQuerySet(models.QuerySet):
    def published(self) -> LessonQuerySet:
        return self.filter(status=Status.PUBLISHED, course__status=Status.PUBLISHED)


class Lesson(RenderedMarkdown):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="lessons")
    slug = models.SlugField()
    order = models.PositiveIntegerField(default=0, db_index=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    # Slugs of lessons in the same course; stored with the lesson so its page needs no extra query.
    prerequisites = models.JSONField(default=list, blank=True)
    tags = models.JSONField(default=list, blank=True)
    labs = models.JSONField(default=list, blank=True, help_text=_("Slugs of the labs shown at the end."))
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"), blank=True)
    body_md = models.TextField(_("body (Markdown)"), blank=True)
    body_html = models.TextField(blank=True, editable=False)
    markdown = {"body_md": "body_html"}
    toc_html = models.TextField(blank=True, editable=False)
    search_text = models.TextField(blank=True, editable=False)
    reading_minutes = models.PositiveIntegerField(default=1, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = LessonQuerySet.as_manager()

    class Meta:
        ordering = ["course", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["course", "slug"], name="unique_lesson_slug_per_course")
        ]
        indexes = [
            # Everything a lesson page's outline reads (selectors.lesson_outline), so it never touches the wide
            # rows: in SQLite a column after the megabytes of text is reached only through their overflow pages.
            models.Index(fields=["course", "status", "order", "slug", "updated_at"], name="lesson_outline"),
        ]
        verbose_name = _("lesson")
        verbose_name_plural = _("lessons")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("lesson", args=[self.course.slug, self.slug])

    def headings(self, body_html: str | None = None) -> list[tuple[str, str]]:
        """(id, words) of the text's sections and subsections, in order (the active language's text)."""
        found = HEADING.findall(self.body_html if body_html is None else body_html)
        return [
            (html.unescape(id_), html.unescape(HEADING_EXTRAS.sub("", words)).strip())
            for _level, id_, words in found
        ]

    def rendered(self, lang: str, outs: dict[str, rendering.Rendered | None]) -> None:
        out = outs["body_md"]
        setattr(self, build_localized_fieldname("toc_html", lang), out.toc_html if out else "")
        setattr(self, build_localized_fieldname("search_text", lang), out.text if out else "")
        setattr(self, build_localized_fieldname("reading_minutes", lang), out.minutes if out else None)


Concepts = dict[str, rendering.ConceptIndex]  # language -> the names to link


def concept_indexes(concepts: Iterable[Concept]) -> Concepts:
    """Every name (term and aliases) of every concept, per language, for automatic links."""
    concepts = list(concepts)
    indexes = {}
    for language in LANGUAGE_CODES:
        names = []
        for concept in concepts:
            definition = localized(concept, "definition", language) or concept.definition
            for name in [
                localized(concept, "term", language),
                *localized(concept, "aliases", language).split("\n"),
            ]:
                if len(name.strip()) >= 2:
                    names.append(rendering.ConceptName(name.strip(), concept.slug, definition))
        indexes[language] = rendering.ConceptIndex(names)
    return indexes


class ConceptQuerySet(models.QuerySet):
    def indexes(self) -> Concepts:
        return concept_indexes(self.all())


class Concept(RenderedMarkdown):
    slug = models.SlugField(unique=True)
    labs = models.JSONField(default=list, blank=True)
    term = models.CharField(_("term"), max_length=120)
    aliases = models.TextField(_("other names, one per line"), blank=True)
    definition = models.TextField(_("short definition"))
    body_md = models.TextField(_("body (Markdown)"), blank=True)
    body_html = models.TextField(blank=True, editable=False)
    markdown = {"body_md": "body_html"}
    search_text = models.TextField(blank=True, editable=False)
    related = models.ManyToManyField("self", through="ConceptRelation", symmetrical=False, blank=True)

    objects = ConceptQuerySet.as_manager()

    class Meta:
        ordering = ["slug"]
        verbose_name = _("concept")
        verbose_name_plural = _("concepts")

    def __str__(self) -> str:
        return self.term

    def get_absolute_url(self) -> str:
        return reverse("concept", args=[self.slug])

    def own_concept(self) -> str | None:
        return self.slug

    def rendered(self, lang: str, outs: dict[str, rendering.Rendered | None]) -> None:
        out = outs["body_md"]
        words = " ".join(
            [localized(self, "term", lang), localized(self, "definition", lang), out.text if out else ""]
        )
        setattr(self, build_localized_fieldname("search_text", lang), words.strip())


class ConceptRelation(models.Model):
    class Kind(models.TextChoices):
        IS_A = "is-a", _("is a")
        PART_OF = "part-of", _("is part of")
        USES = "uses", _("uses")
        APPLIED_IN = "applied-in", _("is applied in")
        RELATED_TO = "related-to", _("is related to")

    source = models.ForeignKey(Concept, on_delete=models.CASCADE, related_name="relations_out")
    target = models.ForeignKey(Concept, on_delete=models.CASCADE, related_name="relations_in")
    kind = models.CharField(max_length=20, choices=Kind.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "target", "kind"], name="unique_concept_relation")
        ]
        verbose_name = _("concept relation")
        verbose_name_plural = _("concept relations")

    def __str__(self) -> str:
        return f"{self.source.slug} {self.kind} {self.target.slug}"


class FaqEntryQuerySet(models.QuerySet):
    def current(self) -> FaqEntryQuerySet:
        """Those listed: not retired."""
        return self.filter(retired=False)


class FaqEntry(RenderedMarkdown):
    """A frequently asked question: listed on the FAQ page and usable as a self-check card."""

    course = models.ForeignKey(
        Course, on_delete=models.CASCADE, related_name="faq_entries", null=True, blank=True
    )
    slug = models.SlugField(unique=True)
    order = models.PositiveIntegerField(default=0)
    labs = models.JSONField(default=list, blank=True)
    question = models.CharField(_("question"), max_length=300)
    answer_md = models.TextField(_("answer (Markdown)"))
    answer_html = models.TextField(blank=True, editable=False)
    markdown = {"answer_md": "answer_html"}
    search_text = models.TextField(blank=True, editable=False)
    retired = models.BooleanField(
        _("retired"),
        default=False,
        help_text=_("No longer in the course folder: kept with its learners' ratings, but not listed."),
    )

    objects = FaqEntryQuerySet.as_manager()

    class Meta:
        ordering = ["order", "slug"]
        verbose_name = _("FAQ entry")
        verbose_name_plural = _("FAQ entries")

    def __str__(self) -> str:
        return self.question

    def get_absolute_url(self) -> str:
        return reverse("faq") + f"#{self.slug}"

    def rendered(self, lang: str, outs: dict[str, rendering.Rendered | None]) -> None:
        out = outs["answer_md"]
        words = " ".join([localized(self, "question", lang), out.text if out else ""])
        setattr(self, build_localized_fieldname("search_text", lang), words.strip())


class LessonProgress(models.Model):
    """A student marked a lesson complete."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="lesson_progress"
    )
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="progress")
    completed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "lesson"], name="unique_progress")]

    def __str__(self) -> str:
        return f"{self.user} completed {self.lesson}"


class Reading(models.Model):
    """Where a learner last was in a lesson: which of its headings they had reached (1 for the first; 0 for
    the start), so that "Continue" on the home page and the dashboard takes them back there. A number, not the
    heading's id: the lesson in the other language has the same headings with other ids."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="readings")
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="readings")
    heading = models.PositiveSmallIntegerField(default=0)
    read_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "lesson"], name="one_reading_per_lesson")]

    def __str__(self) -> str:
        return f"{self.user} reading {self.lesson} at heading {self.heading}"

    @property
    def section(self) -> tuple[str, str] | None:
        """(id, words) of the heading reached, in the active language; None at the start or if it is gone."""
        headings = self.lesson.headings()
        return headings[self.heading - 1] if 0 < self.heading <= len(headings) else None

    def get_absolute_url(self) -> str:
        section = self.section
        return self.lesson.get_absolute_url() + (f"#{section[0]}" if section else "")


class FaqRating(models.Model):
    """How well a student knew an FAQ answer when they used it as a self-check card."""

    class Rating(models.IntegerChoices):
        AGAIN = 1, _("I didn't know")
        HARD = 2, _("Partly")
        GOOD = 3, _("I knew it")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="faq_ratings")
    entry = models.ForeignKey(FaqEntry, on_delete=models.CASCADE, related_name="ratings")
    rating = models.PositiveSmallIntegerField(choices=Rating.choices)
    rated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "entry"], name="unique_faq_rating")]

    def __str__(self) -> str:
        return f"{self.user} rated {self.entry.slug}: {self.rating}"

"""Reads: what a student sees of courses and lessons, and search."""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Q, QuerySet
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from modeltranslation.utils import build_localized_fieldname

from core.errors import UserError
from core.languages import in_language

from .models import LANGUAGE_CODES, Concept, Course, FaqEntry, Lesson, LessonProgress, localized

# Everything a lesson list needs, without the heavy per-language bodies.
LIST_FIELDS = (
    "id", "slug", "order", "status", "course_id", "prerequisites", "tags", "labs", "updated_at",
    *(build_localized_fieldname(name, lang) for name in ("title", "summary", "reading_minutes") for lang in LANGUAGE_CODES),
)  # fmt: skip


def reading_fields(language: str) -> tuple[str, ...]:
    """The big per-language columns a lesson page does not need: the other languages' text and every
    language's Markdown source and search text (a lesson row can hold megabytes across its languages)."""
    return tuple(
        build_localized_fieldname(name, lang)
        for lang in LANGUAGE_CODES
        for name in ("body_md", "search_text", *(("body_html", "toc_html") if lang != language else ()))
    )


def text_fields(related: str = "") -> tuple[str, ...]:
    """A lesson's text in every language — Markdown, HTML, contents, search text — for `.defer()` wherever a
    lesson is only named and linked (`related`: the path to it, e.g. "lesson__"). Loaded with every row that
    names it, a page listing eighteen experiments held each one's lesson, megabytes, in the web process."""
    names = ("body_md", "body_html", "toc_html", "search_text")
    return tuple(
        related + field
        for name in names
        for field in (name, *(build_localized_fieldname(name, lang) for lang in LANGUAGE_CODES))
    )


def translated(lesson: Lesson, language: str) -> bool:
    """Whether the lesson's body exists in `language` (its reading time is set only when it does)."""
    return getattr(lesson, build_localized_fieldname("reading_minutes", language)) is not None


def visible_lessons(user: AbstractBaseUser | AnonymousUser) -> QuerySet[Lesson]:
    """Published lessons; staff also see drafts (to preview them where students will read them)."""
    if user.is_staff:
        return Lesson.objects.all()
    return Lesson.objects.published()


def visible_courses(user: AbstractBaseUser | AnonymousUser) -> QuerySet[Course]:
    return Course.objects.all() if user.is_staff else Course.objects.published()


def completed_lesson_ids(user: AbstractBaseUser | AnonymousUser) -> set[int]:
    if not user.is_authenticated:
        return set()
    return set(LessonProgress.objects.filter(user=user).values_list("lesson_id", flat=True))


@dataclass
class CourseProgress:
    course: Course
    lessons: list[Lesson]
    done: set[int]

    @property
    def percent(self) -> int:
        return round(100 * len(self.done) / len(self.lessons)) if self.lessons else 0


def courses_with_progress(user: AbstractBaseUser | AnonymousUser) -> list[CourseProgress]:
    courses = list(visible_courses(user))
    lessons = visible_lessons(user).filter(course__in=courses).only(*LIST_FIELDS).order_by("order")
    by_course: dict[int, list[Lesson]] = {c.pk: [] for c in courses}
    for lesson in lessons:
        by_course[lesson.course_id].append(lesson)
    done = completed_lesson_ids(user)
    return [
        CourseProgress(c, by_course[c.pk], {lesson.pk for lesson in by_course[c.pk] if lesson.pk in done})
        for c in courses
    ]


# --- Search ---------------------------------------------------------------------------------------------

MIN_QUERY = 2
SNIPPET = 70  # characters of context on each side of the first match


@dataclass
class Hit:
    kind: str  # "lesson", "concept", "faq"
    title: str
    url: str
    snippet: SafeString
    score: int
    language: str = (
        ""  # when not the reader's: the language its words were found in (its title, snippet, page)
    )


def normalise(query: str) -> str:
    """Full-width letters to ASCII (ＣＮＮ -> CNN), spaces collapsed."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", query)).strip()


def highlight(text: str, terms: list[str]) -> SafeString:
    """A passage of `text` around the first match, escaped, with every term wrapped in <mark>."""
    lowered = text.lower()
    positions = [lowered.find(t.lower()) for t in terms if lowered.find(t.lower()) >= 0]
    if not positions:
        return mark_safe(html.escape(text[: 2 * SNIPPET]) + ("…" if len(text) > 2 * SNIPPET else ""))  # noqa: S308 (escaped)
    first = min(positions)
    start, end = max(0, first - SNIPPET), min(len(text), first + SNIPPET)
    # Cut between words, not inside one (Chinese has no spaces: any character is a place to cut).
    if start:
        space = text.find(" ", start, first)
        start = space + 1 if space >= 0 else start
    if end < len(text):
        space = text.rfind(" ", max(first, end - SNIPPET // 2), end)
        end = space if space > first else end
    passage = text[start:end]
    pattern = re.compile("|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True)), re.IGNORECASE)
    pieces, last = [], 0
    for match in pattern.finditer(passage):
        pieces += [html.escape(passage[last : match.start()]), f"<mark>{html.escape(match.group(0))}</mark>"]
        last = match.end()
    pieces.append(html.escape(passage[last:]))
    return mark_safe(("…" if start else "") + "".join(pieces) + ("…" if end < len(text) else ""))  # noqa: S308


def _matching(queryset: QuerySet, fields: tuple[str, ...], terms: list[str]) -> QuerySet:
    """Rows where every term appears in one of the fields, in any language (a Chinese query in the English
    interface still finds the Chinese text)."""
    for term in terms:
        condition = Q()
        for name in fields:
            for lang in LANGUAGE_CODES:
                condition |= Q(**{f"{build_localized_fieldname(name, lang)}__icontains": term})
        queryset = queryset.filter(condition)
    return queryset


def search(query: str, user: AbstractBaseUser | AnonymousUser, limit: int = 40) -> list[Hit]:
    query = normalise(query)
    if len(query) < MIN_QUERY:
        raise UserError(_("Type at least %(n)d characters to search.") % {"n": MIN_QUERY}, field="q")
    if len(query) > 200:
        raise UserError(_("That search is too long (200 characters at most)."), field="q")
    terms = query.split(" ")
    current = get_language() or settings.LANGUAGE_CODE
    hits: list[Hit] = []

    def found_in(instance, field: str) -> str:
        """The language whose text holds every term: the reader's own if it does, else another's."""
        for language in [current, *(lang for lang in LANGUAGE_CODES if lang != current)]:
            text = localized(instance, field, language).lower()
            if text and all(t.lower() in text for t in terms):
                return language
        return current

    def hit(kind: str, instance, title_field: str) -> Hit:
        """A hit whose title, snippet and page are all in the language the terms were found in."""
        language = found_in(instance, "search_text")
        text = localized(instance, "search_text", language)
        title = localized(instance, title_field, language) or getattr(instance, title_field)
        url = instance.get_absolute_url()
        other = language != current
        return Hit(kind, title, in_language(url, language) if other else url, highlight(text, terms),
                   sum(100 * (t.lower() in title.lower()) + text.lower().count(t.lower()) for t in terms),
                   language if other else "")  # fmt: skip

    lessons = _matching(visible_lessons(user).select_related("course"), ("title", "search_text"), terms)
    hits += [hit("lesson", lesson, "title") for lesson in lessons[:limit]]
    hits += [
        hit("concept", c, "term") for c in _matching(Concept.objects.all(), ("search_text",), terms)[:limit]
    ]
    hits += [
        hit("faq", e, "question")
        for e in _matching(FaqEntry.objects.current(), ("search_text",), terms)[:limit]
    ]
    hits.sort(key=lambda h: -h.score)
    return hits[:limit]

import hashlib
import html
import re
from collections.abc import Callable

import redis.exceptions
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.html import strip_tags
from django.utils.text import Truncator
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.documents import as_document, code_version
from core.errors import UserError

from . import conceptmap, practice, selectors, services
from .models import Concept, ConceptRelation, FaqEntry, FaqRating, Lesson, localized, missing_translation


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "lessons/home.html", {"courses": selectors.courses_with_progress(request.user)})


def course(request: HttpRequest, slug: str) -> HttpResponse:
    """The course's outline: one document for every reader (their progress is filled in by the page's
    script). A draft course, which only staff may see, is rendered for them alone."""
    template = "lessons/course.html"
    try:
        return as_document(request, template, lambda: _course_context(AnonymousUser(), slug))
    except Http404:
        return draft_page(request, template, lambda: _course_context(request.user, slug))


def _course_context(reader, slug: str) -> dict:
    found = get_object_or_404(selectors.visible_courses(reader), slug=slug)
    lessons = selectors.visible_lessons(reader).filter(course=found).only(*selectors.LIST_FIELDS)
    return {"course": found, "lessons": lessons}


def lesson(request: HttpRequest, course_slug: str, lesson_slug: str) -> HttpResponse:
    """A lesson: one document per (lesson, language, version) for every reader, served without a query
    once this process has it. A draft lesson, which only staff may see, is rendered for them alone."""
    template = "lessons/lesson.html"
    try:
        return as_document(
            request, template, lambda: _lesson_context(AnonymousUser(), course_slug, lesson_slug)
        )
    except Http404:
        return draft_page(request, template, lambda: _lesson_context(request.user, course_slug, lesson_slug))


def draft_page(request: HttpRequest, template: str, context: Callable[[], dict]) -> HttpResponse:
    """A draft: staff see it where students will, on a page of their own (not kept, not shared); for
    anyone else it does not exist."""
    if not request.user.is_staff:
        raise Http404(_("No such page."))
    response = render(request, template, {**context(), "document": True})  # filled in like a document
    response["Cache-Control"] = "private, no-store"
    return response


def _lesson_context(reader, course_slug: str, lesson_slug: str) -> dict:
    language = get_language() or settings.LANGUAGE_CODE
    lessons = selectors.visible_lessons(reader).filter(course__slug=course_slug)
    siblings = list(lessons.only(*selectors.LIST_FIELDS))
    position = next((i for i, s in enumerate(siblings) if s.slug == lesson_slug), None)
    if position is None:
        raise Http404(_("No such lesson."))
    current = (
        Lesson.objects.select_related("course", "quiz")
        .defer(*selectors.reading_fields(language))
        .get(pk=siblings[position].pk)
    )
    course_url = current.course.get_absolute_url()
    for sibling in siblings:
        sibling.url = f"{course_url}{sibling.slug}/"  # lessons live under their course (stable URLs)
    by_slug = {s.slug: s for s in siblings}
    return {
        "lesson": current,
        "course": current.course,
        "siblings": siblings,
        "previous": siblings[position - 1] if position > 0 else None,
        "next": siblings[position + 1] if position + 1 < len(siblings) else None,
        "prerequisites": [by_slug[s] for s in current.prerequisites if s in by_slug],
        "fallback": not selectors.translated(siblings[position], language),
        "labs": practice.offered(current.labs),
        "description": _description(localized(current, "summary", language), current.body_html),
    }


FIRST_PARAGRAPH = re.compile(r"<p>(.*?)</p>", re.S)
FORMULA_SOURCE = re.compile(r"<annotation\b.*?</annotation>", re.S)


def _description(summary: str, body_html: str, length: int = 160) -> str:
    """What a lesson is about, for its <meta name="description">: its summary in the page's language, else the
    text of its first paragraph as the page shows it (a formula as its symbols, not its TeX source), trimmed to
    about `length` characters."""
    text = summary
    if not text.strip():
        found = FIRST_PARAGRAPH.search(body_html)
        text = html.unescape(strip_tags(FORMULA_SOURCE.sub("", found[1]))) if found else ""
    return Truncator(" ".join(text.split())).chars(length)


@require_POST
@login_required
def lesson_complete(request: HttpRequest, course_slug: str, lesson_slug: str) -> HttpResponse:
    current = get_object_or_404(
        selectors.visible_lessons(request.user), course__slug=course_slug, slug=lesson_slug
    )
    services.lesson_set_complete(
        user=request.user, lesson=current, complete=request.POST.get("complete") != "0"
    )
    return redirect(current.get_absolute_url() + "#complete")


def concepts(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "lessons/concepts.html",
        {"concepts": sorted(Concept.objects.all(), key=lambda c: c.term.lower())},
    )


def concept(request: HttpRequest, slug: str) -> HttpResponse:
    """A concept's page: one document for every reader."""
    return as_document(request, "lessons/concept.html", lambda: _concept_context(slug))


def _concept_context(slug: str) -> dict:
    found = get_object_or_404(Concept, slug=slug)
    mentioned_in = selectors.visible_lessons(AnonymousUser()).filter(
        body_html__contains=f'href="/concepts/{slug}/"'
    )
    return {
        "concept": found,
        "outgoing": ConceptRelation.objects.filter(source=found).select_related("target"),
        "incoming": ConceptRelation.objects.filter(target=found).select_related("source"),
        "lessons": mentioned_in.select_related("course").only(*selectors.LIST_FIELDS, "course__slug"),
        "labs": practice.offered(found.labs),
        "fallback": missing_translation(found, "body_md"),
    }


def concept_map(request: HttpRequest) -> HttpResponse:
    """The concept map, drawn on the server (lessons/conceptmap.py): one document for every reader (a
    learner's mastered concepts are filled in by the page's script)."""
    return as_document(request, "lessons/concept_map.html", _concept_map_context)


def _concept_map_context() -> dict:
    nodes = [
        {"id": c.slug, "label": c.term, "definition": c.definition, "url": c.get_absolute_url()}
        for c in Concept.objects.all()
    ]
    edges = [
        {"source": r.source.slug, "target": r.target.slug, "kind": r.kind, "label": r.get_kind_display()}
        for r in ConceptRelation.objects.select_related("source", "target")
    ]
    # The text alternative: every concept with its relations both ways, in words.
    terms = {n["id"]: n for n in nodes}
    for node in nodes:
        node["relations"] = [
            {"label": e["label"], "term": terms[e["target"]]["label"], "url": terms[e["target"]]["url"]}
            for e in edges
            if e["source"] == node["id"]
        ] + [
            {
                "label": e["label"],
                "term": terms[e["source"]]["label"],
                "url": terms[e["source"]]["url"],
                "back": True,
            }
            for e in edges
            if e["target"] == node["id"]
        ]
    return {"nodes": nodes, "map": _drawn(nodes, edges)}


def _drawn(nodes: list[dict], edges: list[dict]) -> conceptmap.Drawing:
    """The map's layout takes tenths of a second (seconds for a large course), and the same concepts and
    relations in the same words always give the same drawing: it is drawn once for them (by this code) and
    then read from the cache by every process, in every rendering of the page until they change."""
    key = repr((code_version(), nodes, edges))
    name = "concept-map:" + hashlib.blake2b(key.encode(), digest_size=16).hexdigest()
    try:
        return cache.get_or_set(name, lambda: conceptmap.draw(nodes, edges), timeout=7 * 24 * 3600)
    except redis.exceptions.RedisError:  # the page still draws without its cache
        return conceptmap.draw(nodes, edges)


def faq(request: HttpRequest) -> HttpResponse:
    """The FAQ's self-check cards: one document for every reader (their own ratings are filled in by the
    page's script)."""
    return as_document(request, "lessons/faq.html", _faq_context)


def _faq_context() -> dict:
    entries = list(FaqEntry.objects.current())
    for entry in entries:
        entry.lab_list = practice.offered(entry.labs)
    return {"entries": entries, "ratings": FaqRating.Rating.choices}


@require_POST
@login_required
def faq_rate(request: HttpRequest, slug: str) -> HttpResponse:
    entry = get_object_or_404(FaqEntry.objects.current(), slug=slug)
    try:
        rating = int(request.POST.get("rating", ""))
    except ValueError:
        rating = 0
    if rating not in FaqRating.Rating.values:
        return render(request, "400.html", {"message": _("Choose one of the three ratings.")}, status=400)
    services.faq_rate(user=request.user, entry=entry, rating=rating)
    return redirect(f"{entry.get_absolute_url()}")


def search(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")
    hits, error = [], None
    if query:
        try:
            hits = selectors.search(query, request.user)
        except UserError as problem:
            error = problem.message
    return render(
        request,
        "lessons/search.html",
        {"query": query, "hits": hits, "error": error},
        status=400 if error else 200,
    )

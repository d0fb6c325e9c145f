import hashlib
import re
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.messages import get_messages
from django.core.cache import caches
from django.core.cache.utils import make_template_fragment_key
from django.http import Http404, HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.html import escape
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import UserError
from trainer.labs import LABS

from . import selectors, services
from .models import Concept, ConceptRelation, FaqEntry, FaqRating, Lesson, missing_translation


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "lessons/home.html", {"courses": selectors.courses_with_progress(request.user)})


def course(request: HttpRequest, slug: str) -> HttpResponse:
    found = next((c for c in selectors.courses_with_progress(request.user) if c.course.slug == slug), None)
    if found is None:
        raise Http404(_("No such course."))
    return render(request, "lessons/course.html", {"progress": found, "course": found.course})


# A lesson page is the same for every student with the same progress in the course, except for two things of
# each reader's own, their name and their CSRF token: those are left as holes in a shared page and filled in
# per request. (Random per process, so no lesson text can contain them.)
NAME_HOLE = f"reader-{secrets.token_hex(12)}"
CSRF_HOLE = f"csrf-{secrets.token_hex(12)}"
HOLES = re.compile(f"({NAME_HOLE}|{CSRF_HOLE})".encode())  # kept as bytes: no 190 KB to encode per request


class SharedReader:
    """The `user` a shared page is rendered for: signed in or not, a student, named by a hole."""

    is_staff = False

    def __init__(self, user) -> None:
        self.is_authenticated = user.is_authenticated

    def get_username(self) -> str:
        return NAME_HOLE


def lesson(request: HttpRequest, course_slug: str, lesson_slug: str) -> HttpResponse:
    """A lesson page, from the pages kept per process for (lesson, language, course version, signed in,
    lessons done in the course): a class arriving at a lesson shares a handful of them. Served from there
    with 2 queries (the session's user; the course's lessons with their versions and the reader's progress)
    and the holes filled; rendered with two more on a miss. Staff (who also see drafts), a query
    string and a pending message get a page of their own."""
    language = get_language() or settings.LANGUAGE_CODE
    outline = selectors.lesson_outline(request.user, course_slug)
    if lesson_slug not in (row.slug for row in outline):
        raise Http404(_("No such lesson."))
    done = {row.pk for row in outline if row.done}
    # Saving the course or any of its lessons changes this, and with it every key below.
    version = max(max(row.updated_at, row.course_updated_at) for row in outline).timestamp()
    page = LessonPage(request, course_slug, lesson_slug, done, version, language)
    if request.user.is_staff or request.GET or len(get_messages(request)):
        return page.render()
    parts = (course_slug, lesson_slug, language, version, request.user.is_authenticated, sorted(done))
    key = "lesson-page:" + hashlib.blake2b(repr(parts).encode(), digest_size=16).hexdigest()
    pieces = caches["local"].get(key)
    if pieces is None:
        pieces = HOLES.split(page.render(shared=True).content)  # bytes, holes at the odd places
        caches["local"].set(key, pieces, 3600)
    own = {
        NAME_HOLE.encode(): escape(request.user.get_username()).encode(),
        CSRF_HOLE.encode(): get_token(request).encode(),
    }
    return HttpResponse(b"".join(own.get(piece, piece) for piece in pieces))


@dataclass
class LessonPage:
    request: HttpRequest
    course_slug: str
    lesson_slug: str
    done: set[int]
    version: float
    language: str

    def render(self, shared: bool = False) -> HttpResponse:
        """The page, with two queries (the course's lessons for the navigation; this lesson). With `shared`,
        for any reader with the same progress: the name and the CSRF token are holes.

        The parts every reader sees alike (body, table of contents, practice) are cached per process by
        version; when they are cached, this lesson's big HTML is not even read."""
        language = self.language
        siblings = list(
            selectors.visible_lessons(self.request.user)
            .filter(course__slug=self.course_slug)
            .only(*selectors.LIST_FIELDS)
        )
        position = next(i for i, s in enumerate(siblings) if s.slug == self.lesson_slug)
        cached = all(
            caches["local"].has_key(
                make_template_fragment_key(name, [siblings[position].pk, self.version, language])
            )
            for name in ("lesson-toc", "lesson-body")
        )
        heavy = selectors.reading_fields(language) + (selectors.shown_fields(language) if cached else ())
        current = (
            Lesson.objects.select_related("course", "quiz")
            .defer(*heavy, *COURSE_TEXT)
            .get(pk=siblings[position].pk)
        )
        course_url = current.course.get_absolute_url()
        for sibling in siblings:
            sibling.url = f"{course_url}{sibling.slug}/"  # lessons live under their course (stable URLs)
        by_slug = {s.slug: s for s in siblings}
        return render(
            self.request,
            "lessons/lesson.html",
            {
                "lesson": current,
                "course": current.course,
                "siblings": siblings,
                "previous": siblings[position - 1] if position > 0 else None,
                "next": siblings[position + 1] if position + 1 < len(siblings) else None,
                "prerequisites": [by_slug[s] for s in current.prerequisites if s in by_slug],
                "done": self.done,
                "version": self.version,
                "complete_label": _("complete"),
                "complete": current.pk in self.done,
                "fallback": not selectors.translated(siblings[position], language),
                "labs": [LABS[slug] for slug in current.labs if slug in LABS],
                **({"user": SharedReader(self.request.user), "csrf_token": CSRF_HOLE} if shared else {}),
            },
        )


COURSE_TEXT = tuple(
    f"course__{name}" for name in ("intro_md_zh_hans", "intro_md_en", "intro_html_zh_hans", "intro_html_en")
)


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
    found = get_object_or_404(Concept, slug=slug)
    outgoing = ConceptRelation.objects.filter(source=found).select_related("target")
    incoming = ConceptRelation.objects.filter(target=found).select_related("source")
    mentioned_in = selectors.visible_lessons(request.user).filter(
        body_html__contains=f'href="/concepts/{slug}/"'
    )
    return render(
        request,
        "lessons/concept.html",
        {
            "concept": found,
            "outgoing": outgoing,
            "incoming": incoming,
            "lessons": mentioned_in.select_related("course").only(*selectors.LIST_FIELDS, "course__slug"),
            "labs": [LABS[s] for s in found.labs if s in LABS],
            "fallback": missing_translation(found, "body_md"),
        },
    )


def concept_map(request: HttpRequest) -> HttpResponse:
    nodes = [
        {"id": c.slug, "label": c.term, "definition": c.definition, "url": c.get_absolute_url()}
        for c in Concept.objects.all()
    ]
    edges = [
        {"source": r.source.slug, "target": r.target.slug, "kind": r.kind, "label": r.get_kind_display()}
        for r in ConceptRelation.objects.select_related("source", "target")
    ]
    return render(request, "lessons/concept_map.html", {"graph": {"nodes": nodes, "edges": edges}})


def faq(request: HttpRequest) -> HttpResponse:
    entries = list(FaqEntry.objects.all())
    ratings = {}
    if request.user.is_authenticated:
        ratings = dict(FaqRating.objects.filter(user=request.user).values_list("entry_id", "rating"))
    for entry in entries:
        entry.my_rating = ratings.get(entry.pk)
        entry.lab_list = [LABS[s] for s in entry.labs if s in LABS]
    return render(request, "lessons/faq.html", {"entries": entries, "ratings": FaqRating.Rating.choices})


@require_POST
@login_required
def faq_rate(request: HttpRequest, slug: str) -> HttpResponse:
    entry = get_object_or_404(FaqEntry, slug=slug)
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

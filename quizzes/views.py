from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth.models import AnonymousUser
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from core.documents import as_document
from lessons.views import draft_page

from . import selectors
from .models import Quiz


def quiz(request: HttpRequest, slug: str) -> HttpResponse:
    """A quiz's page: one document for every reader, its questions in the HTML (never their answers). The
    reader's attempts come from the API; a signed-in reader's line from /api/me/. A draft lesson's quiz is a
    draft: staff see it on a page of their own (not kept, not shared); for anyone else it does not exist."""
    template = "quizzes/quiz.html"
    try:
        return as_document(request, template, lambda: _quiz_context(AnonymousUser(), slug))
    except Http404:
        return draft_page(request, template, lambda: _quiz_context(request.user, slug))


def _quiz_context(reader, slug: str) -> dict:
    found = get_object_or_404(Quiz.objects.visible_to(reader).select_related("lesson__course"), slug=slug)
    return {"quiz": found, "questions_count": found.questions.current().count()}


@staff_member_required
def stats(request: HttpRequest, slug: str) -> HttpResponse:
    found = get_object_or_404(Quiz, slug=slug)
    return render(request, "quizzes/stats.html", {"quiz": found, "stats": selectors.question_stats(found)})

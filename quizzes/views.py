from django.contrib.admin.views.decorators import staff_member_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from core.documents import as_document

from . import selectors
from .models import Quiz


def quiz(request: HttpRequest, slug: str) -> HttpResponse:
    """A quiz's page: one document for every reader, its questions in the HTML (never their answers). The
    reader's attempts come from the API; a signed-in reader's line from /api/me/."""
    return as_document(request, "quizzes/quiz.html", lambda: _quiz_context(slug))


def _quiz_context(slug: str) -> dict:
    found = get_object_or_404(Quiz.objects.select_related("lesson__course"), slug=slug)
    return {"quiz": found, "questions_count": found.questions.current().count()}


@staff_member_required
def stats(request: HttpRequest, slug: str) -> HttpResponse:
    found = get_object_or_404(Quiz, slug=slug)
    return render(request, "quizzes/stats.html", {"quiz": found, "stats": selectors.question_stats(found)})

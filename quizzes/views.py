from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth.models import AnonymousUser
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from core.documents import as_document
from lessons.selectors import text_fields
from lessons.views import draft_page

from . import selectors
from .models import QuestionFile, Quiz

A_YEAR = 365 * 24 * 3600


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
    found = get_object_or_404(
        Quiz.objects.visible_to(reader).select_related("lesson__course").defer(*text_fields("lesson__")),
        slug=slug,
    )
    return {"quiz": found, "questions_count": found.questions.current().count()}


@staff_member_required
def stats(request: HttpRequest, slug: str) -> HttpResponse:
    found = get_object_or_404(Quiz, slug=slug)
    return render(request, "quizzes/stats.html", {"quiz": found, "stats": selectors.question_stats(found)})


def image(request: HttpRequest, digest: str, extension: str) -> HttpResponse:
    """A question's image, by its content's digest: the address changes when the bytes do, so it is cached for
    a year (publicly when a published quiz shows it, privately when only a draft's readers may see it). Served
    with the Content-Type its bytes were checked to be, and nosniff, so a browser never reads it as anything
    else."""
    visible = Quiz.objects.visible_to(request.user)
    found = (
        QuestionFile.objects.filter(digest=digest, question__quiz__in=visible)
        .only("digest", "content_type", "data")
        .first()
    )
    if found is None or not found.url.endswith(f".{extension}"):
        raise Http404
    public = QuestionFile.objects.filter(
        digest=digest, question__quiz__in=Quiz.objects.visible_to(AnonymousUser())
    ).exists()
    response = HttpResponse(bytes(found.data), content_type=found.content_type)
    response["Cache-Control"] = f"{'public' if public else 'private'}, max-age={A_YEAR}, immutable"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = "inline"
    return response

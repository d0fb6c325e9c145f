from django.contrib.admin.views.decorators import staff_member_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from . import selectors
from .models import Quiz


def quiz(request: HttpRequest, slug: str) -> HttpResponse:
    found = get_object_or_404(Quiz.objects.select_related("lesson__course"), slug=slug)
    return render(request, "quizzes/quiz.html", {"quiz": found})


@staff_member_required
def stats(request: HttpRequest, slug: str) -> HttpResponse:
    found = get_object_or_404(Quiz, slug=slug)
    return render(request, "quizzes/stats.html", {"quiz": found, "stats": selectors.question_stats(found)})

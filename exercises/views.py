from csp.constants import NONCE
from csp.decorators import csp_update
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from trainer.catalog import LABS

from . import selectors
from .content import exercises
from .services import TRAINABLE, sandbox_installed


def exercise_index(request: HttpRequest) -> HttpResponse:
    """Every code exercise, in the course's order, with the learner's passes."""
    found = selectors.progress(request.user, every=True)
    return render(request, "exercises/index.html", {"rows": found["rows"], "passed": found["passed"]})


# CodeMirror themes itself with a <style> element it writes at run time; this page alone lets a style element
# carrying the request's nonce in (scripts stay 'self' only; no other inline style is allowed).
@csp_update({"style-src": [NONCE]})
def exercise_page(request: HttpRequest, slug: str) -> HttpResponse:
    """The statement, the editor (its text is the learner's draft, read through the API), Check, the result."""
    exercise = exercises().get(slug)
    if exercise is None:
        raise Http404
    lab = LABS.get(exercise.lab)
    context = {
        "exercise": exercise,
        "words": exercise.in_language(),
        "lab": lab,
        "sandbox_missing": not sandbox_installed(),
        "trainable": lab is not None and exercise.slug in TRAINABLE,
    }
    return render(request, "exercises/exercise.html", context)

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from trainer.catalog import LABS

from . import selectors


def experiments(request: HttpRequest) -> HttpResponse:
    """Every guided experiment, by lesson and by lab, with the learner's status in each."""
    found = selectors.with_status(request.user)
    for experiment in found:
        experiment.lab_title = LABS[experiment.lab].title  # translated by the template
    labs = [(lab, [e for e in found if e.lab == lab.slug]) for lab in LABS.values()]
    context = {
        "lessons": selectors.by_lesson(found),
        "labs": [(lab, rows) for lab, rows in labs if rows],
        "passed": sum(e.status == selectors.PASSED for e in found),
        "total": len(found),
    }
    return render(request, "experiments/experiments.html", context)

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from .catalog import LABS


def labs(request: HttpRequest) -> HttpResponse:
    return render(request, "trainer/labs.html", {"labs": LABS.values()})


def lab(request: HttpRequest, slug: str) -> HttpResponse:
    found = LABS.get(slug)
    if found is None:
        raise Http404(_("No such lab."))
    return render(request, "trainer/lab.html", {"lab": found, "on_lab_page": True})

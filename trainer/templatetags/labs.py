from django import template
from django.template.loader import render_to_string
from django.utils.translation import gettext

from ..catalog import LABS
from ..catalog.lab import Lab
from ..forms import LabForm
from ..serializers import lab_description

register = template.Library()


def render_widget(lab: Lab, context: dict) -> str:
    """The widget's HTML for a page with this context (how lessons.practice draws a lab)."""
    return render_to_string("trainer/_lab.html", lab_widget(context, lab))


@register.inclusion_tag("trainer/_lab.html", takes_context=True)
def lab_widget(context: template.Context | dict, lab: Lab) -> dict:
    """A lab's form, live charts and run history, for a lab page, a lesson or a concept."""
    return {
        "lab": lab,
        "form": LabForm(lab),
        "description": lab_description(lab),
        "data_id": f"{lab.slug}-lab-data",
        "user": context.get("user"),
        "request": context.get("request"),
        # On the lab's own page the page's <h1> names the lab; in a lesson the widget has its own heading.
        "on_lab_page": context.get("on_lab_page", False),
        # A class's teacher watching a member's run (classes.views.run): the widget follows that run, read only.
        "readonly_job": context.get("readonly_job"),
    }


@register.filter
def lab_title(slug: str) -> str:
    """A lab's title in the reader's language, from its slug (a lab since removed reads as its slug)."""
    return gettext(LABS[slug].title) if slug in LABS else slug

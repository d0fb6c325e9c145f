from django import template

from ..forms import LabForm
from ..labs.base import Lab
from ..serializers import lab_description

register = template.Library()


@register.inclusion_tag("trainer/_lab.html", takes_context=True)
def lab_widget(context: template.Context, lab: Lab) -> dict:
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
    }

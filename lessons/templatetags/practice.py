from django import template
from django.utils.safestring import SafeString, mark_safe

from ..practice import LabWidget

register = template.Library()


@register.simple_tag(takes_context=True)
def lab_widget(context: template.Context, lab: LabWidget) -> SafeString:
    """A registered lab's widget, drawn for this page (its HTML comes from the template of the app that owns
    the lab)."""
    return mark_safe(lab.draw(context.flatten()))  # noqa: S308 (rendered by a template, escaped there)

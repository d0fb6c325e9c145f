"""`{% due_work %}`: the work a learner's classes set them, soonest first (on the progress page)."""

from django import template

from classes.selectors import due_for

register = template.Library()


@register.inclusion_tag("classes/_due.html", takes_context=True)
def due_work(context: template.Context) -> dict:
    return {"due": due_for(context["request"].user)}

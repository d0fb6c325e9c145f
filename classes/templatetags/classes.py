"""`{% due_work %}`: the work a learner's classes set them, soonest first (on the progress page); `|math_text`:
plain text with its formulas typeset (classes/readable.py)."""

from django import template

from classes.readable import math_text as _math_text
from classes.selectors import due_for

register = template.Library()


@register.inclusion_tag("classes/_due.html", takes_context=True)
def due_work(context: template.Context) -> dict:
    return {"due": due_for(context["request"].user)}


@register.filter
def math_text(text: object) -> str:
    return _math_text(text)

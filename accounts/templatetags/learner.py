"""The learner's own part of a page rendered for them: `{% next_steps user as steps %}`."""

from django import template

from accounts.selectors import Step
from accounts.selectors import next_steps as steps_of

register = template.Library()


@register.simple_tag
def next_steps(user) -> list[Step]:
    return steps_of(user) if user.is_authenticated else []

from django import template

from ..models import Concept

register = template.Library()


@register.filter
def concepts_named(slugs: list[str]) -> list[tuple[str, str | None]]:
    """A lesson's tags (concept slugs) as (the concept's term in the active language, its page), in order; a
    tag that names no concept reads as itself, without a link."""
    found = {c.slug: c for c in Concept.objects.filter(slug__in=slugs)}
    return [(found[s].term, found[s].get_absolute_url()) if s in found else (s, None) for s in slugs]

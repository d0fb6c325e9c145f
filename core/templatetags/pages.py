from django import template
from django.core.exceptions import DisallowedHost
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from ..languages import alternates, canonical, without_language

register = template.Library()


@register.simple_tag(takes_context=True)
def page_addresses(context: template.Context) -> SafeString | str:
    """The page's own address and each language's (core.languages), for its <head>."""
    request = context.get("request")
    if request is None:
        return ""
    try:
        request.get_host()
    except DisallowedHost:  # the page that answers a request for a host the platform does not serve
        return ""
    own = format_html('<link rel="canonical" href="{}">', canonical(request))
    versions = format_html_join("\n  ", '<link rel="alternate" hreflang="{}" href="{}">', alternates(request))
    return format_html("{}\n  {}", own, versions)


@register.simple_tag(takes_context=True)
def language_switch_next(context: template.Context) -> str:
    """Where the language switch returns to: this address without `?lang=`."""
    request = context.get("request")
    return without_language(request) if request is not None else "/"

"""Each language's version of a page has an address of its own: the page's path with `?lang=<code>`.

A reader gets the language of their choice (the language cookie) or their browser's (Accept-Language), at the
page's plain address. A search engine's crawler sends neither, so it would only ever see the default language
there: `?lang=en` serves the English version to anyone, and every page names its versions in its <head>
(`<link rel="alternate" hreflang>`, the plain address as `x-default`) and its own address (`rel="canonical"`).

The parameter is read by `LanguageFromAddress`, a middleware placed right after Django's LocaleMiddleware. A
page kept by `core.documents.DocumentFront` is never served for an address with a query string, and the
document's name already holds its language.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.encoding import iri_to_uri

PARAMETER = "lang"


def from_address(request: HttpRequest) -> str | None:
    """The language the address asks for (`?lang=en`, `?lang=zh-Hans`), or None when it asks for none or for
    one the platform does not speak (then the reader's own choice applies, as without it)."""
    asked = request.GET.get(PARAMETER, "")
    if not asked or len(asked) > 20:
        return None
    try:
        code = translation.get_supported_language_variant(asked.lower().replace("_", "-"), strict=True)
    except LookupError:
        return None
    return code


class LanguageFromAddress:
    """Serves a page in the language its address asks for, over the cookie and the browser's languages."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        code = from_address(request)
        if code is not None:
            translation.activate(code)
            request.LANGUAGE_CODE = code
        return self.get_response(request)


def page_address(request: HttpRequest, language: str | None = None) -> str:
    """The page's absolute address in `language` (None: its plain address, whose language the reader's choice
    or browser decides). Other query parameters are left out: a page is named by its path."""
    origin = f"{request.scheme}://{request.get_host()}"
    query = "?" + urlencode({PARAMETER: language}) if language else ""
    return origin + iri_to_uri(request.path) + query


def in_language(path: str, language: str) -> str:
    """A page's path that serves it in `language`, whatever the reader's own choice (a search hit in the other
    language links to the page in that language, where the words found are)."""
    return iri_to_uri(path) + "?" + urlencode({PARAMETER: language})


def alternates(request: HttpRequest) -> list[tuple[str, str]]:
    """(hreflang, address) for every language the platform speaks, and x-default for the plain address."""
    return [(code, page_address(request, code)) for code, _name in settings.LANGUAGES] + [
        ("x-default", page_address(request))
    ]


def canonical(request: HttpRequest) -> str:
    """The page's own address: with `?lang=` when it was asked for that way, else the plain one."""
    return page_address(request, from_address(request))


def without_language(request: HttpRequest) -> str:
    """The address the reader is at, without `?lang=`: where the language switch returns to, so that the
    language just chosen is the one that shows."""
    query = request.GET.copy()
    query.pop(PARAMETER, None)
    encoded = query.urlencode()
    return iri_to_uri(request.path) + ("?" + encoded if encoded else "")

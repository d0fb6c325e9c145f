"""Lists that page through everything, newest first, without changing their shape: a page is the same JSON list
as before, and a `Link: <…?before=ID>; rel="next"` header (as GitHub's API) names the next page while there is
one. The cursor is a row id, so a row added meanwhile never shifts a page."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter
from rest_framework.request import Request
from rest_framework.response import Response

from .errors import UserError

BEFORE = OpenApiParameter(
    "before", int, description="Only rows older than this id: the next page, as the `Link` header names it."
)


def page(request: Request, rows: QuerySet, size: int) -> tuple[list, str | None]:
    """One page of `rows` (newest first by id) and the URL of the next one, or None on the last page."""
    before = request.query_params.get("before")
    if before is not None:
        if not (before.isascii() and before.isdigit()) or len(before) > 18:
            raise UserError(_("“before” must be a row id."), field="before")
        rows = rows.filter(pk__lt=int(before))
    found = list(rows.order_by("-pk")[: size + 1])
    if len(found) <= size:
        return found, None
    found = found[:size]
    query = request.query_params.copy()
    query["before"] = str(found[-1].pk)
    return found, request.build_absolute_uri(f"{request.path}?{query.urlencode()}")


def with_next(response: Response, next_url: str | None) -> Response:
    if next_url:
        response["Link"] = f'<{next_url}>; rel="next"'
    return response

"""The OpenAPI schema: one place that documents what every operation can answer besides success, the schema
view that serves it the same in every language, and the fixes that let generated clients use it untouched.

The error bodies are the ones core's exception handler writes, described once here as shared components
(`Error`, `ValidationError`) and attached to every operation by a post-processing hook, so endpoints added
later document them too without per-view copies.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.template.response import SimpleTemplateResponse
from django.utils import translation
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView
from rest_framework.request import Request
from rest_framework.response import Response

SCHEMA_LANGUAGE = "en"  # titles and descriptions come from gettext; generated code must not depend on them

# The bodies core.api.exception_handler writes: DRF's `{"detail": message}`, or `{field: [messages]}` when the
# problem is one field's (a nested object's field errors nest the same way), with the platform's `code`.
ERROR = {
    "type": "object",
    "description": "What went wrong, in the reader's language: `detail`, or the messages under the field it "
    "concerns; `code` names the kind of problem for programs.",
    "properties": {"detail": {"type": "string"}, "code": {"type": "string"}},
    "additionalProperties": True,
}
VALIDATION_ERROR = {
    "type": "object",
    "description": 'The fields that are wrong, each with its messages ({"field": ["message"]}, nested for a '
    'nested object); a problem with the request as a whole is under "detail" or "non_field_errors".',
    "properties": {
        "detail": {"type": "string"},
        "code": {"type": "string"},
        "non_field_errors": {"type": "array", "items": {"type": "string"}},
    },
    "additionalProperties": True,
}
RETRY_AFTER = {
    "Retry-After": {"description": "Seconds to wait before trying again.", "schema": {"type": "integer"}}
}

# code -> (description, component, headers, which operations answer it)
ANSWERS: dict[str, tuple[str, str, dict, str]] = {
    "400": ("The request is not valid; the body says which field and why.", "ValidationError", {}, "input"),
    "401": ("No valid credentials (or a revoked or expired token).", "Error", {}, "all"),
    "403": ("Not allowed (or a CSRF failure for a session-authenticated write).", "Error", {}, "all"),
    "404": ("No such object, or not yours.", "Error", {}, "path"),
    "409": (
        "The object is not in a state that allows this (e.g. a job that has ended).",
        "Error",
        {},
        "write",
    ),
    "413": ("The request body is too large.", "Error", {}, "body"),
    "415": ("The request body is not JSON.", "Error", {}, "body"),
    "429": ("Too many requests; wait as long as Retry-After says.", "Error", RETRY_AFTER, "all"),
    "503": (
        "The platform cannot serve this right now (e.g. its database is down).",
        "Error",
        RETRY_AFTER,
        "all",
    ),
}
WRITES = {"post", "put", "patch", "delete"}


def _applies(which: str, method: str, operation: dict) -> bool:
    has_path_parameter = any(p.get("in") == "path" for p in operation.get("parameters", []))
    return {
        "all": True,
        "path": has_path_parameter,
        "write": method in WRITES,
        "body": "requestBody" in operation,
        "input": "requestBody" in operation or bool(operation.get("parameters")),
    }[which]


def add_error_responses(result: dict, generator, request, public) -> dict:
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas["Error"] = ERROR
    schemas["ValidationError"] = VALIDATION_ERROR
    for path in result.get("paths", {}).values():
        for method, operation in path.items():
            responses = operation.setdefault("responses", {})
            for code, (description, component, headers, which) in ANSWERS.items():
                if code not in responses and not _applies(which, method, operation):
                    continue
                answer = responses.setdefault(code, {"description": description})
                answer.setdefault(
                    "content", {"application/json": {"schema": {"$ref": f"#/components/schemas/{component}"}}}
                )
                if headers:
                    answer.setdefault("headers", headers)
    return result


def token_login(result: dict, generator, request, public) -> dict:
    """`POST /api/token/` is how a client gets credentials, so it needs none."""
    operation = result["paths"].get("/api/token/", {}).get("post")
    if operation:
        operation["security"] = []
    return result


def json_bodies(result: dict, generator, request, public) -> dict:
    """Every request body is documented as JSON only. DRF's views also read forms, but a form cannot carry
    the nested objects most bodies hold, and a generated client offered three content types for one body
    sends it wrongly (openapi-python-client set JSON, then form data, then multipart, the last one winning)."""
    for path in result.get("paths", {}).values():
        for operation in path.values():
            content = operation.get("requestBody", {}).get("content", {})
            if "application/json" in content:
                for media_type in [m for m in content if m != "application/json"]:
                    del content[media_type]
    return result


class SchemaView(SpectacularAPIView):
    """The schema in one language whatever the request's, so generated code does not change with the locale."""

    @extend_schema(exclude=True)  # as drf-spectacular's own view (SERVE_INCLUDE_SCHEMA is off)
    def get(self, request: Request, *args, **kwargs) -> Response:
        return super().get(request, *args, **kwargs)

    def dispatch(self, request: HttpRequest, *args, **kwargs) -> HttpResponseBase:
        with translation.override(SCHEMA_LANGUAGE):
            response = super().dispatch(request, *args, **kwargs)
            if isinstance(response, SimpleTemplateResponse):
                response.render()  # while the language is still the schema's
        return response

"""The OpenAPI schema says what every operation really answers: DRF's errors (400, 401, 403, 404, 405, 429) are
documented once here instead of on every view."""

ERROR = {
    "type": "object",
    "description": '{"detail": message} or {field: [messages]}',
    "additionalProperties": True,
}
ANSWERS = {
    "400": "The request is not valid; the body says which field and why.",
    "401": "No valid credentials.",
    "403": "Not allowed (or a CSRF failure for a session-authenticated write).",
    "404": "No such object, or not yours.",
    "405": "Method not allowed.",
    "429": "Too many requests; try again later.",
}


def add_error_responses(result: dict, generator, request, public) -> dict:
    for path in result.get("paths", {}).values():
        for operation in path.values():
            responses = operation.setdefault("responses", {})
            for code, description in ANSWERS.items():
                responses.setdefault(code, {"description": description,
                                            "content": {"application/json": {"schema": ERROR}}})  # fmt: skip
    return result

"""The event stream is a small ASGI endpoint in front of Django (trainer/events.py), not a DRF view, so
drf-spectacular cannot see it; this hook adds it to the OpenAPI schema by hand, with the events it sends."""

EVENTS_DESCRIPTION = """Server-Sent Events (text/event-stream) for one training job, from its queue position to its end.

Events: `queued` {position}; `status` {status, attempt, device}; `progress` {points: [{step, loss, …}], step, total,
progress (0–1), eta_s, frame?}; `restart` {attempt} (the worker was lost; a fresh attempt follows);
`snapshot` {status, points, frame, metrics, error, …} (an ended job, replayed whole); `end` {status, metrics,
visuals, error, device, seconds}. Each event's `id` is `<attempt>-<stream entry id>`: reconnect with the
`Last-Event-ID` header to resume with nothing lost and nothing repeated. Comment lines keep idle connections open.
Only the job's owner and staff may read it; anyone else gets 404."""


def add_event_stream(result: dict, generator, request, public) -> dict:
    result["paths"]["/api/jobs/{job_id}/events"] = {
        "get": {
            "operationId": "jobs_events",
            "summary": "Follow a training job live",
            "description": EVENTS_DESCRIPTION,
            "tags": ["jobs"],
            "parameters": [
                {"name": "job_id", "in": "path", "required": True, "schema": {"type": "integer"}},
                {
                    "name": "Last-Event-ID",
                    "in": "header",
                    "required": False,
                    "schema": {"type": "string"},
                    "description": "The id of the last event received, to resume after it.",
                },
            ],
            "security": [{"cookieAuth": []}, {"tokenAuth": []}],
            "responses": {
                "200": {
                    "description": "The event stream",
                    "content": {"text/event-stream": {"schema": {"type": "string"}}},
                },
                "204": {
                    "description": "Nothing more will come: the `Last-Event-ID` sent is the job's `end` event or "
                    "past it (an EventSource stops reconnecting)"
                },
                "401": {
                    "description": "Nobody signed in, or a token that is not valid",
                    "headers": {"WWW-Authenticate": {"schema": {"type": "string"}}},
                },
                "404": {"description": "No such job, or not yours"},
            },
        }
    }
    return result


def history_on_request(result: dict, generator, request, public) -> dict:
    """GET /api/jobs/{id}/ sends `history` and `visuals` only when asked (`?history=true`): not required."""
    detail = result["components"]["schemas"]["JobDetail"]
    detail["required"] = [name for name in detail["required"] if name not in ("history", "visuals")]
    return result

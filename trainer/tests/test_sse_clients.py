"""The event stream works with any Server-Sent Events client, not only the lab page's EventSource: two
independent libraries (sseclient-py over the standard library's HTTP, httpx-sse over httpx) follow a real
job run by a real worker, resume mid-run with Last-Event-ID, and replay the ended job, with every reported
step seen once and in order."""

from __future__ import annotations

import json
import time
import urllib.request
from collections.abc import Iterator

import httpx
import pytest
import sseclient
from httpx_sse import connect_sse
from rest_framework.authtoken.models import Token

pytestmark = pytest.mark.worker

STEPS, EVERY = 3001, 10  # reported steps 0, 10, ..., 3000: long enough to be caught mid-run


@pytest.fixture
def token(student) -> str:
    return Token.objects.create(user=student).key


def submit(base: str, token: str) -> dict:
    body = {"lab": "linear-regression", "params": {"steps": STEPS, "report_every": EVERY}}
    response = httpx.post(f"{base}/api/jobs/", json=body, headers={"Authorization": f"Token {token}"})
    assert response.status_code == 201, response.text
    return response.json()


def sseclient_events(
    url: str, token: str, last_event_id: str | None = None
) -> Iterator[tuple[str, str, dict]]:
    """(event, id, data) as sseclient-py reads them from a plain urllib response."""
    headers = {"Authorization": f"Token {token}", "Accept": "text/event-stream"}
    if last_event_id:
        headers["Last-Event-ID"] = last_event_id
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=60) as response:
        for event in sseclient.SSEClient(response).events():
            yield event.event, event.id, json.loads(event.data)


def httpx_sse_events(
    url: str, token: str, last_event_id: str | None = None
) -> Iterator[tuple[str, str, dict]]:
    """(event, id, data) as httpx-sse reads them. It also yields a block with no data (a keep-alive comment
    after an event with an id), which the SSE specification does not dispatch as an event: skipped, as a
    browser would."""
    headers = {"Authorization": f"Token {token}"}
    if last_event_id:
        headers["Last-Event-ID"] = last_event_id
    with httpx.Client(timeout=60) as client, connect_sse(client, "GET", url, headers=headers) as source:
        for event in source.iter_sse():
            if event.data:
                yield event.event, event.id, event.json()


def steps(events: list[tuple[str, str, dict]]) -> list[int]:
    """Every reported step, from live progress events or from an ended job's snapshot."""
    found = []
    for kind, _id, data in events:
        if kind in ("progress", "snapshot"):
            found += [point["step"] for point in data["points"]]
    return found


@pytest.mark.parametrize("read", [sseclient_events, httpx_sse_events], ids=["sseclient-py", "httpx-sse"])
def test_a_client_resumes_mid_run_then_replays_the_ended_job(read, worker, asgi_server, token):
    job = submit(asgi_server.url, token)
    url = asgi_server.url + job["events_url"]

    first = []
    for event in read(url, token):  # leave while the job runs, after its first reported points
        first.append(event)
        if event[0] == "progress" and event[2]["points"]:
            break
    last_id = [event_id for _kind, event_id, _data in first if event_id][-1]
    rest = list(read(url, token, last_event_id=last_id))  # the server closes the stream after `end`
    assert rest[-1][0] == "end" and rest[-1][2]["status"] == "succeeded"
    assert steps(first) + steps(rest) == list(range(0, STEPS, EVERY)), "each step once, in order"

    replay = list(read(url, token))  # a new reader of the ended job gets all of it, then the stream closes
    assert replay[-1][0] == "end"
    assert steps(replay) == list(range(0, STEPS, EVERY))


def test_a_reconnect_with_the_end_events_id_closes_at_once(worker, asgi_server, token):
    """Issue 13 item 9's rule (trainer/events.py): nothing comes after `end`. Read with plain httpx and a
    clock, because keep-alive comments would keep any read timeout from firing."""
    job = submit(asgi_server.url, token)
    url = asgi_server.url + job["events_url"]
    end_id = next(event_id for kind, event_id, _data in httpx_sse_events(url, token) if kind == "end")
    headers = {"Authorization": f"Token {token}", "Last-Event-ID": end_id}
    started = time.monotonic()
    with httpx.stream("GET", url, headers=headers, timeout=30) as response:
        assert response.status_code == 204  # the SSE specification's "do not reconnect"
        lines = []
        for line in response.iter_lines():
            lines.append(line)
            assert time.monotonic() - started < 5, f"the stream stayed open after `end`: {lines}"
    assert not [line for line in lines if line.startswith(("event:", "data:"))]

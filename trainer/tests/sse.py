"""A small Server-Sent Events client for the tests: real HTTP to the real ASGI server."""

from __future__ import annotations

import http.client
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit


@dataclass
class Event:
    event: str
    data: dict
    id: str | None


def stream(
    base: str, path: str, session: str, last_event_id: str | None = None, timeout: float = 120
) -> Iterator[Event]:
    parts = urlsplit(base)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    headers = {"Cookie": f"sessionid={session}", "Accept": "text/event-stream"}
    if last_event_id:
        headers["Last-Event-ID"] = last_event_id
    connection.request("GET", path, headers=headers)
    response = connection.getresponse()
    if response.status != 200:
        raise AssertionError(f"{path}: HTTP {response.status}: {response.read()[:300]!r}")
    assert response.getheader("Content-Type", "").startswith("text/event-stream")
    fields: dict[str, str] = {}
    try:
        for raw in response:
            line = raw.decode().rstrip("\r\n")
            if not line:
                if "data" in fields:
                    yield Event(fields.get("event", "message"), json.loads(fields["data"]), fields.get("id"))
                fields = {}
            elif not line.startswith(":"):
                name, _sep, value = line.partition(": ")
                fields[name] = value
    finally:
        connection.close()


def read_until(events: Iterator[Event], stop: Callable[[Event], bool]) -> list[Event]:
    seen = []
    for event in events:
        seen.append(event)
        if stop(event):
            break
    return seen

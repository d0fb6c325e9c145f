"""The event stream follows the site's rules: allowed hosts, a cap on open streams per user, and an end that
is final (real ASGI server, real Redis; the job's events are written as a worker writes them)."""

import http.client
import json
import time
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.utils import timezone

from core import redis_clients
from trainer.events import snapshot
from trainer.models import Job
from trainer.streams import Writer, stream_key

from .sse import read_until, stream


@pytest.fixture
def session(client, student) -> str:
    client.force_login(student)
    return client.cookies["sessionid"].value


def request(server, path: str, session: str, **headers: str) -> http.client.HTTPResponse:
    """GET `path`, returning the response with its body unread (a stream stays open)."""
    parts = urlsplit(server.url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=5)
    connection.putrequest("GET", path, skip_host="Host" in headers)
    for name, value in {"Cookie": f"sessionid={session}", "Accept": "text/event-stream", **headers}.items():
        connection.putheader(name, value)
    connection.endheaders()
    return connection.getresponse()


def ended_job(owner, steps: int = 3) -> Job:
    """A job that ran and ended, with the stream a worker leaves behind: progress events, then `end`."""
    job = Job.objects.create(owner=owner, lab="linear-regression", params={}, status="succeeded", attempt=1,
                             history=[{"step": n, "loss": 1.0 / (n + 1)} for n in range(steps)])  # fmt: skip
    redis_clients.client().delete(stream_key(job.pk, 1))
    writer = Writer(job.pk, 1)
    for point in job.history:
        writer.event("progress", {"points": [point]})
    time.sleep(0.002)  # the last emit, saving the row and the `end` event each take a while
    job.finished_at = timezone.now()
    job.save(update_fields=["finished_at"])
    time.sleep(0.002)
    writer.end({"status": "succeeded"})
    return job


def events_path(job: Job) -> str:
    return f"/api/jobs/{job.pk}/events"


class AllowedHostsTests:
    def test_it_refuses_a_host_that_is_not_allowed_as_every_page_does(self, student, session, asgi_server):
        job = ended_job(student)
        response = request(
            asgi_server, events_path(job), session, Host="attacker.example", **{"Accept-Language": "en"}
        )
        assert response.status == 400
        assert response.getheader("Content-Type") == "application/json"
        assert "host" in json.loads(response.read())["detail"]
        assert request(asgi_server, events_path(job), session, Host="localhost").status == 200


class OpenStreamsCapTests:
    def test_it_answers_429_past_the_cap_and_frees_a_place_when_a_stream_closes(
        self, student, other_student, session, asgi_server, settings
    ):
        settings.EVENT_STREAMS_PER_USER = 2
        job = Job.objects.create(
            owner=student, lab="linear-regression", params={}
        )  # queued: streams stay open
        open_streams = [request(asgi_server, events_path(job), session) for _ in range(2)]
        assert [r.status for r in open_streams] == [200, 200]

        refused = request(asgi_server, events_path(job), session, **{"Accept-Language": "en"})
        assert refused.status == 429
        assert int(refused.getheader("Retry-After")) > 0
        assert "Too many open event streams" in json.loads(refused.read())["detail"]

        theirs = Job.objects.create(owner=other_student, lab="linear-regression", params={})
        other = Client()
        other.force_login(other_student)
        open_streams.append(request(asgi_server, events_path(theirs), other.cookies["sessionid"].value))
        assert open_streams[-1].status == 200, "the cap is per user"

        open_streams.pop(0).close()
        deadline = time.monotonic() + 10
        while (again := request(asgi_server, events_path(job), session)).status == 429:
            assert time.monotonic() < deadline, "a closed stream gives its place back"
            time.sleep(0.2)
        open_streams.append(again)
        assert again.status == 200
        for response in open_streams:
            response.close()


class EndOfStreamTests:
    def test_the_server_closes_the_stream_after_end(self, student, session, asgi_server):
        job = ended_job(student)
        started = time.monotonic()
        events = list(stream(asgi_server.url, events_path(job), session, timeout=5))  # to the end of the body
        assert [e.event for e in events] == ["progress"] * 3 + ["end"]
        assert time.monotonic() - started < 3

    def test_a_resume_with_the_end_id_or_any_id_past_it_closes_at_once(self, student, session, asgi_server):
        job = ended_job(student)
        end = read_until(
            stream(asgi_server.url, events_path(job), session, timeout=5), lambda e: e.event == "end"
        )
        attempt, milliseconds, sequence = end[-1].id.split("-")
        past = [end[-1].id, f"{attempt}-{milliseconds}-{int(sequence) + 1}", f"1-{int(milliseconds) + 60_000}-0",
                f"2-{milliseconds}-{sequence}"]  # fmt: skip
        for last_event_id in past:
            response = request(asgi_server, events_path(job), session, **{"Last-Event-ID": last_event_id})
            assert (response.status, response.read()) == (204, b""), last_event_id
        before_end = request(asgi_server, events_path(job), session, **{"Last-Event-ID": end[-2].id})
        assert before_end.status == 200 and b"event: end" in before_end.read()

    def test_a_bogus_resume_on_a_live_job_gets_the_stream_from_its_start(self, student, session, asgi_server):
        """Not an empty 200 that the browser reconnects to for ever: an id the job never sent is ignored."""
        job = Job.objects.create(
            owner=student, lab="linear-regression", params={}, status="running", attempt=1
        )
        redis_clients.client().delete(stream_key(job.pk, 1))
        Writer(job.pk, 1).event("progress", {"points": [{"step": 0, "loss": 1.0}]})
        for bogus in ("1-99999999999999-0", "7-1-0"):
            response = request(asgi_server, events_path(job), session, **{"Last-Event-ID": bogus})
            assert response.status == 200
            received, deadline = b"", time.monotonic() + 4
            while b"event: progress" not in received and time.monotonic() < deadline:
                received += response.read1(65536)
            assert b"event: progress" in received, (bogus, received)
            response.close()

    def test_a_resume_after_the_stream_expired_replays_nothing_the_client_has(
        self, student, session, asgi_server
    ):
        job = ended_job(student)
        had = list(stream(asgi_server.url, events_path(job), session, timeout=5))
        redis_clients.client().delete(stream_key(job.pk, 1))  # the ended stream's hour is over

        response = request(asgi_server, events_path(job), session, **{"Last-Event-ID": had[-1].id})
        assert (response.status, response.read()) == (204, b""), "the client has every event already"

        # A client that missed the end gets the whole job once, as a snapshot; then nothing more.
        missed = list(stream(asgi_server.url, events_path(job), session, last_event_id=had[0].id, timeout=5))
        assert [e.event for e in missed] == ["snapshot", "end"] and missed[-1].id
        response = request(asgi_server, events_path(job), session, **{"Last-Event-ID": missed[-1].id})
        assert response.status == 204


class StreamOpeningTests:
    def test_the_first_block_is_an_event_with_data_carrying_the_retry_delay(
        self, student, session, asgi_server
    ):
        """A block with no data (a lone `retry:`) is an empty event to some SSE clients."""
        job = ended_job(student)
        response = request(asgi_server, events_path(job), session)
        first = response.read().split(b"\n\n")[0].split(b"\n")
        assert first[0] == b"retry: 1000"
        assert any(line.startswith(b"data: ") for line in first), first


class ExpiredStreamTests:
    def test_the_replayed_end_id_is_past_the_id_the_client_last_had(self, student):
        """The stream's ids are Redis's clock, the end time the worker's: a client following a job whose
        stream expires under it, having seen ids later than the row's end time, never gets an id below them."""
        job = ended_job(student)
        seen = int(job.finished_at.timestamp() * 1000) + 5_000  # Redis's clock 5 s ahead of the worker's
        replay = snapshot(job, (1, f"{seen}-3")).decode()
        end_id = next(line for line in replay.splitlines() if line.startswith("id: "))[4:]
        assert tuple(map(int, end_id.split("-"))) > (1, seen, 3)


class AnonymousStreamTests:
    def test_nobody_signed_in_gets_401_with_the_token_challenge(self, student, asgi_server):
        job = ended_job(student)
        response = request(asgi_server, events_path(job), "not-a-session", **{"Accept-Language": "en"})
        assert response.status == 401
        assert response.getheader("WWW-Authenticate") == "Token"
        assert json.loads(response.read())["code"] == "not_authenticated"

"""The whole path with a real Celery worker process, the real Redis and the real ASGI server: submit through
the API, train in the worker, read the Server-Sent Events to the end."""

import time

import pytest
from django.utils.translation import override

from core import redis_clients
from trainer import services
from trainer.catalog import LABS
from trainer.forms import defaults
from trainer.models import Job
from trainer.streams import Lease, lease_key, stream_key

from .sse import read_until, stream

pytestmark = pytest.mark.worker


@pytest.fixture
def learner(client, student):
    client.force_login(student)
    client.session_id = client.cookies["sessionid"].value
    return client


def submit(client, lab="linear-regression", **params) -> dict:
    response = client.post("/api/jobs/", {"lab": lab, "params": params}, content_type="application/json")
    assert response.status_code == 201, response.content
    return response.json()


def points(events) -> list[dict]:
    return [p for e in events if e.event == "progress" for p in e.data["points"]]


class LiveTrainingTests:
    def test_the_seed_linear_regression_streams_to_the_end_and_recovers_w_and_b(
        self, learner, worker, asgi_server
    ):
        job = submit(learner)
        events = read_until(
            stream(asgi_server.url, job["events_url"], learner.session_id), lambda e: e.event == "end"
        )
        kinds = [e.event for e in events]
        assert kinds[0] in ("queued", "status") and "progress" in kinds and kinds[-1] == "end"
        steps = [p["step"] for p in points(events)]
        assert steps == list(range(0, 2001, 20)), "every reported step once, in order"
        assert all(e.id for e in events if e.event in ("progress", "end"))
        end = events[-1].data
        assert end["status"] == "succeeded" and end["device"] == "cpu"
        detail = learner.get(f"/api/jobs/{job['id']}/").json()
        assert abs(detail["metrics"]["w"] - 0.1) < 0.01 and abs(detail["metrics"]["b"] - 0.3) < 0.01
        assert detail["status"] == "succeeded" and detail["device"] == "cpu"

    def test_a_reconnect_with_last_event_id_loses_nothing_and_repeats_nothing(
        self, learner, worker, asgi_server
    ):
        job = submit(learner, steps=6001, report_every=10)
        first = read_until(
            stream(asgi_server.url, job["events_url"], learner.session_id),
            lambda e: e.event == "progress" and len(e.data["points"]) > 0,
        )
        last_id = [e.id for e in first if e.id][-1]
        rest = read_until(
            stream(asgi_server.url, job["events_url"], learner.session_id, last_event_id=last_id),
            lambda e: e.event == "end",
        )
        steps = [p["step"] for p in points(first) + points(rest)]
        assert steps == list(range(0, 6001, 10))
        assert rest[-1].data["status"] == "succeeded"

    def test_an_ended_job_replays_from_the_database_once_its_stream_is_gone(
        self, learner, worker, asgi_server
    ):
        job = submit(learner, steps=201)
        read_until(stream(asgi_server.url, job["events_url"], learner.session_id), lambda e: e.event == "end")
        redis_clients.client().delete(stream_key(job["id"], 1))
        replay = list(stream(asgi_server.url, job["events_url"], learner.session_id))
        assert [e.event for e in replay] == ["snapshot", "end"]
        assert [p["step"] for p in replay[0].data["points"]] == list(range(0, 201, 20))

    def test_cancel_stops_a_running_job_within_about_a_second(self, learner, worker, asgi_server):
        job = submit(learner, steps=20000, report_every=1)
        events = stream(asgi_server.url, job["events_url"], learner.session_id)
        read_until(events, lambda e: e.event == "progress")
        asked = time.monotonic()
        assert learner.post(f"/api/jobs/{job['id']}/cancel/").status_code == 200
        end = read_until(events, lambda e: e.event == "end")[-1]
        assert time.monotonic() - asked < 2.0
        assert end.data["status"] == "cancelled"
        assert Job.objects.get(pk=job["id"]).status == "cancelled"
        # Cancelled by a learner reading Chinese, read by one reading English: in English.
        assert learner.get(f"/api/jobs/{job['id']}/", HTTP_ACCEPT_LANGUAGE="en").json()["error"] == (
            "Cancelled by the learner."
        )

    def test_the_same_seed_gives_the_same_numbers(self, learner, worker, asgi_server):
        runs = []
        for _ in range(2):
            job = submit(learner, steps=101, seed=7)
            read_until(
                stream(asgi_server.url, job["events_url"], learner.session_id), lambda e: e.event == "end"
            )
            runs.append(learner.get(f"/api/jobs/{job['id']}/").json()["metrics"])
        assert runs[0] == runs[1]


class EventStreamAccessTests:
    def test_only_the_owner_may_follow_a_job(self, client, student, other_student, asgi_server):
        job = Job.objects.create(owner=other_student, lab="linear-regression", params={}, status="succeeded")
        client.force_login(student)
        with pytest.raises(AssertionError, match="HTTP 404"):
            next(stream(asgi_server.url, f"/api/jobs/{job.pk}/events", client.cookies["sessionid"].value))
        with pytest.raises(AssertionError, match="HTTP 401"):  # nobody signed in: log in first
            next(stream(asgi_server.url, f"/api/jobs/{job.pk}/events", "not-a-session"))

    def test_a_token_works_like_a_session(self, student, asgi_server):
        import http.client
        from urllib.parse import urlsplit

        from rest_framework.authtoken.models import Token

        job = Job.objects.create(owner=student, lab="linear-regression", params={}, status="succeeded",
                                 history=[{"step": 0, "loss": 1.0}])  # fmt: skip
        token = Token.objects.create(user=student).key
        parts = urlsplit(asgi_server.url)
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
        connection.request("GET", f"/api/jobs/{job.pk}/events", headers={"Authorization": f"Token {token}"})
        response = connection.getresponse()
        body = response.read().decode()
        assert response.status == 200 and "event: snapshot" in body and "event: end" in body


class TimeLimitTests:
    def test_a_job_over_its_time_limit_ends_stopped_with_the_reason_and_what_it_learned(
        self, student, worker
    ):
        from trainer.tasks import run_job

        params = {**defaults(LABS["linear-regression"]), "steps": 20000, "report_every": 1}
        job = Job.objects.create(owner=student, lab="linear-regression", language="en", params=params)
        run_job.apply_async(args=[job.pk], queue="cpu", soft_time_limit=1, time_limit=30)
        deadline = time.monotonic() + 30
        while Job.objects.get(pk=job.pk).status in ("queued", "running") and time.monotonic() < deadline:
            time.sleep(0.2)
        job.refresh_from_db()
        assert job.status == "stopped"
        assert job.history and job.metrics["stopped_at_step"] == job.history[-1]["step"] < 19999
        assert job.metrics["loss"] == job.history[-1]["loss"], "its metrics are the last values it reached"
        with override("en"):  # the reason is stored as a code and read in the reader's language
            assert job.error_message.startswith("Stopped at this lab's time limit of 1 seconds.")


@pytest.mark.django_db
class SweeperTests:
    def test_a_running_job_whose_lease_lapsed_is_queued_again_for_another_worker(self, student, settings):
        job = Job.objects.create(
            owner=student, lab="linear-regression", params={}, status="running", attempt=1, language="en"
        )
        redis_clients.client().delete(lease_key(job.pk))
        assert services.sweep_lost_jobs() == [job.pk]
        job.refresh_from_db()
        assert (job.status, job.attempt) == ("queued", 1)
        note = [
            f for _id, f in redis_clients.client().xrange(stream_key(job.pk, 1)) if f["event"] == "status"
        ]
        assert "another worker" in note[-1]["data"], "its viewers are told it moves on"

    def test_a_job_that_lost_its_worker_too_often_ends_failed_with_the_reason(self, student, settings):
        job = Job.objects.create(owner=student, lab="linear-regression", params={}, status="running",
                                 attempt=settings.JOB_MAX_ATTEMPTS, language="en")  # fmt: skip
        redis_clients.client().delete(lease_key(job.pk))
        assert services.sweep_lost_jobs() == [job.pk]
        job.refresh_from_db()
        with override("en"):
            assert job.status == "failed" and "lost its worker" in job.error_message

    def test_a_job_whose_run_holds_its_lease_is_left_alone(self, student):
        job = Job.objects.create(
            owner=student, lab="linear-regression", params={}, status="running", attempt=1
        )
        lease = Lease(job.pk)
        assert lease.acquire()
        try:
            assert services.sweep_lost_jobs() == []
        finally:
            lease.release()

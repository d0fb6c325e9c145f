"""Nobody fills the disk, and errors under /api/ are JSON: throttles on every write, a capped body (413),
503 while the database is down, 400 for a bad host, Retry-After on every 429, and a refused job submission
costs the learner nothing."""

import httpx
import pytest
from django.urls import resolve

from core.throttles import AnonymousWriteThrottle, LearnerWriteThrottle
from quizzes.models import Attempt
from quizzes.tests.test_attempts import one_wrong_answer
from trainer.models import Job


def rates(settings, anonymous: str, learner: str) -> None:
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK,
                               "DEFAULT_THROTTLE_RATES": {"anonymous-write": anonymous, "learner-write": learner}}  # fmt: skip


def post(client, url: str, body: dict, **headers):
    return client.post(url, body, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en", **headers)


@pytest.mark.django_db
class ThrottleTests:
    def test_every_write_operation_has_an_anonymous_and_a_learner_throttle(self, client):
        schema = client.get("/api/schema/?format=json").json()
        writes = [(path, method) for path, ops in schema["paths"].items() for method in ops
                  if method in ("post", "put", "patch", "delete")]  # fmt: skip
        assert len(writes) >= 5
        for path, method in writes:
            view = resolve(
                path.format(slug="s", course_slug="c", lesson_slug="l", attempt_id=1, job_id=1)
            ).func
            classes = view.cls().get_throttles()
            assert any(isinstance(t, AnonymousWriteThrottle) for t in classes), (method, path)
            assert any(isinstance(t, LearnerWriteThrottle) for t in classes), (method, path)

    def test_anonymous_and_signed_in_writes_get_429_with_retry_after(self, client, course, student, settings):
        rates(settings, "3/minute", "4/minute")
        answers = {"answers": one_wrong_answer(course)}
        codes = [post(client, "/api/quizzes/gradients/attempts/", answers).status_code for _ in range(4)]
        assert codes == [201, 201, 201, 429]
        client.force_login(student)
        codes = [post(client, "/api/quizzes/gradients/attempts/", answers) for _ in range(5)]
        assert [r.status_code for r in codes] == [201] * 4 + [429]
        assert int(codes[-1]["Retry-After"]) > 0 and codes[-1].json()["detail"]
        assert Attempt.objects.count() == 4  # the learner's; the anonymous ones were graded, not stored
        assert client.get("/api/quizzes/gradients/").status_code == 200  # reading is not throttled


@pytest.mark.django_db
class JobBudgetTests:
    def test_refused_submissions_do_not_use_up_the_submission_budget(self, client, student, settings):
        settings.JOB_SUBMIT_RATE = "2/hour"
        settings.JOBS_PER_LEARNER = 1
        client.force_login(student)
        for params in ({"epochs": -1}, {"nonsense": 1}, {"lr": True}):
            assert (
                post(client, "/api/jobs/", {"lab": "linear-regression", "params": params}).status_code == 400
            )
        assert post(client, "/api/jobs/", {"lab": "linear-regression"}).status_code == 201
        in_flight = post(client, "/api/jobs/", {"lab": "linear-regression"})
        assert in_flight.status_code == 429 and int(in_flight["Retry-After"]) > 0  # one job at a time
        Job.objects.update(status=Job.Status.SUCCEEDED)
        assert post(client, "/api/jobs/", {"lab": "linear-regression"}).status_code == 201
        Job.objects.update(status=Job.Status.SUCCEEDED)
        too_fast = post(client, "/api/jobs/", {"lab": "linear-regression"})
        assert too_fast.status_code == 429 and int(too_fast["Retry-After"]) > 0
        assert Job.objects.count() == 2


@pytest.mark.django_db(transaction=True)
class BodyLimitTests:
    """Over a real uvicorn server: the cap stands in front of Django."""

    def test_a_body_over_the_limit_gets_a_json_413_unread(self, asgi_server, course, settings):
        essay = "x" * (settings.MAX_REQUEST_BYTES + 1)
        response = httpx.post(f"{asgi_server.url}/api/quizzes/gradients/attempts/",
                              json={"answers": {"1": essay}}, headers={"Accept-Language": "en"})  # fmt: skip
        assert response.status_code == 413 and "too large" in response.json()["detail"]

    def test_a_chunked_body_is_cut_off_at_the_limit(self, asgi_server, course, settings):
        def chunks():
            yield b'{"answers": {"1": "'
            for _ in range(settings.MAX_REQUEST_BYTES // 65536 + 2):
                yield b"x" * 65536
            yield b'"}}'

        response = httpx.post(f"{asgi_server.url}/api/quizzes/gradients/attempts/", content=chunks(),
                              headers={"Content-Type": "application/json"})  # fmt: skip
        assert response.status_code == 413 and response.json()["code"] == "too_large"
        assert not Attempt.objects.exists()

    def test_pages_get_a_plain_413(self, asgi_server, settings):
        response = httpx.post(
            f"{asgi_server.url}/accounts/login/", content=b"x" * (settings.MAX_REQUEST_BYTES + 1)
        )
        assert response.status_code == 413 and response.headers["content-type"].startswith("text/plain")


@pytest.mark.django_db
class JsonErrorTests:
    def test_a_host_not_allowed_gets_a_json_400(self, client):
        response = client.get("/api/courses/", HTTP_HOST="evil.example")
        assert response.status_code == 400 and response.json()["code"] == "bad_request"

    def test_the_database_down_gets_a_json_503_with_retry_after(
        self, client, transactional_db, database_down
    ):
        response = client.get("/api/courses/", HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 503 and response["Retry-After"] == "10"
        assert "cannot reach its database" in response.json()["detail"]

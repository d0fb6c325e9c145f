"""Train with your code: a passing gradient step trains the linear-regression lab through the real `sandbox`
worker, streaming like any job; a passing function whose run blows up ends `diverged`; one that raises ends
`failed` in the learner's words; a function that has not passed trains nothing."""

from __future__ import annotations

import time

import pytest

from exercises import sandbox
from exercises.content import exercises
from exercises.models import Attempt
from trainer.models import Job

SLUG = "linear-gradient-step"
pytestmark = pytest.mark.skipif(not sandbox.available(), reason=f"no sandbox here: {sandbox.probe()}")


def passed(owner, source: str) -> Attempt:
    """An attempt as the checker leaves it after the hidden tests held (each source here passes them)."""
    return Attempt.objects.create(owner=owner, exercise=SLUG, source=source, status=Attempt.Status.PASSED)


def train(client, params: dict | None = None):
    body = {"params": params or {}}
    return client.post(
        f"/api/exercises/{SLUG}/train/", body, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en"
    )


def ended(job_id: int, timeout: float = 90) -> Job:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = Job.objects.get(pk=job_id)
        if job.status in Job.FINAL:
            return job
        time.sleep(0.2)
    raise AssertionError(f"job {job_id} did not end: {Job.objects.get(pk=job_id).status}")


@pytest.fixture
def learner(client, student):
    client.force_login(student)
    return client


class TrainWithCodeTests:
    def test_it_fits_the_seeds_line_with_the_learners_step(self, learner, student, worker) -> None:
        passed(student, exercises()[SLUG].solution)
        response = train(learner, {"steps": 400})
        assert response.status_code == 201, response.content
        body = response.json()
        assert body["queue"] == "sandbox" and body["params"]["learner_code"]["author"] == "student"
        job = ended(body["id"])
        assert job.status == Job.Status.SUCCEEDED, job.error_message
        assert abs(job.metrics["w"] - 0.1) < 0.05 and abs(job.metrics["b"] - 0.3) < 0.05
        assert len(job.history) >= 400 // 20  # the points streamed, as any run's

    def test_it_ends_diverged_when_the_passing_step_blows_up(self, learner, student, worker) -> None:
        passed(student, exercises()[SLUG].solution)
        job = ended(train(learner, {"learning_rate": 1.5, "steps": 400}).json()["id"])
        assert job.status == Job.Status.DIVERGED

    def test_it_fails_in_the_learners_words_when_their_function_raises(
        self, learner, student, worker
    ) -> None:
        source = (
            exercises()[SLUG].solution + "\n_real = gradient_step\n\ndef gradient_step(w, b, x, y, lr):\n"
            "    if len(x) == 100:\n        raise ValueError('a hundred points')\n    return _real(w, b, x, y, lr)\n"
        )
        passed(student, source)
        job = ended(train(learner).json()["id"])
        assert job.status == Job.Status.FAILED
        assert "ValueError: a hundred points" in job.error_message

    @pytest.mark.django_db
    def test_it_refuses_a_function_that_has_not_passed(self, learner, student) -> None:
        Attempt.objects.create(owner=student, exercise=SLUG, source="x", status=Attempt.Status.FAILED)
        response = train(learner)
        assert response.status_code == 400 and "Pass the exercise first" in response.json()["detail"]
        assert not Job.objects.exists()

"""The real path of a score: the quiz's transaction commits, the task is queued to `maintenance`, a real
Celery worker process posts it to the LMS's gradebook (the test platform's HTTP server)."""

import time

import pytest

from lti.models import Score

from .test_flow import open_placed, place


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
class WorkerTests:
    def test_a_worker_posts_the_score_after_the_commit(self, client, lms, registered, course, worker):
        from quizzes.tests.test_attempts import right_answers

        items = place(client, lms, "quiz:gradients")
        open_placed(client, lms, items["quiz:gradients"])
        client.post("/api/quizzes/gradients/attempts/", {"answers": right_answers(course)},
                    content_type="application/json")  # fmt: skip
        deadline = time.monotonic() + 30
        while not lms.scores and time.monotonic() < deadline:
            time.sleep(0.1)
        assert [(s["userId"], s["scoreGiven"]) for s in lms.scores] == [("learner-1", 100.0)]
        deadline = time.monotonic() + 10
        while Score.objects.get().status != Score.Status.SENT and time.monotonic() < deadline:
            time.sleep(0.1)
        assert Score.objects.get().status == Score.Status.SENT

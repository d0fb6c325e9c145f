"""/api/exercises/: what a learner reads (never the hidden tests), a check through the real `sandbox` queue's
worker and bubblewrap, drafts, the solution's lock, and what is refused."""

from __future__ import annotations

import time

import pytest

from exercises import sandbox
from exercises.content import exercises
from exercises.models import Attempt

SLUG = "stable-softmax-cross-entropy"

# The refusal without a sandbox is tested below by pointing the platform at a missing bwrap.
needs_sandbox = pytest.mark.skipif(not sandbox.available(), reason=f"no sandbox here: {sandbox.probe()}")


def submit(client, source: str, slug: str = SLUG, language: str = "en"):
    return client.post(
        f"/api/exercises/{slug}/attempts/", {"source": source}, content_type="application/json",
        HTTP_ACCEPT_LANGUAGE=language,
    )  # fmt: skip


def wait(client, attempt_id: int, language: str = "en", timeout: float = 60) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        body = client.get(f"/api/exercises/attempts/{attempt_id}/", HTTP_ACCEPT_LANGUAGE=language).json()
        if body["done"]:
            return body
        time.sleep(0.05)
    raise AssertionError("the check did not finish")


@pytest.fixture
def learner(client, student):
    client.force_login(student)
    return client


@pytest.mark.django_db
class ReadTests:
    def test_it_lists_every_exercise_with_starter_hints_and_properties_but_no_tests(self, client) -> None:
        response = client.get("/api/exercises/", HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 200
        found = {e["slug"]: e for e in response.json()}
        assert len(found) == len(exercises()) >= 7
        softmax = found[SLUG]
        assert softmax["functions"] == ["softmax_cross_entropy"] and softmax["lab"] == "cnn"
        assert {"property": "large_logits", "words": "Large logits give NaN or inf"} in softmax["properties"]
        assert softmax["mine"] is None and softmax["hints"]
        text = response.content.decode()
        assert (
            "Case(" not in text and "default_rng" not in text and "log_probs" not in text
        )  # checks, solution

    def test_it_speaks_the_learners_language(self, client) -> None:
        body = client.get(f"/api/exercises/{SLUG}/", HTTP_ACCEPT_LANGUAGE="zh-hans").json()
        assert body["title"] == "数值稳定的 softmax 与交叉熵"
        assert "很大的 logit 给出 NaN 或 inf" in [p["words"] for p in body["properties"]]

    def test_it_is_in_the_schema(self, client) -> None:
        schema = client.get("/api/schema/").content.decode()
        assert "/api/exercises/{slug}/attempts/" in schema and "/api/exercises/attempts/{id}/" in schema


@needs_sandbox
class CheckTests:
    def test_it_passes_the_solution_in_the_sandbox_worker(self, learner, worker) -> None:
        exercise = exercises()[SLUG]
        response = submit(learner, exercise.solution)
        assert response.status_code == 202, response.content
        result = wait(learner, response.json()["id"])
        assert result["passed"] and result["failed"] == [] and result["status"] == "passed"
        mine = learner.get(f"/api/exercises/{SLUG}/").json()["mine"]
        assert mine["passed"] and mine["solution_available"] and mine["draft"] == exercise.solution

    def test_it_names_what_failed_in_words_of_the_learners_language(self, learner, worker) -> None:
        response = submit(learner, exercises()[SLUG].starter, language="zh-hans")
        result = wait(learner, response.json()["id"], language="zh-hans")
        assert not result["passed"]
        assert [f["words"] for f in result["failed"]] == [
            "很大的 logit 给出 NaN 或 inf",
            "很小的负 logit 给出 NaN 或 inf",
        ]

    def test_it_reports_a_learners_exception_and_what_they_printed(self, learner, worker) -> None:
        source = (
            "def softmax_cross_entropy(logits, labels):\n    print('shape', logits.shape)\n    return 1 / 0\n"
        )
        result = wait(learner, submit(learner, source).json()["id"])
        assert "ZeroDivisionError" in result["error"] and "line 3" in result["error"]
        assert "shape" in result["printed"]

    def test_it_stops_code_that_never_returns_with_a_message(self, learner, worker) -> None:
        source = "import time\ndef softmax_cross_entropy(logits, labels):\n    time.sleep(3600)\n"
        result = wait(learner, submit(learner, source).json()["id"])
        assert not result["passed"] and "longer than the time allowed" in result["error"]

    def test_it_opens_the_solution_after_three_misses_not_before(self, learner, worker) -> None:
        assert learner.get(f"/api/exercises/{SLUG}/solution/").status_code == 403
        for _ in range(3):
            wait(
                learner,
                submit(learner, "def softmax_cross_entropy(logits, labels):\n    return 0.0\n").json()["id"],
            )
        response = learner.get(f"/api/exercises/{SLUG}/solution/")
        assert response.status_code == 200 and "log_probs" in response.json()["source"]


@pytest.mark.django_db
class RefusalTests:
    def test_it_refuses_nul_bytes_and_a_megabyte_before_anything_is_queued(self, learner) -> None:
        assert submit(learner, "x = 1\x00").status_code == 400
        response = submit(learner, "x = 1\n" * 180_000)
        assert response.status_code == 400
        assert Attempt.objects.count() == 0

    @needs_sandbox
    def test_it_refuses_a_second_check_while_one_runs(self, learner, student) -> None:
        Attempt.objects.create(owner=student, exercise=SLUG, source="x")
        response = submit(learner, "x = 2")
        assert response.status_code == 429 and "still running" in response.json()["detail"]

    def test_it_keeps_a_draft_per_learner(self, learner, client, other_student) -> None:
        response = learner.put(
            f"/api/exercises/{SLUG}/draft/", {"source": "# mine"}, content_type="application/json"
        )
        assert response.status_code == 200
        assert learner.get(f"/api/exercises/{SLUG}/").json()["mine"]["draft"] == "# mine"
        client.force_login(other_student)
        assert client.get(f"/api/exercises/{SLUG}/").json()["mine"]["draft"] is None

    def test_it_asks_a_visitor_to_sign_in(self, client) -> None:
        assert submit(client, "x = 1").status_code in (401, 403)

    def test_it_refuses_every_check_without_bubblewrap_saying_so(self, learner, monkeypatch) -> None:
        monkeypatch.setattr(sandbox, "BWRAP", "/nonexistent/bwrap")
        sandbox.probe.cache_clear()
        try:
            response = submit(learner, "x = 1")
            assert response.status_code == 503
            assert (
                "bubblewrap" in response.json()["detail"] and response.json()["code"] == "sandbox_unavailable"
            )
            page = learner.get(f"/exercises/{SLUG}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
            assert 'data-sandbox="missing"' in page
        finally:
            monkeypatch.undo()
            sandbox.probe.cache_clear()

    def test_the_worker_answers_an_attempt_it_cannot_sandbox_saying_so(
        self, learner, student, monkeypatch
    ) -> None:
        from exercises.services import attempt_check

        attempt = Attempt.objects.create(owner=student, exercise=SLUG, source="x = 1")
        monkeypatch.setattr(
            sandbox, "BWRAP", "/nonexistent/bwrap"
        )  # the worker's machine, without bubblewrap
        sandbox.probe.cache_clear()
        try:
            attempt_check(attempt=attempt, exercise=exercises()[SLUG])
        finally:
            monkeypatch.undo()
            sandbox.probe.cache_clear()
        body = learner.get(f"/api/exercises/attempts/{attempt.pk}/", HTTP_ACCEPT_LANGUAGE="en").json()
        assert body["status"] == "error" and body["done"] and "bubblewrap" in body["error"]

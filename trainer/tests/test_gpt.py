"""The GPT lab: it learns the course's text, its samples and attention reach the learner, and a trained run
writes for its owner only."""

from __future__ import annotations

import pytest
import torch

from trainer.labs import gpt
from trainer.labs.base import Reporter
from trainer.models import Job

from .sse import read_until, stream

# Small enough for a test on one shared core (about ten seconds), big enough to beat the unigram baseline.
TINY = {
    "corpus": "faq-en",
    "context_length": 32,
    "layers": 2,
    "heads": 2,
    "embedding_size": 32,
    "steps": 300,
    "batch_size": 32,
    "sample_every": 100,
    "warmup_steps": 10,
    "seed": 3,
    "device": "cpu",
}


def train_tiny(**changes) -> tuple[gpt.Outcome, list[dict]]:
    config = gpt.Config(**{**TINY, **changes})
    batches: list[dict] = []
    return gpt.train(config, Reporter(config.steps, batches.append), torch.device("cpu")), batches


@pytest.fixture(scope="module")
def trained() -> tuple[gpt.Outcome, list[dict]]:
    return train_tiny()


class GptLabTests:
    def test_it_learns_the_text_below_the_unigram_baseline(self, trained):
        outcome, batches = trained
        metrics = outcome.metrics
        assert metrics["val_bpc"] < metrics["unigram_bpc"] - 0.4, metrics
        points = [p for b in batches for p in b["points"]]
        evaluated = [p for p in points if "val_loss" in p]
        assert evaluated[0]["val_loss"] > evaluated[0]["unigram"] > evaluated[-1]["val_loss"]
        assert all(p["unigram_bpc"] == metrics["unigram_bpc"] for p in evaluated)
        assert evaluated[-1]["tokens_per_s"] > 0 and metrics["tokens_per_s"] > 0

    def test_samples_come_every_n_steps_from_the_fixed_prompt_with_attention(self, trained):
        outcome, batches = trained
        frames = [b["frame"] for b in batches if "frame" in b]
        assert [s["step"] for s in frames[-2]["samples"]] == [0, 100, 200, 299]
        assert all(s["text"].startswith("The model ") for s in outcome.visuals["samples"])
        assert outcome.visuals["samples"][0]["text"] != outcome.visuals["samples"][-1]["text"]
        attention = outcome.visuals["attention"]
        assert len(attention["layers"]) == 2 and len(attention["layers"][0]) == 2  # layers, heads
        rows = attention["layers"][1][0]
        assert [len(row) for row in rows] == list(range(1, len(attention["characters"]) + 1))
        assert all(abs(sum(row) - 100) <= len(row) for row in rows)  # percentages of one softmax
        neighbours = outcome.visuals["neighbours"]
        assert neighbours[0]["character"] == "e" and len(neighbours[0]["neighbours"]) == 5

    def test_the_same_seed_writes_the_same_text(self, trained):
        outcome, _ = trained
        model = outcome.model
        prompt = [model.characters.index(c) for c in "The "]

        def text(seed: int) -> str:
            generator = torch.Generator().manual_seed(seed)
            return "".join(model.characters[i] for i in gpt.write(model, prompt, 60, generator=generator))

        assert text(5) == text(5)
        assert text(5) != text(6)

    def test_weights_carry_their_vocabulary(self, trained):
        outcome, _ = trained
        state = {k: v.clone() for k, v in outcome.model.state_dict().items()}
        rebuilt = gpt.build_model(gpt.Config(**TINY), state)
        assert rebuilt.characters == gpt.load_corpus("faq-en").characters

    def test_the_chinese_lessons_are_prose(self):
        corpus = gpt.load_corpus("lessons-zh")
        text = "".join(corpus.characters[i] for i in corpus.train[:20000].tolist())
        assert "神经网络" in text and "$" not in text and "**" not in text and "```" not in text


@pytest.fixture
def learner(client, student):
    """The student, signed in, reading English."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    client.force_login(student)
    client.session_id = client.cookies["sessionid"].value
    return client


def submit(client, **params) -> dict:
    response = client.post("/api/jobs/", {"lab": "gpt", "params": params}, content_type="application/json")
    assert response.status_code == 201, response.content
    return response.json()


def generate(client, job_id: int, **body):
    return client.post(f"/api/jobs/{job_id}/generate/", body, content_type="application/json")


@pytest.mark.django_db
class GptSubmitTests:
    def test_an_embedding_that_the_heads_cannot_share_is_refused_with_a_message(self, learner):
        response = learner.post(
            "/api/jobs/",
            {"lab": "gpt", "params": {"heads": 3, "embedding_size": 128}},
            content_type="application/json",
        )
        assert response.status_code == 400
        assert response.json()["params"]["embedding_size"] == [
            "The embedding size must be a multiple of the number of heads (3)."
        ]
        assert not Job.objects.exists()


@pytest.mark.worker
class GptLiveTests:
    def test_the_stream_carries_samples_and_attention_and_the_model_writes_for_its_owner(
        self, learner, worker, asgi_server
    ):
        job = submit(learner, **{**TINY, "steps": 120, "sample_every": 40})
        events = read_until(
            stream(asgi_server.url, job["events_url"], learner.session_id), lambda e: e.event == "end"
        )
        frames = [e.data["frame"] for e in events if e.event == "progress" and "frame" in e.data]
        assert [s["step"] for s in frames[0]["samples"]] == [0]
        assert frames[0]["attention"]["layers"] and frames[0]["attention"]["characters"]
        assert [s["step"] for s in frames[-1]["samples"]] == [0, 40, 80, 119]
        end = events[-1].data
        assert end["status"] == "succeeded" and end["visuals"]["neighbours"]
        points = [p for e in events if e.event == "progress" for p in e.data["points"]]
        assert any("val_bpc" in p and "unigram_bpc" in p and "tokens_per_s" in p for p in points)
        detail = learner.get(f"/api/jobs/{job['id']}/?history=1").json()
        assert len(detail["visuals"]["samples"]) == 4 and detail["visuals"]["attention"]["layers"]

        # Talk to it: the same seed writes the same text, streamed in pieces, on a worker.
        texts = []
        for _ in range(2):
            response = generate(
                learner, job["id"], prompt="The ", length=80, temperature=0.8, top_k=10, seed=4
            )
            assert response.status_code == 202, response.content
            written = read_until(
                stream(asgi_server.url, response.json()["events_url"], learner.session_id),
                lambda e: e.event == "end",
            )
            kinds = [e.event for e in written]
            assert kinds[0] == "queued" and "started" in kinds and kinds[-1] == "end"
            assert written[-1].data["status"] == "succeeded", written[-1].data
            pieces = "".join(e.data["text"] for e in written if e.event == "text")
            assert pieces == written[-1].data["text"] and len(pieces) == 80
            texts.append(pieces)
        assert texts[0] == texts[1]

        # A tab closed while its model wrote does not lock the learner out: asking again stops that one.
        first = generate(learner, job["id"], prompt="The ", length=500, seed=1).json()
        second = generate(learner, job["id"], prompt="The ", length=20, seed=2).json()
        for asked, status in ((first, "stopped"), (second, "succeeded")):
            end = read_until(stream(asgi_server.url, asked["events_url"], learner.session_id),
                             lambda e: e.event == "end")[-1].data  # fmt: skip
            assert end["status"] == status, end
            assert ("another text" in end["error"]) == (status == "stopped"), end

        unknown = generate(learner, job["id"], prompt="神经", length=10)
        written = read_until(
            stream(asgi_server.url, unknown.json()["events_url"], learner.session_id),
            lambda e: e.event == "end",
        )
        assert written[-1].data["status"] == "failed"
        assert "never saw these characters" in written[-1].data["error"]


@pytest.mark.django_db
class GenerateAccessTests:
    def test_another_learners_run_is_not_found(self, learner, other_student, asgi_server):
        job = Job.objects.create(owner=other_student, lab="gpt", params={}, status="succeeded")
        response = generate(learner, job.pk, prompt="The ")
        assert response.status_code == 404
        with pytest.raises(AssertionError, match="HTTP 404"):
            next(
                stream(
                    asgi_server.url, f"/api/jobs/{job.pk}/generations/{'a' * 32}/events", learner.session_id
                )
            )

    def test_bad_settings_are_refused_with_a_message(self, learner, student):
        job = Job.objects.create(owner=student, lab="gpt", params={}, status="succeeded")
        for body, field in (
            ({"prompt": "", "length": 10}, "prompt"),
            ({"prompt": "a", "temperature": 0}, "temperature"),
            ({"prompt": "a", "temperature": "NaN"}, "temperature"),
            ({"prompt": "a", "length": 501}, "length"),
            ({"prompt": "a" * 201}, "prompt"),
        ):
            response = generate(learner, job.pk, **body)
            assert response.status_code == 400 and field in response.json(), (body, response.content)

    def test_a_run_without_a_trained_model_or_of_another_lab_cannot_write(self, learner, student):
        failed = Job.objects.create(owner=student, lab="gpt", params={}, status="failed")
        assert generate(learner, failed.pk, prompt="a").status_code == 409
        other_lab = Job.objects.create(owner=student, lab="rnn", params={}, status="succeeded")
        response = generate(learner, other_lab.pk, prompt="a")
        assert response.status_code == 400 and "GPT" in response.json()["detail"]

    def test_a_new_generation_stops_the_learners_previous_one(self, learner, student):
        """One at a time, and never locked out: a generation left writing by a closed tab is told to stop
        when its learner asks again."""
        from core import redis_clients
        from trainer.generation import busy_key, stop_key
        from trainer.models import JobWeights

        job = Job.objects.create(owner=student, lab="gpt", params={}, status="succeeded")
        JobWeights.objects.create(job=job, data=b"weights")
        client = redis_clients.client()
        client.set(busy_key(student.pk), "an earlier one", ex=60)
        response = generate(learner, job.pk, prompt="a")
        assert response.status_code == 202
        assert client.exists(stop_key("an earlier one"))
        assert client.get(busy_key(student.pk)) == response.json()["id"]
        assert not client.exists(stop_key(response.json()["id"]))


@pytest.mark.django_db
class WritingQueueTests:
    """Talk to your model writes on the writer's own worker (`talk`) when one is alive, so that it never waits
    behind training runs; on a GPU worker for a run trained on one; else on any CPU worker."""

    def test_the_writer_is_chosen_when_alive_and_the_cpu_workers_otherwise(self):
        from core import redis_clients
        from core.workers import KEY, announce
        from trainer.generation import writing_queue

        client = redis_clients.client()
        try:
            assert writing_queue(Job(queue="cpu")) == "cpu"  # the tests' worker has no `talk` queue
            announce("talk@node1", ["talk"])
            assert writing_queue(Job(queue="cpu")) == "talk"
            announce("gpu@node2", ["gpu", "cpu", "maintenance"])
            assert writing_queue(Job(queue="gpu")) == "gpu"
            assert writing_queue(Job(queue="cpu")) == "talk"
        finally:
            client.delete(KEY.format("talk@node1"), KEY.format("gpu@node2"))
